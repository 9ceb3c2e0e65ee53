"""The numbers behind the schedule's charts, drawn as inline SVG by the template (no library):
meetings per participant (histogram), table use per slot (heat map), requests per day."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, MeetingStatus
from partnering.scheduling.grid import slots_by_day
from partnering.scheduling.review import schedule_state


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
    """How many participants with an agreed meeting (value) have n scheduled ones (label)."""
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
    """How many people have 0, 1, 2... scheduled meetings, counted as the overview counts them
    (the solver's figures of the current schedule): everyone with an agreed meeting."""
    served = schedule_state(event).figures.scheduled_by_participant
    per_count = Counter(served.values())
    top = max(per_count, default=-1)
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
