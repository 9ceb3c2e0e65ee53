"""The numbers behind the schedule's charts, drawn as inline SVG by the template (no library):
meetings per participant (histogram), table use per slot (heat map), requests per day."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, MeetingStatus, meeting_participant
from partnering.registrations.models import Participant, RegistrationStatus
from partnering.scheduling.grid import draft_places, slots_by_day
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.placement import EventRows

Places = dict[int, tuple[int, int]]
"""Meeting id -> (slot id, table id)."""


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


@dataclass(frozen=True)
class HeatRow:
    day: date
    cells: list[tuple[Slot, int, float]]
    """(slot, tables in use, share of the open tables)."""


@dataclass(frozen=True)
class Charts:
    meetings_per_participant: list[Bar]
    """How many participants (value) have n scheduled meetings (label)."""
    table_use: list[HeatRow]
    open_tables: int
    requests_per_day: list[Bar]

    @staticmethod
    def peak(bars: list[Bar]) -> int:
        return max((b.value for b in bars), default=0) or 1


def build_charts(event: Event, draft: ScheduleRun | None = None) -> Charts:
    """The charts of the current schedule, or of a run's draft (requests are the same)."""
    places = draft_places(draft, EventRows(event)) if draft is not None else None
    return Charts(
        meetings_per_participant=_histogram(event, places),
        table_use=_table_use(event, places),
        open_tables=sum(1 for t in event.tables if not t.hidden),
        requests_per_day=_requests(event),
    )


def _histogram(event: Event, places: Places | None) -> list[Bar]:
    scheduled = _scheduled_counts(event) if places is None else _draft_counts(event, places)
    people = db.session.execute(
        db.select(Participant.id).filter_by(
            event_id=event.id, status=RegistrationStatus.APPROVED, role="participant"
        )
    ).scalars()
    per_count = Counter(scheduled.get(pid, 0) for pid in people)
    top = max(per_count, default=0)
    return [Bar(str(n), per_count.get(n, 0)) for n in range(top + 1)]


def _draft_counts(event: Event, places: Places) -> Counter:
    """Participant id -> meetings the draft places for them."""
    pairs = db.session.execute(
        db.select(meeting_participant.c.meeting_id, meeting_participant.c.participant_id)
        .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
        .filter(Meeting.event_id == event.id, Meeting.status == MeetingStatus.ACTIVE)
    ).all()
    return Counter(participant_id for meeting_id, participant_id in pairs if meeting_id in places)


def _scheduled_counts(event: Event) -> Counter:
    """Participant id -> scheduled meetings of the current schedule."""
    return Counter(
        dict(
            db.session.execute(
                db.select(meeting_participant.c.participant_id, db.func.count())
                .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
                .filter(
                    Meeting.event_id == event.id,
                    Meeting.status == MeetingStatus.ACTIVE,
                    Meeting.slot_id.is_not(None),
                )
                .group_by(meeting_participant.c.participant_id)
            ).all()
        )
    )


def _table_use(event: Event, places: Places | None) -> list[HeatRow]:
    if places is not None:
        in_use = Counter(slot_id for slot_id, _ in places.values())
    else:
        in_use = _tables_in_use(event)
    capacity = max(1, sum(1 for t in event.tables if not t.hidden))
    return [
        HeatRow(
            day, [(s, in_use.get(s.id, 0), min(1.0, in_use.get(s.id, 0) / capacity)) for s in slots]
        )
        for day, slots in slots_by_day(event).items()
    ]


def _tables_in_use(event: Event) -> dict[int, int]:
    """Slot id -> tables in use in the current schedule."""
    return dict(
        db.session.execute(
            db.select(Meeting.slot_id, db.func.count())
            .filter(
                Meeting.event_id == event.id,
                Meeting.status == MeetingStatus.ACTIVE,
                Meeting.slot_id.is_not(None),
                Meeting.table_id.is_not(None),
            )
            .group_by(Meeting.slot_id)
        ).all()
    )


def _requests(event: Event) -> list[Bar]:
    created = db.session.execute(
        db.select(MeetingRequest.created_at).filter_by(event_id=event.id)
    ).scalars()
    per_day = Counter(event.local(instant).date() for instant in created)
    return [Bar(day.strftime("%d %b"), per_day[day]) for day in sorted(per_day)]
