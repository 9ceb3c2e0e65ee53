"""One participant's day as a list: meetings in time order with the idle gaps between them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.meetings.loading import meeting_details
from partnering.meetings.models import Meeting, MeetingStatus, meeting_participant
from partnering.registrations.models import Participant
from partnering.scheduling.grid import slots_by_day


@dataclass(frozen=True)
class Gap:
    """Free slots between two meetings of the same day."""

    slots: list[Slot]


@dataclass(frozen=True)
class Day:
    day: date
    entries: list[Meeting | Gap]

    @property
    def gaps(self) -> int:
        return sum(1 for e in self.entries if isinstance(e, Gap))

    @property
    def meetings(self) -> list[Meeting]:
        return [e for e in self.entries if isinstance(e, Meeting)]


def request_messages(agenda: list[Day]) -> dict[int, list]:
    """Per meeting id of the agenda, the requests that led to it and carry a message."""
    return {
        meeting.id: [r for r in meeting.requests if r.message]
        for day in agenda
        for meeting in day.meetings
    }


def placed_meetings(participant: Participant, *, published_only: bool = False) -> list[Meeting]:
    """The participant's meetings that have a slot and a table, in time order: the active ones,
    or with `published_only` what participants are shown (published, cancelled ones included)."""
    query = (
        db.select(Meeting)
        .join(meeting_participant, meeting_participant.c.meeting_id == Meeting.id)
        .filter(
            meeting_participant.c.participant_id == participant.id,
            Meeting.slot_id.is_not(None),
            Meeting.table_id.is_not(None),
        )
        .options(*meeting_details())
    )
    if published_only:
        query = query.filter(Meeting.published_at.is_not(None))
    else:
        query = query.filter(Meeting.status == MeetingStatus.ACTIVE)
    return sorted(db.session.execute(query).scalars(), key=lambda m: (m.slot.start, m.id))


def published_meetings_of(participant_ids: list[int]) -> dict[int, list[Meeting]]:
    """`placed_meetings(p, published_only=True)` for many participants at once: participant id
    -> their published meetings (cancelled ones included) in time order, in one query with the
    loads of meeting_details."""
    if not participant_ids:
        return {}
    mp = meeting_participant
    rows = db.session.execute(
        db.select(mp.c.participant_id, Meeting)
        .join(Meeting, Meeting.id == mp.c.meeting_id)
        .where(
            mp.c.participant_id.in_(participant_ids),
            Meeting.slot_id.is_not(None),
            Meeting.table_id.is_not(None),
            Meeting.published_at.is_not(None),
        )
        .options(*meeting_details())
    ).all()
    found: dict[int, list[Meeting]] = {i: [] for i in participant_ids}
    for participant_id, meeting in rows:
        found[participant_id].append(meeting)
    for meetings in found.values():
        meetings.sort(key=lambda m: (m.slot.start, m.id))
    return found


def agenda_of(event: Event, participant: Participant, *, published_only: bool = False) -> list[Day]:
    """The participant's scheduled meetings per day, with gaps; `published_only` keeps what
    participants are shown (published meetings, cancelled ones included)."""
    # An active meeting wins a slot over one cancelled there earlier.
    found = sorted(
        placed_meetings(participant, published_only=published_only),
        key=lambda m: m.is_active,
    )
    at = {m.slot_id: m for m in found}
    days = []
    for day, slots in slots_by_day(event).items():
        entries: list[Meeting | Gap] = []
        free: list[Slot] = []
        for slot in slots:
            meeting = at.get(slot.id)
            if meeting is None or not meeting.is_active and not published_only:
                free.append(slot)
                continue
            if free and entries:
                entries.append(Gap(free))
            free = []
            entries.append(meeting)
        if entries:
            days.append(Day(day, entries))
    return days
