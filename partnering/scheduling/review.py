"""What the organiser reads: a run's result against the current schedule (figures, diff,
unscheduled meetings with reasons) and the current schedule's own figures.

Read-only; ids of the problem are turned back into rows here so templates get names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from partnering.events.models import Event, Slot, Table
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from partnering.scheduling.edits import RULE_LABELS
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.naming import Namer
from partnering.scheduling.placement import (
    EventRows,
    Place,
    current_placement,
    schedule_from_placement,
)
from partnering.scheduling.problem import problem_for_event, schedulable_meeting_ids
from partnering.scheduling.remedies import named_in, remedy
from partnering.scheduling.runs import problem_of
from scheduler import Figures, Problem, check, figures, reasons, schedule_from_dict


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


@dataclass(frozen=True)
class Outcome:
    """What a run did with a fixed meeting it had to release: its new place, or why none."""

    move: Move
    reason: str
    """Why it is left out (empty when it has a new place)."""


@dataclass(frozen=True)
class ShownConflict:
    """A fixed meeting (or several) that could not keep its place, in people's words."""

    rule: str
    what: str
    outcomes: list[Outcome]


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
    conflicts: list[ShownConflict] = field(default_factory=list)
    """Fixed meetings the run found unable to keep their places, and what it did with them."""


@dataclass(frozen=True)
class ScheduleState:
    problem: Problem
    rows: EventRows
    placement: dict[str, Place]
    figures: Figures
    unscheduled: list[Left]
    without_meeting: list[Participant]
    conflicts: list[str] = field(default_factory=list)
    """Rules the placed meetings break now (someone became unavailable, a restored backup),
    in people's words: the next run places those meetings anew."""


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
    new_since = len(schedulable_meeting_ids(run.event) - set(problem.meeting_by_id))
    without = [
        rows.participants[p]
        for p in (run.summary or {}).get("result", {}).get("without_meeting", [])
        if p in rows.participants
    ]
    why_left = {u.meeting: u.reason for u in result.unscheduled}
    conflicts = _conflicts(run, rows, namer, proposed, why_left)
    return RunReview(run, diff, unscheduled, without, new_since, conflicts)


def _fixed_place(rows: EventRows, fixed: list | None) -> tuple[Slot, Table | None] | None:
    """Where a released meeting was fixed; its slot or table may be gone from the event since."""
    if fixed is None or fixed[0] not in rows.slots:
        return None
    return rows.slots[fixed[0]], rows.tables.get(fixed[1])


def _conflicts(
    run: ScheduleRun,
    rows: EventRows,
    namer: Namer,
    proposed: dict[str, Place],
    why_left: dict[str, str],
) -> list[ShownConflict]:
    """The run's conflicts, each with where its meetings were fixed and where they go now."""
    shown = []
    for conflict in (run.summary or {}).get("conflicts", []):
        outcomes = []
        for ref in conflict["meetings"]:
            meeting = rows.meetings.get(ref)
            if meeting is None:
                continue
            move = Move(
                meeting,
                _fixed_place(rows, conflict.get("fixed", {}).get(ref)),
                _rows_of(rows, proposed.get(ref)),
            )
            reason = "" if ref in proposed else namer.text(why_left.get(ref, ""))
            outcomes.append(Outcome(move, reason))
        shown.append(
            ShownConflict(
                RULE_LABELS.get(conflict["rule"], conflict["rule"]),
                namer.text(conflict["message"]),
                outcomes,
            )
        )
    return shown


def schedule_state(event: Event) -> ScheduleState:
    """The schedule in the database, judged like a run's result."""
    rows = EventRows(event)
    problem = problem_for_event(event)
    placement = current_placement(problem, rows)
    schedule = schedule_from_placement(problem, placement)
    found = figures(problem, schedule)
    namer = Namer(problem, rows)
    broken = check(problem, schedule)
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
        conflicts=[f"{RULE_LABELS.get(v.rule, v.rule)}: {namer.text(v.message)}" for v in broken],
    )


UNSCHEDULED_PER_PAGE = 100


@dataclass(frozen=True)
class LeftPage:
    """One page of the meetings a schedule leaves out."""

    left: list[Left]
    total: int
    page: int
    per_page: int = UNSCHEDULED_PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _within(page: int, total: int) -> int:
    """The page asked for, or the last one past the end."""
    return min(max(page, 1), max(1, -(-total // UNSCHEDULED_PER_PAGE)))


def page_of_left(left: list[Left], page: int) -> LeftPage:
    """A page of an already explained list (a run's draft explains all its left-out meetings)."""
    page = _within(page, len(left))
    start = (page - 1) * UNSCHEDULED_PER_PAGE
    return LeftPage(left[start : start + UNSCHEDULED_PER_PAGE], len(left), page)


def unscheduled_page(event: Event, page: int) -> LeftPage:
    """One page of the agreed meetings the current schedule leaves out, in the order of the
    problem, each with why and what would let it in: the whole event is read once (set-based),
    and explained and named for the shown meetings only."""
    rows = EventRows(event)
    problem = problem_for_event(event)
    placement = current_placement(problem, rows)
    left = [m.id for m in problem.meetings if m.id not in placement]
    page = _within(page, len(left))
    start = (page - 1) * UNSCHEDULED_PER_PAGE
    found = reasons(problem, placement, only=left[start : start + UNSCHEDULED_PER_PAGE])
    namer = Namer(problem, rows)
    namer.prefetch(ref for reason in found.values() for ref in named_in(reason))
    meetings = rows.meetings_by_ref(found)
    shown = [
        Left(meetings[mid], namer.text(reason.text), remedy(reason, namer))
        for mid, reason in found.items()
    ]
    return LeftPage(shown, len(left), page)


def unscheduled_of(event: Event, person: Participant) -> list[Left]:
    """The person's agreed meetings that the schedule leaves out, and why: explained for
    them alone, not for the whole event."""
    rows = EventRows(event)
    problem = problem_for_event(event)
    placement = current_placement(problem, rows)
    namer = Namer(problem, rows)
    theirs = problem.meetings_of.get(person.ref, ())
    return [
        Left(rows.meetings[mid], namer.text(reason.text), remedy(reason, namer))
        for mid, reason in reasons(problem, placement, only=theirs).items()
    ]


def draft_figures(run: ScheduleRun) -> Figures:
    """A run's draft judged as `schedule_state` judges the current schedule."""
    return figures(problem_of(run), schedule_from_dict(run.result))
