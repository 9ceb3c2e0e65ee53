"""The numbers behind the schedule's charts and their geometry, drawn as inline SVG by the
template (no library): meetings per participant (histogram), table use per slot (heat map),
requests per day. The template only prints what is measured here."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func

from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    meeting_participant,
)
from partnering.scheduling.grid import draft_places, slots_by_day
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.placement import EventRows
from partnering.scheduling.problem import schedulable_meetings
from partnering.scheduling.review import draft_figures

Places = dict[int, tuple[int, int]]
"""Meeting id -> (slot id, table id)."""


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


CHART_WIDTH, CHART_HEIGHT = 600, 160
LABEL_WIDTH = 45
"""About the width of a bar's label: a label every few bars, so that labels never overlap."""
SIDE_MARGIN = 25
"""Room either side for half a label under the first and the last bar."""
BAR_MARGIN = 2
HEAT_LEVELS = 20
"""The heat map's shades: `heat-0` (no table in use) to `heat-20` (every open table)."""


@dataclass(frozen=True)
class DrawnBar:
    """A bar in the chart's SVG units (y grows downwards)."""

    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    label_x: float
    labelled: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[DrawnBar]
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    margin: int = SIDE_MARGIN


def bar_chart(bars: list[Bar]) -> BarChart:
    """The bars scaled to the tallest, side by side across the chart's width."""
    peak = Charts.peak(bars)
    slot = CHART_WIDTH / (len(bars) or 1)
    step = max(math.ceil(LABEL_WIDTH * (len(bars) or 1) / CHART_WIDTH), 1)
    drawn = []
    for k, bar in enumerate(bars):
        height = round(bar.value / peak * CHART_HEIGHT, 1)
        drawn.append(
            DrawnBar(
                label=bar.label,
                value=bar.value,
                x=round(k * slot + BAR_MARGIN, 1),
                y=CHART_HEIGHT - height,
                width=round(slot - 2 * BAR_MARGIN, 1),
                height=height,
                label_x=round(k * slot + slot / 2, 1),
                labelled=k % step == 0,
            )
        )
    return BarChart(drawn, peak)


@dataclass(frozen=True)
class HeatCell:
    slot: Slot
    used: int
    """Tables in use."""
    share: float
    """Share of the open tables in use, 0 to 1."""

    @property
    def level(self) -> int:
        return round(self.share * HEAT_LEVELS)

    @property
    def dark(self) -> bool:
        """Whether the shade is dark enough to need light text."""
        return self.share > 0.5


@dataclass(frozen=True)
class HeatRow:
    day: date
    cells: list[HeatCell]


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

    @property
    def meetings_chart(self) -> BarChart:
        return bar_chart(self.meetings_per_participant)

    @property
    def requests_chart(self) -> BarChart:
        return bar_chart(self.requests_per_day)


def build_charts(event: Event, draft: ScheduleRun | None = None) -> Charts:
    """The charts of the current schedule, or of a run's draft (requests are the same)."""
    places = draft_places(draft, EventRows(event)) if draft is not None else None
    return Charts(
        meetings_per_participant=_histogram(event, draft),
        table_use=_table_use(event, places),
        open_tables=sum(1 for t in event.tables if not t.hidden),
        requests_per_day=_requests(event),
    )


def _histogram(event: Event, draft: ScheduleRun | None) -> list[Bar]:
    """How many people have 0, 1, 2... scheduled meetings, counted as the overview counts them
    (the solver's figures of the current schedule, or of the draft): everyone with an agreed
    meeting."""
    if draft is None:
        per_count = scheduled_per_participant(event)
    else:
        per_count = Counter(draft_figures(draft).scheduled_by_participant.values())
    top = max(per_count, default=-1)
    return [Bar(str(n), per_count.get(n, 0)) for n in range(top + 1)]


def scheduled_per_participant(event: Event) -> Counter[int]:
    """Scheduled meetings -> how many participants have that many, for everyone in a meeting
    of the event's problem: the figures' `scheduled_by_participant`, counted in the database
    (one GROUP BY) rather than on the whole problem."""
    placed = case((Meeting.slot_id.is_not(None) & Meeting.table_id.is_not(None), 1), else_=0)
    per_person = (
        db.select(meeting_participant.c.participant_id, func.sum(placed).label("scheduled"))
        .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
        .filter(Meeting.id.in_(schedulable_meetings(event, Meeting.id)))
        .group_by(meeting_participant.c.participant_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(per_person.c.scheduled, func.count()).group_by(per_person.c.scheduled)
    )
    return Counter({int(scheduled): people for scheduled, people in rows})


def _table_use(event: Event, places: Places | None) -> list[HeatRow]:
    if places is not None:
        in_use = Counter(slot_id for slot_id, _ in places.values())
    else:
        in_use = _tables_in_use(event)
    capacity = max(1, sum(1 for t in event.tables if not t.hidden))
    return [
        HeatRow(
            day,
            [
                HeatCell(s, in_use.get(s.id, 0), min(1.0, in_use.get(s.id, 0) / capacity))
                for s in slots
            ],
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
