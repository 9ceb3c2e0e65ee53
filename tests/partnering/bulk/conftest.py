from __future__ import annotations

import pytest

from tests.bulk_jobs import own_queue


@pytest.fixture
def queue(app, tmp_path):
    return own_queue(app, tmp_path)


@pytest.fixture
def organiser(create_event, create_participant):
    return create_participant(create_event(), name="Olga Organiser", role="organiser")


@pytest.fixture
def as_organiser(auth, organiser):
    auth.login(organiser)
    return organiser
