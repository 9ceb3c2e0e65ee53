import pytest

from partnering.auth.operations import get_or_create_account
from partnering.extensions import db


@pytest.fixture
def site_admin(ctx):
    account = get_or_create_account("admin@example.org", "Ada Admin")
    account.is_admin = True
    db.session.commit()
    return account


@pytest.fixture
def organiser(create_event, create_participant):
    """An event and its organiser, logged in."""
    event = create_event()
    return create_participant(event, name="Olivia Organiser", role="organiser")


@pytest.fixture
def as_organiser(auth, organiser):
    auth.login(organiser)
    return organiser
