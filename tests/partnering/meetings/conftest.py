"""Fixtures for the meeting tests: a sent request, an agreed meeting, a fresh look at the
database."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

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


@pytest.fixture(autouse=True)
def unsynced_sqlite():
    """Test databases need no durability: without fsync, building the schema for each test
    takes a tenth of the time. (A candidate for tests/conftest.py.)"""

    def no_fsync(dbapi_connection, connection_record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    event.listen(Engine, "connect", no_fsync)
    yield
    event.remove(Engine, "connect", no_fsync)
