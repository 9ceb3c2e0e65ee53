"""A rich source event (the demo, scheduled, published and edited by hand) and a second,
empty database to move it to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from partnering import create_app
from partnering.agenda.operations import renew_feed_token
from partnering.attendance.models import CheckIn, CheckInMethod, NoShow, NoShowStatus
from partnering.demo import create_demo
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.meetings.operations import add_colleague, colleague_refusal
from partnering.registrations.models import Invitation, Participant, RegistrationDigest
from partnering.scheduling import engine, operations
from scheduler import greedy
from tests.keys import TEST_SECRET_KEY


@dataclass(frozen=True)
class Rich:
    """What the tests look for in the source event (database ids of the source)."""

    locked: int
    cancelled: int
    with_colleague: int
    subscriber: int


@pytest.fixture
def second_app(empty_database):
    """An app on a second, empty database of the kind under test (SQLite, or PostgreSQL with
    TEST_DATABASE_URL): moving is tested between two databases of that kind."""
    second = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": empty_database("backup_second"),
            "HUEY_IMMEDIATE": True,
            "SERVER_NAME": "localhost",
        }
    )
    with second.app_context():
        db.create_all()
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def baseline_solver(monkeypatch):
    """The first-come baseline in place of the CP-SAT search: these tests need a schedule, not
    a good one."""

    def baseline(problem, *, time_limit, hint=None, on_progress=None):
        return greedy(problem)

    monkeypatch.setattr(engine, "solve", baseline)


@pytest.fixture
def rich(app, baseline_solver) -> Rich:
    """The demo (40 people: requests in every state but expired) with one request expired, two
    scheduler runs (one applied, one rejected), a published schedule, a meeting locked by hand,
    one cancelled by the organiser, a colleague added to a placed meeting, and three calendar
    subscriptions; then its event day: two check-ins (at the desk and by oneself), a no-show
    mark standing and one undone, an invitation and the registration digest's mark."""
    with app.app_context():
        event = create_demo(participants=40, seed=3, first_day=date(2030, 5, 14))
        organiser = db.session.scalars(
            select(Participant).filter_by(event_id=event.id, role="organiser")
        ).first()
        pending = db.session.scalars(
            select(MeetingRequest).filter_by(event_id=event.id, status="pending")
        ).first()
        pending.status = "expired"
        db.session.commit()

        run = operations.start_run(event, organiser.account, time_limit=5)
        operations.apply_run(run, organiser.account)
        operations.reject_run(operations.start_run(event, None, time_limit=5), organiser.account)
        operations.publish(event, "preliminary")

        placed = db.session.scalars(
            select(Meeting)
            .filter_by(event_id=event.id, status="active")
            .where(Meeting.slot_id.is_not(None))
            .order_by(Meeting.id)
        ).all()
        operations.set_locked(event, placed[0], True)
        operations.cancel_meeting(placed[1], organiser.account, as_organiser=True)
        with_colleague = next(
            (m, by, c)
            for m in placed[2:]
            for by in m.participants
            if by.organisation is not None
            for c in by.organisation.participants
            if colleague_refusal(m, by, c) is None
        )
        add_colleague(*with_colleague)
        meeting = with_colleague[0]
        subscribers = meeting.participants
        for person in subscribers:
            renew_feed_token(person)
        _event_day(event, organiser, placed[2:4])
        db.session.commit()
        rich = Rich(placed[0].id, placed[1].id, meeting.id, subscribers[0].id)
        db.session.remove()
    return rich


def _event_day(event, organiser: Participant, meetings: list[Meeting]) -> None:
    first, second = meetings
    day = first.slot.start.date()
    at = datetime.combine(day, first.slot.start.time(), tzinfo=UTC)
    for person, by, method, out in (
        (first.participants[0], organiser.account, CheckInMethod.DESK, None),
        (second.participants[0], second.participants[0].account, CheckInMethod.SELF, at),
    ):
        db.session.add(
            CheckIn(
                event_id=event.id,
                participant=person,
                day=day,
                checked_in_at=at - timedelta(minutes=20),
                checked_in_by=by,
                method=method,
                checked_out_at=out,
                checked_out_by=organiser.account if out else None,
            )
        )
    for meeting, status in ((first, NoShowStatus.MARKED), (second, NoShowStatus.UNDONE)):
        db.session.add(
            NoShow(
                event_id=event.id,
                meeting=meeting,
                slot_id=meeting.slot_id,
                status=status,
                marked_by=meeting.participants[1].account,
                marked_at=at + timedelta(minutes=10),
                undone_at=at + timedelta(minutes=12) if status == NoShowStatus.UNDONE else None,
            )
        )
    db.session.add(
        Invitation(
            participant_id=first.participants[1].id,
            invited_at=at - timedelta(days=30),
            invited_by=organiser.account,
        )
    )
    db.session.add(RegistrationDigest(event_id=event.id, sent_through=at - timedelta(days=2)))
