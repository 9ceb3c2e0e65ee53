"""Fixtures for the meeting tests: a sent request, an agreed meeting, a fresh look at the
database."""

from __future__ import annotations

import pytest

from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest


@pytest.fixture
def send(ctx):
    """A pending request written straight to the database, as if sent through the page."""

    def create(sender, recipient, message="Let us meet", priority=1, status="pending"):
        request = MeetingRequest(
            event_id=sender.event_id,
            sender_id=sender.id,
            recipient_id=recipient.id,
            message=message,
            priority=priority,
            status=status,
        )
        db.session.add(request)
        db.session.commit()
        return request

    return create


@pytest.fixture
def agreed(ctx):
    """An active meeting between the given participants."""

    def create(*participants, **fields):
        meeting = Meeting(
            event_id=participants[0].event_id, participants=list(participants), **fields
        )
        db.session.add(meeting)
        db.session.commit()
        return meeting

    return create


class Rows:
    """The database as it is now, not as this test's session remembers it."""

    def get(self, model, row_id):
        db.session.expire_all()
        return db.session.get(model, row_id)

    def requests(self) -> list[MeetingRequest]:
        db.session.expire_all()
        query = db.select(MeetingRequest).order_by(MeetingRequest.id)
        return db.session.execute(query).scalars().all()

    def meetings(self) -> list[Meeting]:
        db.session.expire_all()
        return db.session.execute(db.select(Meeting).order_by(Meeting.id)).scalars().all()


@pytest.fixture
def rows(ctx) -> Rows:
    return Rows()
