"""A participant's Today page: where they are expected now and next, read from their published
meetings and the app's clock, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from partnering.attendance.models import CheckIn, NoShow, NoShowStatus
from partnering.attendance.operations import check_in_of, event_day
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from partnering.scheduling.people import placed_meetings


@dataclass(frozen=True)
class Entry:
    """One of today's meetings, and what the clock and the no-show marks say of it."""

    meeting: Meeting
    now: datetime
    no_show: NoShow | None

    @property
    def started(self) -> bool:
        return self.meeting.slot.start <= self.now

    @property
    def in_progress(self) -> bool:
        return self.started and self.now < self.meeting.slot.end


@dataclass(frozen=True)
class Today:
    now: datetime
    day: date | None
    """Today, when it is a day of the event; None otherwise."""
    check_in: CheckIn | None
    earlier: list[Entry] = field(default_factory=list)
    """Meetings of today that have ended."""
    next: Entry | None = None
    """The meeting going on, else the next one to come."""
    later: list[Entry] = field(default_factory=list)
    next_day: date | None = None
    """The next day of the event, when today is none of its days."""


def today_of(event: Event, participant: Participant, now: datetime) -> Today:
    day = event_day(event, now)
    if day is None:
        coming = [d for d in event.days if d > event.local(now).date()]
        return Today(now, None, None, next_day=coming[0] if coming else None)
    meetings = [
        m
        for m in placed_meetings(participant, published_only=True)
        if m.is_active and event.local(m.slot.start).date() == day
    ]
    marks = _standing_marks(meetings)
    entries = [Entry(m, now, marks.get(m.id)) for m in meetings]
    earlier = [e for e in entries if e.meeting.slot.end <= now]
    coming = [e for e in entries if e.meeting.slot.end > now]
    return Today(
        now,
        day,
        check_in_of(participant, day),
        earlier=earlier,
        next=coming[0] if coming else None,
        later=coming[1:],
    )


def _standing_marks(meetings: list[Meeting]) -> dict[int, NoShow]:
    if not meetings:
        return {}
    rows = db.session.execute(
        db.select(NoShow).filter(
            NoShow.meeting_id.in_([m.id for m in meetings]),
            NoShow.status == NoShowStatus.MARKED,
        )
    ).scalars()
    slot_of = {m.id: m.slot_id for m in meetings}
    return {mark.meeting_id: mark for mark in rows if slot_of[mark.meeting_id] == mark.slot_id}
