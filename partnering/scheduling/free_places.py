"""Where a new meeting of some people could go: the slots in which all of them are available
and in no other meeting, each with its free tables (not taken, not hidden, enough seats, and
one of their booths when someone has a booth). The organiser picks one; placing it checks it
again with every hard rule of the schedule (scheduling.edits)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingStatus, meeting_participant
from partnering.registrations.models import Participant, unavailable_slot


@dataclass(frozen=True)
class FreeSlot:
    slot: Slot
    tables: list[Table]


def common_free_places(event: Event, people: list[Participant]) -> list[FreeSlot]:
    """In time order; only slots with at least one free table. A fixed number of queries."""
    ids = [p.id for p in people]
    busy = set(
        db.session.execute(
            select(meeting_participant.c.slot_id).where(
                meeting_participant.c.participant_id.in_(ids),
                meeting_participant.c.slot_id.is_not(None),
            )
        ).scalars()
    )
    busy |= set(
        db.session.execute(
            select(unavailable_slot.c.slot_id).where(unavailable_slot.c.participant_id.in_(ids))
        ).scalars()
    )
    taken = set(
        db.session.execute(
            select(Meeting.slot_id, Meeting.table_id).where(
                Meeting.event_id == event.id,
                Meeting.status == MeetingStatus.ACTIVE,
                Meeting.slot_id.is_not(None),
                Meeting.table_id.is_not(None),
            )
        ).tuples()
    )
    booths = {p.booth_table_id for p in people if p.booth_table_id is not None}
    tables = [
        t
        for t in event.tables
        if not t.hidden
        and (t.seats is None or t.seats >= len(people))
        and (not booths or t.id in booths)
    ]
    places = []
    for slot in sorted(event.slots, key=lambda s: (s.start, s.id)):
        if slot.id in busy:
            continue
        free = [t for t in tables if (slot.id, t.id) not in taken]
        if free:
            places.append(FreeSlot(slot, free))
    return places
