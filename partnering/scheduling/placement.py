"""Where the database's meetings are, in the solver's terms.

The problem built from an event names slots, tables, participants and meetings by their `ref`;
`EventRows` maps those ids back to rows, and `current_schedule` reads the placed meetings as a
`Schedule` of that problem, so the same checks and figures apply to the database as to a run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import or_
from sqlalchemy.orm import joinedload, selectinload

from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingStatus, meeting_participant, meeting_ref
from partnering.planner_statistics import refresh_statistics
from partnering.registrations.loading import shown_person
from partnering.registrations.models import Participant
from scheduler import Assignment, Problem, Schedule, Unscheduled

Place = tuple[str, str]
"""(slot id, table id) in a problem's terms."""


@dataclass
class EventRows:
    """An event's rows by the ids its problem gives them."""

    event: Event

    @cached_property
    def slots(self) -> dict[str, Slot]:
        return {s.ref: s for s in self.event.slots}

    @cached_property
    def tables(self) -> dict[str, Table]:
        return {t.ref: t for t in self.event.tables}

    @cached_property
    def meetings(self) -> dict[str, Meeting]:
        rows = db.session.execute(
            db.select(Meeting)
            .filter_by(event_id=self.event.id)
            .order_by(Meeting.id)
            .options(
                joinedload(Meeting.slot),
                joinedload(Meeting.table),
                *shown_person(selectinload(Meeting.participants)),
            )
        ).scalars()
        return {m.ref: m for m in rows}

    @cached_property
    def participants(self) -> dict[str, Participant]:
        rows = db.session.execute(
            db.select(Participant).filter_by(event_id=self.event.id).options(*shown_person())
        ).scalars()
        return {p.ref: p for p in rows}

    def meetings_by_ref(self, refs: Iterable[str]) -> dict[str, Meeting]:
        """The event's meetings of these ids, loaded as `meetings` loads them, in one query:
        for a page that shows a few of a convention's thousands."""
        refs = set(refs)
        if not refs:
            return {}
        rows = db.session.execute(
            db.select(Meeting)
            .filter(Meeting.event_id == self.event.id, _with_ref(Meeting, "m", refs))
            .options(
                joinedload(Meeting.slot),
                joinedload(Meeting.table),
                *shown_person(selectinload(Meeting.participants)),
            )
        ).scalars()
        return {m.ref: m for m in rows if m.ref in refs}

    def participants_by_ref(self, refs: Iterable[str]) -> dict[str, Participant]:
        """The event's participants of these ids, loaded as `participants` loads them, in one
        query."""
        refs = set(refs)
        if not refs:
            return {}
        rows = db.session.execute(
            db.select(Participant)
            .filter(Participant.event_id == self.event.id, _with_ref(Participant, "p", refs))
            .options(*shown_person())
        ).scalars()
        return {p.ref: p for p in rows if p.ref in refs}

    def stored_places(self, refs: Collection[str] | None = None) -> dict[str, Place]:
        """Meeting id -> place of the event's placed active meetings (of `refs`, when given),
        read as columns: the answer `place_of` gives for every meeting without loading one
        (thousands of rows with their people at a convention). Not cached: a caller may have
        moved meetings since, and the query sees them (the session flushes first)."""
        slots = {s.id: s.ref for s in self.event.slots}
        tables = {t.id: t.ref for t in self.event.tables}
        query = db.select(
            Meeting.id, Meeting.external_ref, Meeting.slot_id, Meeting.table_id
        ).where(
            Meeting.event_id == self.event.id,
            Meeting.status == MeetingStatus.ACTIVE,
            Meeting.slot_id.is_not(None),
            Meeting.table_id.is_not(None),
        )
        if refs is not None:
            query = query.where(_with_ref(Meeting, "m", refs))
        rows = db.session.execute(query)
        return {
            meeting_ref(meeting_id, external_ref): (slots[slot_id], tables[table_id])
            for meeting_id, external_ref, slot_id, table_id in rows
        }

    def place_of(self, meeting: Meeting) -> Place | None:
        if not meeting.is_placed or not meeting.is_active:
            return None
        return (meeting.slot.ref, meeting.table.ref)


def _with_ref(model, prefix: str, refs: Collection[str]):
    """The rows of `model` whose `ref` is among `refs`: an external reference, or the
    generated `prefix` + id of a row without one."""
    ids = [int(ref[1:]) for ref in refs if ref[:1] == prefix and ref[1:].isdigit()]
    return or_(model.external_ref.in_(refs), model.external_ref.is_(None) & model.id.in_(ids))


def current_placement(problem: Problem, rows: EventRows, part: bool = False) -> dict[str, Place]:
    """Meeting id -> place, for the problem's meetings that the database has placed; with
    `part` (a problem of part of the event), reading only those meetings."""
    places = rows.stored_places(problem.meeting_by_id.keys() if part else None)
    return {m: places[m] for m in problem.meeting_by_id if m in places}


def schedule_from_placement(problem: Problem, placement: dict[str, Place]) -> Schedule:
    """Every meeting of the problem once: placed ones as assignments, the rest unscheduled."""
    return Schedule(
        assignments=tuple(
            Assignment(m.id, *placement[m.id]) for m in problem.meetings if m.id in placement
        ),
        unscheduled=tuple(Unscheduled(m.id, "") for m in problem.meetings if m.id not in placement),
    )


def current_schedule(problem: Problem, rows: EventRows) -> Schedule:
    return schedule_from_placement(problem, current_placement(problem, rows))


def refresh_placement_statistics() -> None:
    """After placing or publishing a whole schedule at once: PostgreSQL would otherwise keep
    believing almost no meeting placed, and read every placed meeting of the event to find one
    participant's few (the agenda, its calendar, the export)."""
    refresh_statistics([Meeting.__table__, meeting_participant])
