"""The whole event as one placement model (`scheduler.model`), stage by stage: priority, then
fairness, then idle gaps (by the exact gap stage where its model is small enough); used by
`scheduler.solve` for events up to its FLAT_MODEL_LIMIT."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scheduler import cpsat, fairness_stage, gap_stage, lns
from scheduler.clock import Clock, finish_reserve
from scheduler.instance import Instance
from scheduler.model import Placement, PlacementModel
from scheduler.polish import polish
from scheduler.problem import FormatError

PRIORITY_SHARE = 0.15
FAIRNESS_SHARE = 0.1
"""Shares of the time left that the whole-event priority and fairness stages get: they find
most of their gains early, and neighbourhood search makes better use of the rest."""
GAP_STAGE_SHARE = 0.95
"""Share of the time left for the exact idle-gap stage (it ends sooner once it proves its
optimum); neighbourhood search then continues from the better placement. On a busy machine
its MaxSAT search needs nearly all of the time to reach the hardest JAIR optima, and the
polished hint it starts from already keeps most of what neighbourhood search would find."""
HINT_POLISH_SECONDS = 5.0
"""Most time for the quick local search that turns the placement into the exact stage's hint
(it usually stops within a second: on the JAIR instances, 160-200 gaps down to 60-70)."""
GAP_STAGE_LIMIT = 40_000
"""Most (meeting, possible slot) pairs of the chosen meetings given to the exact gap stage."""
SAME_MEETINGS_LIMIT = 2_000
"""Most pairs for the exact gap stage when some placeable meeting is left out, so that what it
proves holds only for the chosen meetings. Below this it settles them in tenths of a second
(250 pairs of a 24-person event: 0 gaps, proven, in 0.1 s, where local search from the
fairness stage's placement stops at 6); at the Osaka size (17,000 pairs in all)
neighbourhood search, which may also change which meetings are in, does better in the same
time."""
SAME_MEETINGS_SHARE = 0.6
"""Share of the time left for that stage (it ends when it proves its optimum): should it not
settle, neighbourhood search keeps the rest. With 0.3, a 1 s run on a busy machine (load 5)
cut it short in 2 of 4 runs."""


def solve_flat(
    inst: Instance,
    start: Placement,
    previous: Mapping[int, int],
    clock: Clock,
    workers: int,
    gap_spread_limit: int | None,
    stats: dict[str, Any],
) -> Placement:
    pm = PlacementModel(inst, free=range(len(inst.meeting_ids)), frozen={})
    placement = start

    def budget(share: float) -> float:
        # Even a short stage needs a few seconds: presolving the whole event takes one or two.
        left = clock.left() - finish_reserve(clock)
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
        stats["priority_optimal"] = out.optimal or placement_priority(inst, placement) >= (
            clock.bound or float("inf")
        )
    best_priority = placement_priority(inst, placement)
    clock.best = float(best_priority)
    stats["priority_seconds"] = round(clock.elapsed, 2)
    if clock.stopped:
        # Stopped before CP-SAT even reached its hint, it may hold less than the start.
        return placement if best_priority >= placement_priority(inst, start) else start

    # Stage 2: fairness, keeping that priority (nothing to gain when every meeting is in):
    # the leximin ladder of meeting counts (fairness_stage.py), as far as its time allows.
    # Its proof means something only on top of a proven priority; otherwise, in the default
    # mode, neighbourhood search weighs fairness in its steps and makes better use of the time.
    if everything is not None:
        stats["fairness_optimal"] = True
    elif gap_spread_limit is not None or stats["priority_optimal"]:
        pm.model.add(priority >= best_priority)
        ladder = fairness_stage.climb(
            pm,
            placement,
            seconds=budget(FAIRNESS_SHARE),
            workers=workers,
            tick=report("fairness"),
            stopped=lambda: clock.stopped,
        )
        placement = ladder.placement
        stats.update(
            fairness_optimal=ladder.complete,
            fairness_levels=ladder.levels,
            fairness_levels_proven=ladder.proven,
            fairness_seconds=round(clock.elapsed, 2),
        )
    if clock.stopped:
        return placement

    # Stage 3: idle gaps of the chosen meetings, by the exact stage where its model is small
    # enough. What it proves is the optimum for every schedule only when the chosen meetings
    # are all there are (every placeable meeting is in); otherwise neighbourhood search, which
    # may also change which meetings are in, does better in the same time (measured on the
    # Osaka-size event), and the exact stage runs only under a gap-spread limit or on a small
    # model. It re-places the same meetings, so priority and every fairness level stay.
    exact = everything is not None
    if gap_spread_limit is not None:
        share = 1.0
    elif exact:
        share = GAP_STAGE_SHARE
    elif _pairs(inst, placement) <= SAME_MEETINGS_LIMIT:
        share = SAME_MEETINGS_SHARE
    else:
        share = 0.0
    if not previous and share > 0 and _pairs(inst, placement) <= GAP_STAGE_LIMIT:
        if gap_spread_limit is None:
            # A far better hint and floor for the exact stage than the placement of stage 1,
            # which ignores gaps: the stage keeps it when its search is cut short. (Under a
            # spread limit, polishing may break the limit.)
            placement = polish(
                inst,
                placement,
                previous,
                seconds=min(HINT_POLISH_SECONDS, 0.1 * clock.left()),
                tick=lambda: clock.report("agendas"),
            )
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
    if gap_spread_limit is None:
        if not previous:
            _no_gaps_left(inst, placement, stats)
        return placement
    if clock.stopped:
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


def _no_gaps_left(inst: Instance, placement: Placement, stats: dict[str, Any]) -> None:
    """Idle gaps proven optimal when none are left on top of proven priority and fairness:
    then a small event that cannot hold every meeting ends at once instead of searching on
    until its time is up (the exact stage before proved its optimum only for the meetings it
    was given). With gaps left, proving that no other choice of meetings has fewer is out of
    reach: CP-SAT over the whole 20-person event does not settle it in a minute."""
    proven = stats.get("priority_optimal") and stats.get("fairness_optimal")
    if proven and lns.score(inst, placement, {}).minus_gaps == 0:
        stats.update(agendas_optimal=True, idle_gaps_bound=0)


def _pairs(inst: Instance, placement: Placement) -> int:
    """(Meeting, possible slot) pairs of these meetings: the size of their exact gap model."""
    return sum(len(inst.candidates[i]) for i in placement)


def _better(inst: Instance, placement: Placement, than: Placement) -> bool:
    return lns.score(inst, placement, {}) >= lns.score(inst, than, {})


def _schedule_everything(
    pm: PlacementModel, clock: Clock, workers: int, time_limit: float
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


def placement_priority(inst: Instance, placement: Placement) -> int:
    return sum(inst.priority[i] for i in placement)
