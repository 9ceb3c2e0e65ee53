from __future__ import annotations

import pytest

from partnering import jobs


@pytest.fixture
def queue(app, tmp_path):
    """Jobs really queued (not run inline) on a SQLite queue of the test's own, in
    tmp_path/queue.db; the Huey instance."""
    app.config.update(HUEY_IMMEDIATE=False, HUEY_URL=f"sqlite:///{tmp_path / 'queue.db'}")
    jobs.init_app(app)  # the app's queue, from the configuration as it is now
    return jobs.huey


@pytest.fixture
def organiser(create_event, create_participant):
    return create_participant(create_event(), name="Olga Organiser", role="organiser")


@pytest.fixture
def as_organiser(auth, organiser):
    auth.login(organiser)
    return organiser
