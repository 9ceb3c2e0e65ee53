"""Migration 0008 (state checks) on a database that already holds rows: known states are kept
and from then on the database refuses any other; an unknown state stops the upgrade with a
one-line message that names it, and nothing is changed."""

from __future__ import annotations

import subprocess

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import IntegrityError

from partnering import create_app
from partnering.auth.operations import get_or_create_account
from partnering.events.models import Publication
from partnering.events.operations import create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, MeetingStatus, RequestStatus
from partnering.outbox.models import OutboxMessage, OutboxStatus
from partnering.registrations.models import Participant, RegistrationStatus
from partnering.scheduling.models import RunStatus, ScheduleRun
from tests.keys import TEST_SECRET_KEY
from tests.servers import FLASK, server_env

STATE_COLUMNS = {
    ("event", "schedule_state"),
    ("participant", "status"),
    ("meeting", "status"),
    ("meeting_request", "status"),
    ("schedule_run", "status"),
    ("outbox_message", "status"),
}


@pytest.fixture
def app_before_checks(database_url):
    """An app on a database migrated to 0007, the revision before the state checks."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url}
    )
    with app.app_context():
        upgrade(revision="0007")
        yield app
        db.session.remove()
        db.engine.dispose()


def _rows_in_every_state_machine() -> dict[tuple[str, str], tuple[int, str]]:
    """One row per state column, each in a state other than its default; {(table, column):
    (id, state)}."""
    event = create_event(slug="old", name="Old", timezone="UTC")
    event.schedule_state = Publication.FINAL
    a, b = (
        Participant(
            event=event,
            account=get_or_create_account(f"{n}@example.org", n),
            status=RegistrationStatus.REJECTED,
        )
        for n in ("ana", "ben")
    )
    request = MeetingRequest(event=event, sender=a, recipient=b, status=RequestStatus.DECLINED)
    meeting = Meeting(event=event, participants=[a, b], status=MeetingStatus.CANCELLED)
    email = OutboxMessage(
        event_id=None,
        recipient="ana@example.org",
        subject="Hello",
        message_id="<1@example.org>",
        raw=b"",
        status=OutboxStatus.SENT,
    )
    db.session.add_all([a, b, request, meeting, email])
    db.session.flush()
    # A run as the table of 0007 holds it (the model also writes columns added later).
    run_id = db.session.execute(
        insert(ScheduleRun.__table__)
        .values(event_id=event.id, status=RunStatus.APPLIED)
        .returning(ScheduleRun.__table__.c.id)
    ).scalar_one()
    rows = {
        ("event", "schedule_state"): (event.id, "final"),
        ("participant", "status"): (a.id, "rejected"),
        ("meeting", "status"): (meeting.id, "cancelled"),
        ("meeting_request", "status"): (request.id, "declined"),
        ("schedule_run", "status"): (run_id, "applied"),
        ("outbox_message", "status"): (email.id, "sent"),
    }
    # Nothing is read after the commit: an open read transaction would hold an old snapshot
    # of a SQLite database while the migration rebuilds its tables.
    db.session.commit()
    return rows


def _state(table: str, column: str, row_id: int) -> str:
    return db.session.execute(
        text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}
    ).scalar_one()


def _checks() -> set[str]:
    inspector = inspect(db.engine)
    return {
        check["name"]
        for table, _ in STATE_COLUMNS
        for check in inspector.get_check_constraints(table)
    }


def _revision() -> str:
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_known_states_are_kept_and_the_database_refuses_others(app_before_checks):
    rows = _rows_in_every_state_machine()
    upgrade()

    assert _checks() == {f"ck_{table}_{column}" for table, column in STATE_COLUMNS}
    for (table, column), (row_id, state) in rows.items():
        assert _state(table, column, row_id) == state
        with pytest.raises(IntegrityError):
            db.session.execute(
                text(f"UPDATE {table} SET {column} = 'lost' WHERE id = :id"), {"id": row_id}
            )
        db.session.rollback()

    # Going back removes the checks and nothing else.
    downgrade(revision="0007")
    assert _checks() == set()
    for (table, column), (row_id, state) in rows.items():
        assert _state(table, column, row_id) == state


def test_models_read_their_states_back_as_members(app_before_checks):
    rows = _rows_in_every_state_machine()
    upgrade()
    db.session.expire_all()
    meeting = db.session.get(Meeting, rows[("meeting", "status")][0])
    assert meeting.status is MeetingStatus.CANCELLED and meeting.is_cancelled
    assert meeting.status.label == "Cancelled"
    run = db.session.get(ScheduleRun, rows[("schedule_run", "status")][0])
    assert run.status is RunStatus.APPLIED and not run.is_draft and run.has_result


def test_an_unknown_state_stops_init_db_and_changes_nothing(app_before_checks, database_url):
    rows = _rows_in_every_state_machine()
    meeting_id = rows[("meeting", "status")][0]
    run_id = rows[("schedule_run", "status")][0]
    db.session.execute(
        text("UPDATE meeting SET status = 'confirmed' WHERE id = :id"), {"id": meeting_id}
    )
    db.session.execute(
        text("UPDATE schedule_run SET status = 'paused' WHERE id = :id"), {"id": run_id}
    )
    db.session.commit()
    db.session.remove()

    done = subprocess.run(
        [*FLASK, "init-db"],
        env=server_env(database_url),
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "Error:" in line]
    assert len(errors) == 1, done.stderr
    assert (
        f"meeting.status 'confirmed' (1 row: id {meeting_id}; allowed: active, cancelled)"
        in errors[0]
    )
    assert f"schedule_run.status 'paused' (1 row: id {run_id};" in errors[0]
    assert "nothing was changed" in errors[0]
    assert _revision() == "0007"
    assert _checks() == set()
    assert _state("meeting", "status", meeting_id) == "confirmed"
    assert _state("schedule_run", "status", run_id) == "paused"

    # Once someone corrects the rows, the upgrade goes through.
    db.session.execute(
        text("UPDATE meeting SET status = 'cancelled' WHERE id = :id"), {"id": meeting_id}
    )
    db.session.execute(
        text("UPDATE schedule_run SET status = 'failed' WHERE id = :id"), {"id": run_id}
    )
    db.session.commit()
    upgrade()
    assert _revision() > "0007"  # past the state checks, up to the newest revision
    assert len(_checks()) == len(STATE_COLUMNS)
