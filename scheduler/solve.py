"""`solve`: a `Problem` in, the best `Schedule` found in the time given out.

The pipeline (one default; a gap-spread limit is an option for the JAIR comparison):

1. start: a priority-first placement heuristic (first_fit.py), ordered by a selection model
   whose optimum also bounds the scheduled priority (model.best_selection);
2. slots, for events small enough for one model (flat.py): CP-SAT over the whole event for
   the scheduled priority (or, when the bound allows, for every meeting at once), then the
   fairness ladder keeping that priority (fairness_stage.py), then the exact idle-gap stage
   of scheduler.gaps for the chosen meetings (CP-SAT, with MaxSAT beside it on the hardest
   instances) where its model is small enough;
3. agendas, unless everything is proven already: a quick local search on idle gaps
   (polish.py), then large-neighbourhood search (lns.py) under the whole lexicographic order
   until the time is up or the whole event is proven, with passes serving whoever is left
   without a meeting before and after it, by single changes (one_change.py), then by
   neighbourhood steps around each of them (unserved.py) (skipped under a gap-spread limit,
   which only the stages of step 2 know); then, under the same exception, agendas are
   reordered towards fewer table changes, never adding an idle gap or a move
   (table_order.py);
4. tables, slot by slot (tables.py), keeping hosts at one table, then fewer table changes
   within the time kept for it; `table_changes_bound` says how many changes any choice of
   tables for these slots must have (table_bound.py);
5. reasons for every meeting left out, and a final independent check: a schedule the check
   rejects is never returned (the heuristic start, checked as well, or the first-come
   baseline replaces it).

Each stage ends as soon as it proves its optimum, and the run ends as soon as nothing is left
to prove. The stats say which figures are proven optimal (`optimal`) and which are only the
best found (`best_found`), with the exact stage's idle-gap lower bound (`idle_gaps_bound`, or
`idle_gaps_bound_same_meetings` when it holds only for schedules of the same meetings).
Fairness is proven level by level (`fairness_levels_proven` of `fairness_levels`); it counts
as proven once every level is.

Stopping early: `should_stop()` is asked whenever progress is reported. Once it says yes, the
clock has no time left, the running search ends with what it has (CP-SAT stops its search, a
neighbourhood step keeps its improvement, polishing stops between moves), the stages still to
come are skipped, and steps 4 and 5 turn the best placement so far into a checked schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scheduler import lns
from scheduler.check import check
from scheduler.clock import (
    Clock,
    Progress,
    finish_reserve,
    order_seconds,
    order_seconds_left,
    table_seconds_left,
)
from scheduler.explain import explain, without_meeting
from scheduler.first_fit import first_fit
from scheduler.flat import placement_priority, solve_flat
from scheduler.greedy import greedy
from scheduler.instance import Instance
from scheduler.model import Placement, best_selection
from scheduler.one_change import serve_by_one_change
from scheduler.polish import polish
from scheduler.problem import Assignment, FormatError, Problem, Schedule, Unscheduled
from scheduler.repair import release_conflicts
from scheduler.table_bound import table_changes_bound
from scheduler.table_order import order_for_tables
from scheduler.tables import assign_tables
from scheduler.unserved import serve_unserved, waiting

FLAT_MODEL_LIMIT = 120_000
"""Most (meeting, slot) pairs solved as one model; larger events go to neighbourhood search."""
SERVE_SHARE = 0.3
"""Most of the time left that the first pass serving the unserved may take."""
FINAL_SERVE_SHARE = 0.1
"""Time kept back from neighbourhood search for the final pass, while anyone is unserved."""
POLISH_SHARE = 0.6
"""Most of the time left that the quick agenda local search may take (it usually stops far
sooner, when no single move or swap helps any more)."""


def solve(
    problem: Problem,
    *,
    time_limit: float,
    workers: int = 2,
    hint: Schedule | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    gap_spread_limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    repair: bool = False,
) -> Schedule:
    """The best schedule found within `time_limit` seconds (see FORMATS.md for "best").

    `hint` is a previous schedule: meetings keep its slots and tables where they can.
    `on_progress` is called a few times a second on the caller's thread; whatever it raises
    stops the search and propagates. `should_stop` is called on the same thread right after
    each report: once it returns True, the search ends early and the best schedule found so
    far is returned, checked like any other, with `stats["stopped"] = True` (finishing it
    takes a moment: tables and reasons, about 0.2 ms per meeting). `gap_spread_limit` bounds
    the difference between the most and the fewest idle gaps of any participant. Fixed
    meetings that break a hard rule between themselves raise `FormatError` naming them;
    with `repair`, exactly those are placed anew instead (or left out, with a reason), and
    `stats["repaired"]` lists the conflicts with their rule, meetings and people.
    """
    clock = Clock(time_limit, on_progress, len(problem.meetings), should_stop)
    problem, conflicts = release_conflicts(problem)
    if conflicts and not repair:
        first = conflicts[0]
        raise FormatError(
            f"fixed meetings cannot all keep their places: {first.rule}: {first.message}"
        )
    inst = Instance(problem)
    previous_slots, previous_tables = _previous(inst, hint)
    stats: dict[str, Any] = {"workers": workers, "model_pairs": inst.size}
    if conflicts:
        stats["repaired"] = [c.as_dict() for c in conflicts]
    if gap_spread_limit is not None:
        stats["gap_spread_limit"] = gap_spread_limit  # every proof holds under it only
    start = first_fit(inst, prefer=previous_slots)
    clock.best = float(placement_priority(inst, start))
    clock.report("start")
    selection, bound, _ = best_selection(
        inst,
        time_limit=min(clock.left() * 0.1, 30.0),
        workers=workers,
        tick=lambda best, bound: clock.report("start"),
        hint=start,
    )
    if selection:
        favoured = first_fit(inst, prefer=previous_slots, favour=selection)
        if placement_priority(inst, favoured) > placement_priority(inst, start):
            start = favoured
    if bound is not None:
        clock.bound = stats["selection_bound"] = bound
    clock.best = float(placement_priority(inst, start))
    clock.report("start")

    placement = start
    if inst.size <= FLAT_MODEL_LIMIT and not clock.stopped:
        placement = solve_flat(inst, start, previous_slots, clock, workers, gap_spread_limit, stats)
    if gap_spread_limit is None and not clock.stopped and not _all_proven(stats):
        clock.report("agendas")
        seconds = POLISH_SHARE * (clock.left() - finish_reserve(clock) - order_seconds(clock))
        placement = polish(
            inst, placement, previous_slots, seconds=seconds, tick=lambda: clock.report("agendas")
        )
        if not clock.stopped:
            placement = _neighbourhoods(inst, placement, previous_slots, clock, workers, stats)
    if gap_spread_limit is None and not clock.stopped:
        placement = order_for_tables(
            inst,
            placement,
            previous_slots,
            seconds=order_seconds_left(clock),
            tick=lambda: clock.report("agendas"),
        )
    if clock.stopped:
        stats["stopped"] = True
    final = lns.score(inst, placement, previous_slots)
    stats.update(idle_gaps=-final.minus_gaps, moved=-final.minus_moves)
    stats.update(_verdict(stats))

    clock.report("tables")
    schedule = _schedule(inst, placement, previous_tables, stats, clock)
    rejected = _violations(problem, schedule)
    if rejected:
        schedule = _fallback(inst, start, previous_tables, stats, clock, rejected)
    clock.report("done")
    return schedule


def _fallback(
    inst: Instance,
    start: Placement,
    previous_tables: Mapping[int, str],
    stats: dict[str, Any],
    clock: Clock,
    rejected: list[str],
) -> Schedule:
    """A valid schedule when the optimised one is rejected: the heuristic start, else the
    first-come baseline. The rejection stays in the stats so that it gets noticed."""
    stats = {**stats, "status": "heuristic", "rejected": rejected[:5]}
    schedule = _schedule(inst, start, previous_tables, stats, clock)
    if not _violations(inst.problem, schedule):
        return schedule
    baseline = greedy(inst.problem)
    return Schedule(baseline.assignments, baseline.unscheduled, {**stats, "status": "greedy"})


PROVABLE = ("priority", "fairness", "idle_gaps")
"""The figures a run can prove optimal, in FORMATS.md's order; table changes are always only
the best found."""


def _verdict(stats: Mapping[str, Any]) -> dict[str, Any]:
    """Which figures are proven optimal and which are only the best found. Each is proven
    among the schedules that are optimal in the figures before it, so a proof counts only
    when those are proven too."""
    proven = [bool(stats.get("priority_optimal"))]
    proven.append(proven[0] and bool(stats.get("fairness_optimal")))
    at_bound = stats["moved"] == 0 and stats["idle_gaps"] <= stats.get("idle_gaps_bound", 0)
    proven.append(proven[1] and (bool(stats.get("agendas_optimal")) or at_bound))
    return {
        "status": "optimal" if all(proven) else "feasible",
        "optimal": [name for name, ok in zip(PROVABLE, proven, strict=True) if ok],
        "best_found": [name for name, ok in zip(PROVABLE, proven, strict=True) if not ok]
        + ["table_changes"],
    }


def _all_proven(stats: Mapping[str, Any]) -> bool:
    return all(stats.get(k) for k in ("priority_optimal", "fairness_optimal", "agendas_optimal"))


def _neighbourhoods(
    inst: Instance,
    placement: Placement,
    previous: Mapping[int, int],
    clock: Clock,
    workers: int,
    stats: dict[str, Any],
) -> Placement:
    # The changes one step makes settle most of the unserved at once; the steps around each
    # person who is left then look for longer chains.
    placement, served = serve_by_one_change(inst, placement)
    search = lns.Search(inst, placement, previous, workers=workers)

    def report(score: lns.Score) -> bool:
        clock.best = float(score.priority)
        return clock.report("neighbourhoods")

    def left() -> float:
        return clock.left() - finish_reserve(clock) - order_seconds(clock)

    # Serve the unserved first and again at the end, with time kept back for it while
    # someone is waiting: a step of the search may hand one person's only meeting to another.
    first_until = left() * (1 - SERVE_SHARE)
    kept_back = left() * FINAL_SERVE_SHARE
    served += serve_unserved(search, seconds_left=lambda: left() - first_until, report=report)
    placement = lns.improve(
        search,
        seconds_left=lambda: left() - (kept_back if waiting(search) else 0.0),
        report=report,
    )
    if not clock.stopped:
        served += serve_unserved(search, seconds_left=left, report=report)
        placement = search.placement
    # A step may have given someone's only meeting away for more priority.
    placement, again = serve_by_one_change(inst, placement)
    served += again
    stats.update(
        lns_steps=search.steps, lns_improvements=search.improvements, fairness_repairs=served
    )
    if search.proven:
        stats.update(priority_optimal=True, fairness_optimal=True, agendas_optimal=True)
    return placement


# --- from placement to schedule ---------------------------------------------------------------


def _schedule(
    inst: Instance,
    placement: Placement,
    previous_tables: Mapping[int, str],
    stats: dict[str, Any],
    clock: Clock,
) -> Schedule:
    tables, dropped = assign_tables(
        inst, placement, previous_tables, seconds=table_seconds_left(clock)
    )
    placed = {i: (inst.slot_ids[s], tables[i]) for i, s in placement.items() if i in tables}
    assignments = tuple(
        Assignment(inst.meeting_ids[i], slot, table) for i, (slot, table) in sorted(placed.items())
    )
    by_id = {inst.meeting_ids[i]: where for i, where in placed.items()}
    reasons = explain(inst.problem, by_id)
    unscheduled = tuple(
        Unscheduled(mid, reasons.get(mid, "no table was free when its participants were"))
        for i, mid in enumerate(inst.meeting_ids)
        if i not in placed
    )
    stats = dict(stats)
    stats["without_meeting"] = without_meeting(inst.problem, by_id, reasons)
    stats.update(
        seconds=round(clock.elapsed, 3),
        meetings_scheduled=len(assignments),
        priority_sum=sum(inst.priority[i] for i in placed),
        tables_lost=len(dropped),
        table_changes_bound=None
        if clock.stopped
        else table_changes_bound(inst, {i: s for i, s in placement.items() if i in tables}),
    )
    if clock.bound is not None:
        stats["bound"] = clock.bound
    return Schedule(assignments, unscheduled, stats)


def _violations(problem: Problem, schedule: Schedule) -> list[str]:
    return [str(v) for v in check(problem, schedule)]


def _previous(inst: Instance, hint: Schedule | None) -> tuple[dict[int, int], dict[int, str]]:
    """The hint's slot and table per meeting index, for meetings it still knows."""
    if hint is None:
        return {}, {}
    meeting_at = {mid: i for i, mid in enumerate(inst.meeting_ids)}
    slot_at = inst.problem.slot_index
    slots, tables = {}, {}
    for a in hint.assignments:
        i = meeting_at.get(a.meeting)
        if i is None or a.slot not in slot_at:
            continue
        slots[i] = slot_at[a.slot]
        if a.table in inst.problem.table_by_id:
            tables[i] = a.table
    return slots, tables
