"""The review grid: for one day, tables down and slots across, a meeting per cell; the
current schedule (each meeting marked when its place breaks a rule now, or changed since
publishing) or a run's draft; and where a picked meeting may legally go.

Large events page the tables (TABLES_PER_PAGE per page); filters by participant or organisation
keep only the rows and cells that concern them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Select

from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.loading import meeting_details
from partnering.meetings.models import Meeting, MeetingStatus, meeting_participant, meeting_ref
from partnering.registrations.loading import shown_person
from partnering.registrations.models import Participant
from partnering.scheduling.edits import NOT_IN_SCHEDULE, describe, rules_for_event
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.naming import Namer, refs_in
from partnering.scheduling.placement import (
    EventRows,
    current_placement,
    schedule_from_placement,
)
from partnering.scheduling.problem import problem_around, problem_for_event
from scheduler import check, schedule_from_dict

TABLES_PER_PAGE = 40


@dataclass(frozen=True)
class Cell:
    meeting: Meeting
    changed: bool
    """The current schedule: placed after the last publication, participants do not see it
    there yet. A draft: the draft puts it somewhere else than the current schedule."""
    conflicts: tuple[str, ...] = ()
    """The hard rules its place breaks now (someone became unavailable since), in words."""


@dataclass(frozen=True)
class Row:
    table: Table
    booth_of: list[Participant]
    cells: list[Cell | None]


@dataclass(frozen=True)
class Grid:
    days: list[date]
    day: date
    slots: list[Slot]
    rows: list[Row]
    page: int
    pages: int
    meetings_shown: int
    draft: ScheduleRun | None = None
    """The draft shown instead of the current schedule."""

    @property
    def conflicts(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c is not None and c.conflicts)


def slots_by_day(event: Event) -> dict[date, list[Slot]]:
    out: dict[date, list[Slot]] = {}
    for slot in event.slots:
        out.setdefault(event.local(slot.start).date(), []).append(slot)
    return out


def draft_places(run: ScheduleRun, rows: EventRows) -> dict[int, tuple[int, int]]:
    """Meeting id -> (slot id, table id) of a run's result, for the meetings, slots and tables
    that still exist."""
    out = {}
    for a in schedule_from_dict(run.result).assignments:
        meeting, slot = rows.meetings.get(a.meeting), rows.slots.get(a.slot)
        table = rows.tables.get(a.table)
        if meeting is not None and meeting.is_active and slot is not None and table is not None:
            out[meeting.id] = (slot.id, table.id)
    return out


def build_grid(
    event: Event,
    day: date | None = None,
    *,
    participant_id: int | None = None,
    organisation_id: int | None = None,
    page: int = 1,
    draft: ScheduleRun | None = None,
) -> Grid:
    by_day = slots_by_day(event)
    days = list(by_day)
    day = day if day in by_day else (days[0] if days else date.today())
    slots = by_day.get(day, [])
    column = {s.id: i for i, s in enumerate(slots)}
    filtered = participant_id is not None or organisation_id is not None
    members = None
    if filtered:
        members = db.select(meeting_participant.c.meeting_id).join(
            Participant, Participant.id == meeting_participant.c.participant_id
        )
        members = (
            members.where(Participant.id == participant_id)
            if participant_id is not None
            else members.where(Participant.organisation_id == organisation_id)
        )
    rows = EventRows(event)
    if draft is not None:
        where = {m: p for m, p in draft_places(draft, rows).items() if p[0] in column}
        if members is not None:
            where = {m: p for m, p in where.items() if m in set(db.session.scalars(members))}
        in_use = {table_id for _, table_id in where.values()}
    else:
        placed_today = db.select(Meeting).filter(
            Meeting.event_id == event.id,
            Meeting.status == MeetingStatus.ACTIVE,
            Meeting.slot_id.in_(list(column)),
            Meeting.table_id.is_not(None),
        )
        if members is not None:
            placed_today = placed_today.filter(Meeting.id.in_(members))
        in_use = set(db.session.scalars(placed_today.with_only_columns(Meeting.table_id)))
    # Filtered: only the tables where they meet. Otherwise every table in use, or open.
    tables = [t for t in event.tables if t.id in in_use or (not filtered and not t.hidden)]
    pages = max(1, -(-len(tables) // TABLES_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = tables[(page - 1) * TABLES_PER_PAGE : page * TABLES_PER_PAGE]
    shown_ids = [t.id for t in shown]
    # The meetings and booth holders of the shown tables only: a convention has thousands.
    cells: dict[int, list[Cell | None]] = {}
    if draft is not None:
        ids = [m for m, (_, table_id) in where.items() if table_id in shown_ids]
        placed = db.session.execute(
            db.select(Meeting).filter(Meeting.id.in_(ids)).options(*meeting_details())
        ).scalars()
        for meeting in placed:
            slot_id, table_id = where[meeting.id]
            row = cells.setdefault(table_id, [None] * len(slots))
            moved = (meeting.slot_id, meeting.table_id) != (slot_id, table_id)
            row[column[slot_id]] = Cell(meeting, moved)
    else:
        shown_today = placed_today.filter(Meeting.table_id.in_(shown_ids))
        placed = db.session.execute(shown_today.options(*meeting_details())).scalars().all()
        published = event.is_published
        conflicts = conflicts_now(event, rows, shown_today.with_only_columns(Meeting.id))
        for meeting in placed:
            row = cells.setdefault(meeting.table_id, [None] * len(slots))
            row[column[meeting.slot_id]] = Cell(
                meeting,
                published and meeting.published_at is None,
                tuple(conflicts.get(meeting.ref, ())),
            )
    booths: dict[int, list[Participant]] = {}
    holders = db.session.execute(
        db.select(Participant)
        .filter(Participant.event_id == event.id, Participant.booth_table_id.in_(shown_ids))
        .options(*shown_person())
    ).scalars()
    for person in holders:
        booths.setdefault(person.booth_table_id, []).append(person)
    grid_rows = [Row(t, booths.get(t.id, []), cells.get(t.id, [None] * len(slots))) for t in shown]
    return Grid(
        days=days,
        day=day,
        slots=slots,
        rows=grid_rows,
        page=page,
        pages=pages,
        meetings_shown=sum(1 for r in grid_rows for c in r.cells if c is not None),
        draft=draft,
    )


def conflicts_now(
    event: Event, rows: EventRows, meetings: Select | None = None
) -> dict[str, list[str]]:
    """Meeting ref -> the hard rules its current place breaks, in words: what changed since
    it was placed (availability, a limit, a table) and a run or a hand edit must repair.
    With `meetings` (a query of meeting ids), for those meetings only, checked on the part of
    the event around them (`problem_around`) rather than on the whole event."""
    if meetings is None:
        problem, wanted = problem_for_event(event), None
    else:
        problem = problem_around(event, meetings)
        wanted = {
            meeting_ref(mid, external)
            for mid, external in db.session.execute(
                db.select(Meeting.id, Meeting.external_ref).filter(Meeting.id.in_(meetings))
            )
        }
    placement = current_placement(problem, rows, part=wanted is not None)
    schedule = schedule_from_placement(problem, placement)
    # "missing" and "fixed" are about the listing of the schedule, not about a meeting's place.
    found = [
        v
        for v in check(problem, schedule)
        if v.rule not in ("missing", "fixed")
        and (wanted is None or any(m in wanted for m in v.meetings))
    ]
    if not found:
        return {}
    # Names for the meetings and people concerned only: naming every meeting loads everyone.
    named = {m for v in found for m in v.meetings if m in problem.meeting_by_id}
    people = {p for v in found for p in v.participants}
    people.update(p for m in named for p in problem.meeting_by_id[m].participants)
    concerned = replace(
        problem,
        meetings=tuple(m for m in problem.meetings if m.id in named),
        participants=tuple(p for p in problem.participants if p.id in people),
    )
    namer = Namer(concerned, rows)
    namer.prefetch(ref for v in found for ref in refs_in(v.message))
    out: dict[str, list[str]] = {}
    for violation in found:
        for meeting_id in violation.meetings:
            if wanted is None or meeting_id in wanted:
                text = describe(violation, concerned, rows, namer)
                out.setdefault(meeting_id, []).append(text)
    return out


def taken_out_since_publishing(event: Event) -> list[Meeting]:
    """Agreed meetings whose participants were told a time that the schedule no longer gives
    them (they have no place now): no cell shows them, so the grid lists them."""
    if not event.is_published:
        return []
    return list(
        db.session.execute(
            db.select(Meeting)
            .filter(
                Meeting.event_id == event.id,
                Meeting.status == MeetingStatus.ACTIVE,
                Meeting.slot_id.is_(None),
                Meeting.announced_sequence.is_not(None),
            )
            .order_by(Meeting.id)
            .options(*meeting_details())
        ).scalars()
    )


@dataclass(frozen=True)
class LegalCells:
    """Where a meeting may go on one day: every (slot id, table id) a move would be accepted,
    and how many such places each day of the event has."""

    meeting: Meeting
    day: date | None
    cells: list[tuple[int, int]]
    per_day: dict[date, int]
    reason: str
    """Why there is no place at all, when the meeting cannot be moved (else empty)."""

    def as_json(self) -> dict:
        return {
            "meeting": self.meeting.id,
            "day": self.day.isoformat() if self.day else None,
            "cells": [list(cell) for cell in self.cells],
            "days": [
                {"day": d.isoformat(), "label": d.strftime("%a %d %b"), "places": n}
                for d, n in self.per_day.items()
            ],
            "reason": self.reason,
        }


def legal_cells(event: Event, meeting: Meeting, day: date | None = None) -> LegalCells:
    """The places the move operation would accept for the meeting (edits.EditRules, the rule
    it applies), on the given day (the first day by default), and a count for every day."""
    by_day = slots_by_day(event)
    day = day if day in by_day else next(iter(by_day), None)
    if not meeting.is_active:
        return LegalCells(meeting, day, [], {}, "This meeting was cancelled; it cannot be placed.")
    rows = EventRows(event)
    rules = rules_for_event(event, rows)
    if meeting.ref not in rules.problem.meeting_by_id:
        return LegalCells(meeting, day, [], {}, NOT_IN_SCHEDULE)
    per_day, cells = {}, []
    for each, slots in by_day.items():
        places = rules.legal_places(meeting.ref, [s.ref for s in slots])
        per_day[each] = len(places)
        if each == day:
            cells = [(rows.slots[s].id, rows.tables[t].id) for s, t in places]
    return LegalCells(meeting, day, cells, per_day, "")
