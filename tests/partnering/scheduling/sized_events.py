"""The same event at two sizes, the second ten times the first, and a statement counter: tests
of bulk actions compare their SQL statements at both sizes and fail when the count grows with
the event (one query per row)."""

from __future__ import annotations

from datetime import date

from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest

SMALL, LARGE = 10, 100
TOLERANCE = 2
DAYS = (date(2030, 1, 24), date(2030, 1, 25))


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
