"""A bulk job issues a number of SQL statements that does not grow with the number of people or
emails it handles: the same action at two sizes, the second ten times the first, counted with
the engine's `before_cursor_execute` event (an executemany counts once, as it is one round
trip)."""

from __future__ import annotations

import pytest

from partnering.bulk import runner
from partnering.bulk.operations import start_decisions, start_resend_failed
from partnering.events.models import Event
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.outbox.operations import queue_email
from partnering.registrations.models import Participant

SMALL, LARGE = 10, 100

# Jobs are queued, not run inline: each counted action runs its job itself.
pytestmark = pytest.mark.usefixtures("queue")


def build(create_event, create_participant, size: int) -> tuple[int, list[int]]:
    event = create_event(slug=f"size-{size}")
    people = [
        create_participant(event, name=f"Person {size}-{i}", status="pending") for i in range(size)
    ]
    for i in range(size):
        row = queue_email(f"p{size}-{i}@example.org", "Agenda", "Hi", event_id=event.id)
        row.status, row.last_error = "failed", "550 mailbox unavailable"
    db.session.commit()
    return event.id, [p.id for p in people]


@pytest.fixture
def sized(create_event, create_participant):
    return [build(create_event, create_participant, size) for size in (SMALL, LARGE)]


def test_deciding_many_registrations_does_not_query_per_person(count_statements, sized):
    counts = []
    for event_id, ids in sized:

        def decide(event_id=event_id, ids=ids):
            job = start_decisions(db.session.get(Event, event_id), None, ids, "approved")
            runner.execute_job(job.id)

        counts.append(count_statements(decide))
        approved = db.session.scalar(
            db.select(db.func.count(Participant.id)).filter_by(event_id=event_id, status="approved")
        )
        assert approved == len(ids)
    assert counts[0] == counts[1], counts


def test_resending_many_failed_emails_does_not_query_per_email(count_statements, sized):
    counts = []
    for event_id, ids in sized:

        def resend(event_id=event_id, ids=ids):
            job = start_resend_failed(db.session.get(Event, event_id), None, len(ids))
            runner.execute_job(job.id)

        counts.append(count_statements(resend))
        waiting = db.session.scalar(
            db.select(db.func.count(OutboxMessage.id)).filter_by(
                event_id=event_id, status="waiting"
            )
        )
        assert waiting == len(ids)
    assert counts[0] == counts[1], counts
