"""What the organiser reads: a run's result against the current schedule (figures, diff,
unscheduled meetings with reasons) and the current schedule's own figures.

Read-only; ids of the problem are turned back into rows here so templates get names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from partnering.events.models import Event, Slot, Table
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.naming import Namer
from partnering.scheduling.placement import (
    EventRows,
    Place,
    current_placement,
    schedule_from_placement,
)
from partnering.scheduling.problem import problem_for_event
from partnering.scheduling.remedies import remedy
from partnering.scheduling.runs import problem_of
from scheduler import Figures, Problem, figures, reasons, schedule_from_dict


@dataclass(frozen=True)
class Move:
    meeting: Meeting
    before: tuple[Slot, Table] | None
    after: tuple[Slot, Table] | None


@dataclass(frozen=True)
class Left:
    """A meeting left out of a schedule, why, and (where known) what change would let it in."""

    meeting: Meeting
    reason: str
    fix: str = ""


@dataclass
class Diff:
    added: list[Move] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)
    removed: list[Move] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.moved or self.removed)


@dataclass(frozen=True)
class RunReview:
    run: ScheduleRun
    diff: Diff
    unscheduled: list[Left]
    without_meeting: list[Participant]
    new_since: int
    """Agreed meetings the run did not know about (accepted after it started)."""


@dataclass(frozen=True)
class ScheduleState:
    problem: Problem
    rows: EventRows
    placement: dict[str, Place]
    figures: Figures
    unscheduled: list[Left]
    without_meeting: list[Participant]


def _rows_of(rows: EventRows, place: Place | None) -> tuple[Slot, Table] | None:
    return None if place is None else (rows.slots[place[0]], rows.tables[place[1]])


def review_run(run: ScheduleRun) -> RunReview:
    rows = EventRows(run.event)
    problem = problem_of(run)
    result = schedule_from_dict(run.result)
    proposed = {a.meeting: (a.slot, a.table) for a in result.assignments}
    now = current_placement(problem, rows)
    diff = Diff()
    for m in problem.meetings:
        meeting = rows.meetings.get(m.id)
        if meeting is None or not meeting.is_active:
            continue
        before, after = now.get(m.id), proposed.get(m.id)
        change = Move(meeting, _rows_of(rows, before), _rows_of(rows, after))
        if before is None and after is not None:
            diff.added.append(change)
        elif before is not None and after is None:
            diff.removed.append(change)
        elif before != after:
            diff.moved.append(change)
    namer = Namer(problem, rows)
    found = reasons(problem, proposed)
    unscheduled = [
        Left(
            rows.meetings[u.meeting],
            namer.text(u.reason),
            remedy(found[u.meeting], namer) if u.meeting in found else "",
        )
        for u in result.unscheduled
        if u.meeting in rows.meetings
    ]
    current = problem_for_event(run.event)
    new_since = len(set(current.meeting_by_id) - set(problem.meeting_by_id))
    without = [
        rows.participants[p]
        for p in (run.summary or {}).get("result", {}).get("without_meeting", [])
        if p in rows.participants
    ]
    return RunReview(run, diff, unscheduled, without, new_since)


def schedule_state(event: Event) -> ScheduleState:
    """The schedule in the database, judged like a run's result."""
    rows = EventRows(event)
    problem = problem_for_event(event)
    placement = current_placement(problem, rows)
    schedule = schedule_from_placement(problem, placement)
    found = figures(problem, schedule)
    namer = Namer(problem, rows)
    return ScheduleState(
        problem=problem,
        rows=rows,
        placement=placement,
        figures=found,
        unscheduled=[
            Left(rows.meetings[mid], namer.text(reason.text), remedy(reason, namer))
            for mid, reason in reasons(problem, placement).items()
        ],
        without_meeting=[rows.participants[p] for p in found.without_meeting],
    )
