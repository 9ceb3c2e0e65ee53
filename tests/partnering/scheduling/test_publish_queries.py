"""Publishing issues a number of SQL statements that does not grow with the event: its database
part is a handful of set-based statements, and the emails are built in batches with everything
they show loaded up front.

The same event is built at two sizes, the second ten times the first; a publication (agendas
to everyone), then a republication after a tenth of the meetings moved and a tenth were taken
out (updates and cancellations) are counted with the engine's `before_cursor_execute` event.
"""

from __future__ import annotations

from collections import Counter

from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.outbox.models import OutboxMessage
from partnering.scheduling import operations, publishing
from tests.partnering.scheduling.sized_events import LARGE, SMALL, TOLERANCE

BATCH = 1000
"""Larger than either event's emails: one batch each, so a count per batch is compared."""


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
