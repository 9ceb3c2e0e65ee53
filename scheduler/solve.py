"""`solve`: a `Problem` in, the best `Schedule` found in the time given out.

The pipeline (one default; a gap-spread limit is an option for the JAIR comparison):

1. start: a priority-first placement heuristic (first_fit.py), ordered by a selection model
   whose optimum also bounds the scheduled priority (model.best_selection);
2. slots, for events small enough for one model: CP-SAT over the whole event for the scheduled
   priority (or, when the bound allows, for every meeting at once), then fairness keeping that
   priority, then the exact idle-gap stage of scheduler.gaps for the chosen meetings (CP-SAT,
   with MaxSAT beside it on the hardest instances) where its model is small enough;
3. agendas, unless everything is proven already: a quick local search on idle gaps
   (polish.py), then large-neighbourhood search (lns.py) under the whole lexicographic order
   until the time is up or the whole event is proven (skipped under a gap-spread limit, which
   only the stages of step 2 know);
4. tables, slot by slot (tables.py), keeping hosts at one table;
5. reasons for every meeting left out, and a final independent check: a schedule the check
   rejects is never returned (the heuristic start, checked as well, or the first-come
   baseline replaces it).

Each stage ends as soon as it proves its optimum, and the run ends as soon as nothing is left
to prove. The stats say which figures are proven optimal (`optimal`) and which are only the
best found (`best_found`), with the exact stage's idle-gap lower bound (`idle_gaps_bound`, or
`idle_gaps_bound_same_meetings` when it holds only for schedules of the same meetings).

Stopping early: `should_stop()` is asked whenever progress is reported. Once it says yes, the
clock has no time left, the running search ends with what it has (CP-SAT stops its search, a
neighbourhood step keeps its improvement, polishing stops between moves), the stages still to
come are skipped, and steps 4 and 5 turn the best placement so far into a checked schedule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scheduler import cpsat, gap_stage, lns
from scheduler.check import check
from scheduler.explain import explain, without_meeting
from scheduler.first_fit import first_fit
from scheduler.greedy import greedy
from scheduler.instance import Instance
from scheduler.model import Placement, PlacementModel, best_selection
from scheduler.polish import polish
from scheduler.problem import Assignment, FormatError, Problem, Schedule, Unscheduled
from scheduler.repair import release_conflicts
from scheduler.tables import assign_tables

FLAT_MODEL_LIMIT = 120_000
"""Most (meeting, slot) pairs solved as one model; larger events go to neighbourhood search."""
FINISH_SECONDS_PER_MEETING = 0.0002
"""Time kept per meeting for tables, reasons and the check at the end."""
POLISH_SHARE = 0.6
"""Most of the time left that the quick agenda local search may take (it usually stops far
sooner, when no single move or swap helps any more)."""
PRIORITY_SHARE = 0.15
FAIRNESS_SHARE = 0.1
"""Shares of the time left that the whole-event priority and fairness stages get: they find
most of their gains early, and neighbourhood search makes better use of the rest."""
GAP_STAGE_SHARE = 0.85
"""Share of the time left for the exact idle-gap stage (it ends sooner once it proves its
optimum); neighbourhood search then continues from the better placement."""
GAP_STAGE_LIMIT = 40_000
"""Most (meeting, possible slot) pairs of the chosen meetings given to the exact gap stage."""


@dataclass(frozen=True)
class Progress:
    phase: str
    """"start", "priority", "fairness", "agendas", "neighbourhoods", "tables" or "done"."""
    best: float | None
    """Scheduled priority sum of the best schedule so far."""
    bound: float | None
    """No schedule can schedule more priority than this (when known)."""
    elapsed: float
    time_limit: float


class _Clock:
    def __init__(
        self,
        time_limit: float,
        on_progress: Callable[[Progress], None] | None,
        meetings: int = 0,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.started = time.monotonic()
        self.meetings = meetings
        self.time_limit = time_limit
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.stopped = False
        """The caller asked to stop: no time is left for searching, only for finishing."""
        self.best: float | None = None
        self.bound: float | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float:
        return 0.0 if self.stopped else max(0.0, self.time_limit - self.elapsed)

    def report(self, phase: str) -> bool:
        """Tell the caller how far the search is; True once it should stop (the searches'
        `tick` callbacks return this, so that they end with what they found)."""
        if self.on_progress is not None:
            self.on_progress(Progress(phase, self.best, self.bound, self.elapsed, self.time_limit))
        if not self.stopped and self.should_stop is not None and self.should_stop():
            self.stopped = True
        return self.stopped


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
    clock = _Clock(time_limit, on_progress, len(problem.meetings), should_stop)
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
    clock.best = float(_priority(inst, start))
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
        if _priority(inst, favoured) > _priority(inst, start):
            start = favoured
    if bound is not None:
        clock.bound = stats["selection_bound"] = bound
    clock.best = float(_priority(inst, start))
    clock.report("start")

    placement = start
    if inst.size <= FLAT_MODEL_LIMIT and not clock.stopped:
        placement = _solve_flat(
            inst, start, previous_slots, clock, workers, gap_spread_limit, stats
        )
    if gap_spread_limit is None and not clock.stopped and not _all_proven(stats):
        clock.report("agendas")
        seconds = POLISH_SHARE * (clock.left() - _finish_reserve(clock))
        placement = polish(
            inst, placement, previous_slots, seconds=seconds, tick=lambda: clock.report("agendas")
        )
        if not clock.stopped:
            placement = _neighbourhoods(inst, placement, previous_slots, clock, workers, stats)
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
    clock: _Clock,
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


def _finish_reserve(clock: _Clock) -> float:
    """Time kept for tables, reasons and the check at the end: they grow with the event
    (about 5 s for 45,000 meetings on a busy machine)."""
    return min(0.25 * clock.time_limit, 0.3 + FINISH_SECONDS_PER_MEETING * clock.meetings)


def _neighbourhoods(
    inst: Instance,
    placement: Placement,
    previous: Mapping[int, int],
    clock: _Clock,
    workers: int,
    stats: dict[str, Any],
) -> Placement:
    search = lns.Search(inst, placement, previous, workers=workers)

    def report(score: lns.Score) -> bool:
        clock.best = float(score.priority)
        return clock.report("neighbourhoods")

    placement = lns.improve(
        search, seconds_left=lambda: clock.left() - _finish_reserve(clock), report=report
    )
    stats.update(lns_steps=search.steps, lns_improvements=search.improvements)
    if search.proven:
        stats.update(priority_optimal=True, fairness_optimal=True, agendas_optimal=True)
    return placement


# --- the flat model, stage by stage -----------------------------------------------------------


def _solve_flat(
    inst: Instance,
    start: Placement,
    previous: Mapping[int, int],
    clock: _Clock,
    workers: int,
    gap_spread_limit: int | None,
    stats: dict[str, Any],
) -> Placement:
    pm = PlacementModel(inst, free=range(len(inst.meeting_ids)), frozen={})
    placement = start

    def budget(share: float) -> float:
        # Even a short stage needs a few seconds: presolving the whole event takes one or two.
        left = clock.left() - _finish_reserve(clock)
        return max(0.05, left * share, min(3.0, 0.3 * left))

    def report(phase: str) -> Callable[[float | None, float | None], bool]:
        def tick(best: float | None, bound: float | None) -> bool:
            if phase == "priority" and best is not None:
                clock.best = best
                if bound is not None and (clock.bound is None or bound < clock.bound):
                    clock.bound = bound
            return clock.report(phase)

        return tick

    # Stage 1: scheduled priority (never above the selection's bound: a redundant cut).
    # When that bound says every meeting might fit, asking for exactly that is a pure
    # feasibility question, which CP-SAT settles far faster than the optimisation.
    priority = pm.priority()
    everything = _schedule_everything(pm, clock, workers, budget(PRIORITY_SHARE))
    if everything is not None:
        placement = everything
        stats["priority_optimal"] = True
    elif clock.stopped:
        return start
    else:
        if clock.bound is not None:
            pm.model.add(priority <= round(clock.bound))
        pm.model.maximize(priority)
        pm.hint(start)
        out = cpsat.run(
            pm.model, time_limit=budget(PRIORITY_SHARE), workers=workers, tick=report("priority")
        )
        if out.status == cpsat.cp_model.INFEASIBLE:
            # check_fixed found nothing, so this is a rule it does not know of: say so plainly.
            raise FormatError("fixed meetings break a hard rule between themselves")
        if not out.found:
            return start
        placement = pm.placement(out.solver.value)
        if out.bound is not None and (clock.bound is None or out.bound < clock.bound):
            clock.bound = out.bound
        stats["priority_optimal"] = out.optimal or _priority(inst, placement) >= (
            clock.bound or float("inf")
        )
    best_priority = _priority(inst, placement)
    clock.best = float(best_priority)
    stats["priority_seconds"] = round(clock.elapsed, 2)
    if clock.stopped:
        # Stopped before CP-SAT even reached its hint, it may hold less than the start.
        return placement if best_priority >= _priority(inst, start) else start

    # Stage 2: fairness, keeping that priority (nothing to gain when every meeting is in).
    # Its proof means something only on top of a proven priority; otherwise, in the default
    # mode, neighbourhood search weighs fairness in its steps and makes better use of the time.
    if everything is not None:
        stats["fairness_optimal"] = True
    elif gap_spread_limit is not None or stats["priority_optimal"]:
        pm.model.add(priority >= best_priority)
        fairness = pm.fairness()
        pm.model.maximize(fairness)
        pm.hint(placement)
        out = cpsat.run(
            pm.model, time_limit=budget(FAIRNESS_SHARE), workers=workers, tick=report("fairness")
        )
        if out.found:
            placement = pm.placement(out.solver.value)
            pm.model.add(fairness >= round(out.objective or 0))
        stats.update(fairness_optimal=out.optimal, fairness_seconds=round(clock.elapsed, 2))
    if clock.stopped:
        return placement

    # Stage 3: idle gaps of the chosen meetings, by the exact stage where its model is small
    # enough. What it proves is the optimum for every schedule only when the chosen meetings
    # are all there are (every placeable meeting is in); otherwise neighbourhood search, which
    # may also change which meetings are in, does better in the same time (measured on the
    # Osaka-size event), and the exact stage runs only under a gap-spread limit.
    exact = everything is not None
    if (
        not previous
        and (exact or gap_spread_limit is not None)
        and _gap_stage_fits(inst, placement)
    ):
        share = 1.0 if gap_spread_limit is not None else GAP_STAGE_SHARE
        outcome = gap_stage.place_with_fewest_gaps(
            inst,
            placement,
            time_limit=budget(share),
            workers=workers,
            gap_spread_limit=gap_spread_limit,
            tick=lambda: clock.report("agendas"),
        )
        if outcome is not None:
            # A bound for every schedule when these meetings are all there are; otherwise
            # only for schedules of these meetings.
            key = "idle_gaps_bound" if exact else "idle_gaps_bound_same_meetings"
            stats[key] = outcome.lower_bound
            stats["agendas_optimal"] = outcome.optimal and exact
            if gap_spread_limit is not None or _better(inst, outcome.placement, placement):
                placement = outcome.placement
            if gap_spread_limit is not None:
                return placement
    if clock.stopped or gap_spread_limit is None:
        return placement
    gaps = pm.gaps(gap_spread_limit)
    if previous:
        pm.model.minimize(gaps * (len(previous) + 1) + pm.moves(previous))
    else:
        pm.model.minimize(gaps)
    pm.hint(placement)
    out = cpsat.run(pm.model, time_limit=budget(1.0), workers=workers, tick=report("agendas"))
    if out.found:
        placement = pm.placement(out.solver.value)
    stats["agendas_optimal"] = out.optimal
    return placement


def _gap_stage_fits(inst: Instance, placement: Placement) -> bool:
    """Whether the exact idle-gap model of these meetings is small enough to pay off."""
    return sum(len(inst.candidates[i]) for i in placement) <= GAP_STAGE_LIMIT


def _better(inst: Instance, placement: Placement, than: Placement) -> bool:
    return lns.score(inst, placement, {}) >= lns.score(inst, than, {})


def _schedule_everything(
    pm: PlacementModel, clock: _Clock, workers: int, time_limit: float
) -> Placement | None:
    """A placement of every placeable meeting, if the bound allows one and one is found."""
    inst = pm.inst
    if clock.bound is None or clock.bound < sum(inst.priority[i] for i in pm.scheduled):
        return None
    model = pm.model.clone()
    for var in pm.scheduled.values():
        model.add(model.get_bool_var_from_proto_index(var.index) == 1)
    out = cpsat.run(
        model,
        time_limit=time_limit,
        workers=workers,
        tick=lambda best, bound: clock.report("priority"),
    )
    return pm.placement(out.solver.value) if out.found else None


# --- from placement to schedule ---------------------------------------------------------------


def _schedule(
    inst: Instance,
    placement: Placement,
    previous_tables: Mapping[int, str],
    stats: dict[str, Any],
    clock: _Clock,
) -> Schedule:
    tables, dropped = assign_tables(inst, placement, previous_tables)
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


def _priority(inst: Instance, placement: Placement) -> int:
    return sum(inst.priority[i] for i in placement)
