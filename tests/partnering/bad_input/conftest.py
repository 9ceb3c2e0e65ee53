"""Fixtures for the bad-input tests: an event with its organiser logged in."""

import pytest


@pytest.fixture
def as_organiser(auth, create_event, create_participant):
    event = create_event()
    organiser = create_participant(event, name="Olivia Organiser", role="organiser")
    auth.login(organiser)
    return organiser
