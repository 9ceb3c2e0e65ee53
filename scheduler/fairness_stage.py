"""The exact fairness stage: the leximin ladder of people's meeting counts, on top of the
scheduled priority the caller has fixed in the model.

Level k is the number of participants with at least k meetings, among those who could reach
k at all. The ladder maximises level 1 (everyone who can have a meeting gets one, where the
priority allows), fixes it, then level 2, and so on up to the highest level anyone can reach.
Comparing these counts level by level is the same as comparing the sorted meeting counts
(leximin): first the fewest meetings of anyone, then how few people have only that many.

A level the placement already fills for everyone who could reach it is proven without a
search. The ladder stops at the first level whose search runs out of time, so the levels
below it are proven and that one holds the best found.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from scheduler import cpsat
from scheduler.model import Placement, PlacementModel


@dataclass(frozen=True)
class Ladder:
    placement: Placement
    levels: int
    """The highest level anyone can reach: the ladder's length."""
    proven: int
    """Levels 1 .. proven are proven optimal (each given the ones below it)."""

    @property
    def complete(self) -> bool:
        return self.proven == self.levels


def climb(
    pm: PlacementModel,
    placement: Placement,
    *,
    seconds: float,
    workers: int,
    tick: Callable[[float | None, float | None], bool | None],
    stopped: Callable[[], bool],
) -> Ladder:
    """Raise the levels in turn within `seconds`; every level reached stays a constraint of
    `pm.model`, so later stages keep it."""
    deadline = time.monotonic() + seconds
    levels = pm.top_level()
    proven = 0
    for level in range(1, levels + 1):
        served, reachable = pm.served_at_least(level)
        if reachable == 0:
            proven = level
            continue
        if _reached(pm, placement, level) == reachable:
            pm.model.add(served >= reachable)
            proven = level
            continue
        left = deadline - time.monotonic()
        if left <= 0 or stopped():
            break
        pm.model.maximize(served)
        pm.hint(placement)
        out = cpsat.run(pm.model, time_limit=left, workers=workers, tick=tick)
        if not out.found:
            break
        placement = pm.placement(out.solver.value)
        pm.model.add(served >= _reached(pm, placement, level))
        if not out.optimal:
            break
        proven = level
    pm.model.clear_objective()
    return Ladder(placement, levels, proven)


def _reached(pm: PlacementModel, placement: Placement, level: int) -> int:
    """Participants counted by `pm.served_at_least(level)` that `placement` lifts to it."""
    counts = dict.fromkeys(pm.touched(), 0)
    for i, s in placement.items():
        if i in pm.x and s in pm.x[i]:
            for p in pm.inst.members[i]:
                counts[p] += 1
    return sum(
        1
        for p, n in counts.items()
        if pm.frozen_count[p] < level <= pm.reachable(p) and n + pm.frozen_count[p] >= level
    )
