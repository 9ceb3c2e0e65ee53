"""Migration 0005 on a database that already holds what its unique indexes forbid: the rows are
mended the way an organiser would, and the indexes then hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from partnering import create_app
from partnering.auth.operations import get_or_create_account
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, meeting_participant
from partnering.registrations.models import Participant
from tests.keys import TEST_SECRET_KEY


@pytest.fixture
def migrated_app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db",
        }
    )
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _old_meeting(event_id: int, people: list[int], slot_id=None, table_id=None) -> int:
    """A meeting row as a release before 0005 wrote it: no participants key, no member slots."""
    now = datetime.now(UTC)
    meeting_id = db.session.execute(
        insert(Meeting.__table__)
        .values(
            event_id=event_id,
            uid=f"{uuid.uuid4()}@partnering",
            priority=1,
            status="active",
            slot_id=slot_id,
            table_id=table_id,
            locked=True,
            sequence=0,
            created_at=now,
            updated_at=now,
        )
        .returning(Meeting.__table__.c.id)
    ).scalar_one()
    db.session.execute(
        insert(meeting_participant.c.meeting_id.table).values(
            [{"meeting_id": meeting_id, "participant_id": p} for p in people]
        )
    )
    return meeting_id


def _old_request(event_id: int, sender: int, recipient: int, age: timedelta) -> int:
    return db.session.execute(
        insert(MeetingRequest.__table__)
        .values(
            event_id=event_id,
            sender_id=sender,
            recipient_id=recipient,
            message="",
            priority=1,
            status="pending",
            created_at=datetime.now(UTC) - age,
        )
        .returning(MeetingRequest.__table__.c.id)
    ).scalar_one()


def test_existing_duplicates_and_double_bookings_are_mended(migrated_app):
    event = create_event(slug="old", name="Old", timezone="UTC")
    add_sessions(
        event,
        [
            SessionSpec(
                datetime(2030, 1, 1).date(),
                datetime(2030, 1, 1, 9).time(),
                datetime(2030, 1, 1, 11).time(),
            )
        ],
    )
    add_tables(event, 2, seats=4)
    people = [
        Participant(
            event=event,
            account=get_or_create_account(f"p{i}@example.org", f"P{i}"),
            status="approved",
        )
        for i in range(3)
    ]
    db.session.add_all(people)
    db.session.commit()
    e, (a, b, c) = event.id, [p.id for p in people]
    s1, s2 = event.slots[0].id, event.slots[1].id
    t1, t2 = event.tables[0].id, event.tables[1].id
    db.session.commit()
    downgrade(revision="0004")

    first = _old_meeting(e, [a, b], s1, t1)
    duplicate = _old_meeting(e, [b, a], s2, t2)  # the same two people again
    same_cell = _old_meeting(e, [a, c], s1, t1)  # the table is taken
    same_person = _old_meeting(e, [b, c], s1, t2)  # b is already busy in s1
    older = _old_request(e, a, c, timedelta(days=2))
    newer = _old_request(e, a, c, timedelta(days=1))
    db.session.commit()
    upgrade()

    status = dict(db.session.execute(select(Meeting.id, Meeting.status)).all())
    assert status == {
        first: "active",
        duplicate: "cancelled",
        same_cell: "active",
        same_person: "active",
    }
    place = {m.id: (m.slot_id, m.table_id) for m in db.session.scalars(select(Meeting))}
    assert place[first] == (s1, t1)
    assert place[same_cell] == place[same_person] == (None, None)
    requests = dict(db.session.execute(select(MeetingRequest.id, MeetingRequest.status)).all())
    assert requests == {older: "withdrawn", newer: "pending"}
    slots = dict(
        db.session.execute(
            select(meeting_participant.c.participant_id, meeting_participant.c.slot_id).where(
                meeting_participant.c.meeting_id == first
            )
        ).all()
    )
    assert slots == {a: s1, b: s1}

    # From now on the database itself refuses a second meeting in that cell.
    with pytest.raises(IntegrityError):
        db.session.execute(
            Meeting.__table__.update()
            .where(Meeting.id == same_cell)
            .values(slot_id=s1, table_id=t1)
        )
