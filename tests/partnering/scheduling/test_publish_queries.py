"""Publishing issues a number of SQL statements that does not grow with the event: its database
part is a handful of set-based statements, and the emails are built in batches with everything
they show loaded up front.

The same event is built at two sizes, the second ten times the first; a publication (agendas
to everyone), then a republication after a tenth of the meetings moved and a tenth were taken
out (updates and cancellations) are counted with the engine's `before_cursor_execute` event.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import event as sa_event

from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.outbox.models import OutboxMessage
from partnering.scheduling import operations, publishing

SMALL, LARGE = 10, 100
TOLERANCE = 2
DAYS = (date(2030, 1, 24), date(2030, 1, 25))
BATCH = 1000
"""Larger than either event's emails: one batch each, so a count per batch is compared."""


def build(create_event, create_participant, size: int):
    """`size` people of organisations of two, each in two meetings (a pair on day 1 and a pair
    with the next person on day 2), every meeting placed and with the accepted request and its
    message behind it."""
    event = create_event(slug=f"size-{size}", tables=size, days=DAYS)
    people = [
        create_participant(event, name=f"Person {size}-{i}", organisation=f"Org {i // 2}")
        for i in range(size)
    ]
    day1, day2 = event.slots[:12], event.slots[12:]
    for i in range(size):
        a, b = people[i], people[(i + 1) % size]
        slot = day1[0] if i % 2 == 0 else day2[0]  # nobody's two meetings on one day
        meeting = Meeting(
            event_id=event.id, participants=[a, b], slot=slot, table=event.tables[i // 2]
        )
        db.session.add(meeting)
        db.session.flush()
        db.session.add(
            MeetingRequest(
                event_id=event.id,
                sender_id=a.id,
                recipient_id=b.id,
                status="accepted",
                message=f"About assays, {i}",
                meeting_id=meeting.id,
            )
        )
    db.session.commit()
    return event


@pytest.fixture
def sized(create_event, create_participant) -> list[Event]:
    return [build(create_event, create_participant, size) for size in (SMALL, LARGE)]


@pytest.fixture
def count_statements(app):
    """count(action) -> statements issued while `action()` runs."""
    engine = db.engine
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa_event.listen(engine, "before_cursor_execute", record)

    def count(action) -> int:
        db.session.remove()  # start cold: nothing loaded by building the event
        seen.clear()
        action()
        return len(seen)

    yield count
    sa_event.remove(engine, "before_cursor_execute", record)


def publish_counted(count_statements, event_id: int, state: str) -> int:
    def publish():
        event = db.session.get(Event, event_id)
        job = publishing.create_publication(event, None, state)
        publishing.execute_publication(job.id, batch=BATCH)

    return count_statements(publish)


def emails(event_id: int) -> Counter:
    return Counter(
        db.session.execute(db.select(OutboxMessage.kind).filter_by(event_id=event_id)).scalars()
    )


def test_publishing_and_its_emails_cost_the_same_statements_at_ten_times_the_size(
    sized, count_statements
):
    ids = [e.id for e in sized]
    first = [publish_counted(count_statements, i, "preliminary") for i in ids]
    for event_id, size in zip(ids, (SMALL, LARGE), strict=True):
        assert emails(event_id) == {"agenda": size}
    assert first[1] - first[0] <= TOLERANCE, f"first publication: {first}"

    # A tenth of the meetings move, a tenth are taken out: updates and cancellations.
    for event_id in ids:
        event = db.session.get(Event, event_id)
        meetings = db.session.scalars(
            db.select(Meeting).filter_by(event_id=event_id).order_by(Meeting.id)
        ).all()
        tenth = len(meetings) // 10
        free = [s for s in event.slots if s.id not in {m.slot_id for m in meetings}]
        for k, meeting in enumerate(meetings[:tenth]):
            operations.move_meeting(event, meeting, free[k], meeting.table)
        for meeting in meetings[tenth : 2 * tenth]:
            operations.unschedule_meeting(event, meeting)
    again = [publish_counted(count_statements, i, "preliminary") for i in ids]
    for event_id, size in zip(ids, (SMALL, LARGE), strict=True):
        sent = emails(event_id)
        assert sent["update"] == 2 * (size // 10) and sent["cancel"] == 2 * (size // 10)
    assert again[1] - again[0] <= TOLERANCE, f"republication: {again}"
