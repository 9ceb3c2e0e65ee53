"""What the organiser's printouts show: who sits at each table when, and each day's whole
schedule (tables down, slots across). Both show the current schedule, published or not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingStatus
from partnering.scheduling.grid import slots_by_day


@dataclass(frozen=True)
class TableSheet:
    table: Table
    days: list[tuple[date, list[tuple[Slot, Meeting | None]]]]


@dataclass(frozen=True)
class DaySheet:
    """One session of a day (tables down, its slots across): a whole day's slots across one
    A4 sheet leave each cell too narrow for a name."""

    day: date
    slots: list[Slot]
    rows: list[tuple[Table, list[Meeting | None]]]


def _placed(event: Event) -> dict[tuple[int, int], Meeting]:
    meetings = db.session.execute(
        db.select(Meeting).filter(
            Meeting.event_id == event.id,
            Meeting.status == MeetingStatus.ACTIVE,
            Meeting.slot_id.is_not(None),
            Meeting.table_id.is_not(None),
        )
    ).scalars()
    return {(m.table_id, m.slot_id): m for m in meetings}


def _tables_in_use(event: Event, placed: dict[tuple[int, int], Meeting]) -> list[Table]:
    used = {table_id for table_id, _ in placed}
    return [t for t in event.tables if t.id in used]


def table_sheets(event: Event) -> list[TableSheet]:
    """One sheet per table that holds a meeting."""
    placed = _placed(event)
    by_day = slots_by_day(event)
    return [
        TableSheet(
            table,
            [
                (day, [(slot, placed.get((table.id, slot.id))) for slot in slots])
                for day, slots in by_day.items()
            ],
        )
        for table in _tables_in_use(event, placed)
    ]


def day_sheet(event: Event) -> list[DaySheet]:
    """A sheet per session of each day (slots outside any session share their day's)."""
    placed = _placed(event)
    tables = _tables_in_use(event, placed)
    return [
        DaySheet(
            day,
            slots,
            [(table, [placed.get((table.id, slot.id)) for slot in slots]) for table in tables],
        )
        for day, day_slots in slots_by_day(event).items()
        for slots in _by_session(day_slots)
    ]


def _by_session(slots: list[Slot]) -> list[list[Slot]]:
    """Consecutive slots of one session together, in time order."""
    groups: list[list[Slot]] = []
    for slot in slots:
        if groups and groups[-1][-1].session_id == slot.session_id:
            groups[-1].append(slot)
        else:
            groups.append([slot])
    return groups
