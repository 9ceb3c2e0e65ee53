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

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler import cpsat
from scheduler.model import Placement, PlacementModel

BATCH_LIMIT = 2**50
"""Largest weighted sum of levels one search may reach (CP-SAT's integers are 64-bit)."""


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
    `pm.model`, so later stages keep it.

    Consecutive levels go into one search as a weighted sum whose weights keep their order
    exact (a unit of a level outweighs every level above it together), as many as fit well
    inside CP-SAT's integers: one search then settles several levels, usually all of them."""
    deadline = time.monotonic() + seconds
    levels = pm.top_level()
    base = len(pm.touched()) + 1
    batch = max(1, int(math.log(BATCH_LIMIT) / math.log(base + 1)))
    proven = 0
    level = 1
    while level <= levels:
        chunk: list[tuple[int, cp_model.LinearExpr]] = []
        while level <= levels and len(chunk) < batch:
            served, reachable = pm.served_at_least(level)
            if not chunk and pm.served_in(placement, level) == reachable:
                if reachable:
                    pm.model.add(served >= reachable)  # full already: proven without a search
                proven = level
            else:
                chunk.append((level, served))
            level += 1
        if not chunk:
            continue
        left = deadline - time.monotonic()
        if left <= 0 or stopped():
            break
        weights = [base ** (len(chunk) - 1 - k) for k in range(len(chunk))]
        pm.model.maximize(
            cp_model.LinearExpr.weighted_sum([served for _, served in chunk], weights)
        )
        pm.hint(placement)
        out = cpsat.run(pm.model, time_limit=left, workers=workers, tick=tick)
        if not out.found:
            break
        placement = pm.placement(out.solver.value)
        for at, served in chunk:
            pm.model.add(served >= pm.served_in(placement, at))
        if not out.optimal:
            break
        proven = chunk[-1][0]
    pm.model.clear_objective()
    return Ladder(placement, levels, proven)
