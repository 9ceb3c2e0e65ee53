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
from partnering.scheduling.grid import slots_by_day


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


def build_charts(event: Event) -> Charts:
    return Charts(
        meetings_per_participant=_histogram(event),
        table_use=_table_use(event),
        open_tables=sum(1 for t in event.tables if not t.hidden),
        requests_per_day=_requests(event),
    )


def _histogram(event: Event) -> list[Bar]:
    scheduled = Counter(
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
    people = db.session.execute(
        db.select(Participant.id).filter_by(
            event_id=event.id, status=RegistrationStatus.APPROVED, role="participant"
        )
    ).scalars()
    per_count = Counter(scheduled.get(pid, 0) for pid in people)
    top = max(per_count, default=0)
    return [Bar(str(n), per_count.get(n, 0)) for n in range(top + 1)]


def _table_use(event: Event) -> list[HeatRow]:
    in_use = dict(
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
    capacity = max(1, sum(1 for t in event.tables if not t.hidden))
    return [
        HeatRow(
            day, [(s, in_use.get(s.id, 0), min(1.0, in_use.get(s.id, 0) / capacity)) for s in slots]
        )
        for day, slots in slots_by_day(event).items()
    ]


def _requests(event: Event) -> list[Bar]:
    created = db.session.execute(
        db.select(MeetingRequest.created_at).filter_by(event_id=event.id)
    ).scalars()
    per_day = Counter(event.local(instant).date() for instant in created)
    return [Bar(day.strftime("%d %b"), per_day[day]) for day in sorted(per_day)]
