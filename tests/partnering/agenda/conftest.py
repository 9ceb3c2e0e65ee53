"""A published schedule placed by hand (no solver): three people of two organisations in Tokyo,
their meetings at known times and tables."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.registrations.models import Participant
from partnering.scheduling import operations


@dataclass
class Published:
    event: Event
    organiser: Participant
    aiko: Participant
    marc: Participant
    jun: Participant
    first: Meeting
    second: Meeting


def build_event(create_event, create_participant, *, publish: bool = True) -> Published:
    event = create_event(venue="Grand Front Osaka")  # sessions 09:00-12:00 and 14:00-17:00 JST
    organiser = create_participant(event, name="Olga Organiser", role="organiser")
    aiko = create_participant(
        event, name="Aiko Tanaka", email="aiko@example.jp", organisation="Kobe Bio"
    )
    marc = create_participant(
        event, name="Marc Dubois", email="marc@example.fr", organisation="Lyon Pharma"
    )
    jun = create_participant(
        event, name="Jun Park", email="jun@example.kr", organisation="Seoul Capital"
    )
    slots, tables = event.slots, event.tables
    first = Meeting(event_id=event.id, participants=[aiko, marc], slot=slots[2], table=tables[0])
    second = Meeting(event_id=event.id, participants=[aiko, jun], slot=slots[3], table=tables[1])
    db.session.add_all([first, second])
    db.session.flush()
    db.session.add(
        MeetingRequest(
            event_id=event.id,
            sender_id=marc.id,
            recipient_id=aiko.id,
            status="accepted",
            message="Let us talk about antibody assays",
            meeting_id=first.id,
        )
    )
    db.session.commit()
    if publish:
        operations.publish(event, "final")
    return Published(event, organiser, aiko, marc, jun, first, second)


@pytest.fixture
def published(create_event, create_participant) -> Published:
    return build_event(create_event, create_participant)


@pytest.fixture
def unpublished(create_event, create_participant) -> Published:
    return build_event(create_event, create_participant, publish=False)


@pytest.fixture
def send_pending(ctx):
    """A pending request written straight to the database."""

    def create(sender, recipient, message="Let us meet"):
        request = MeetingRequest(
            event_id=sender.event_id,
            sender_id=sender.id,
            recipient_id=recipient.id,
            message=message,
            status="pending",
        )
        db.session.add(request)
        db.session.commit()
        return request

    return create
