"""Fewer table changes by exchanging two tables over a run of consecutive slots of one day.

Re-solving one slot at a time gets stuck where a host would have to move together with all
their guests: no single slot gains from it. Exchanging tables A and B in every slot from one
slot to another (everyone at A sits at B and the other way round) moves a whole run of
meetings at once, and changes nothing for steps inside the run: only the steps that enter or
leave it can gain or lose. For each step that is a change, the runs that start at its second
meeting (taking it to the first one's table) or end at its first meeting (the other way
round) are tried, and the best exchange that lowers the cost is made.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from scheduler.instance import Instance

Neighbours = Mapping[tuple[int, int], int]
"""(meeting, person) -> that person's meeting just before (or just after) it that day."""


class TableSwaps:
    def __init__(
        self,
        inst: Instance,
        placement: Mapping[int, int],
        given: dict[int, str],
        previous: Mapping[int, str],
        allowed: Callable[[int, str], bool],
        before: Neighbours,
        after: Neighbours,
        costs: tuple[int, int],
    ) -> None:
        self.inst = inst
        self.placement = placement
        self.given = given
        self.previous = previous
        self.allowed = allowed
        self.before = before
        self.after = after
        self.change, self.move = costs
        self.day_slots = [[s for s in day] for day in inst.days]
        self.rank = {s: k for day in self.day_slots for k, s in enumerate(day)}
        self.at: dict[tuple[int, str], int] = {}

    def improve(self, deadline: float) -> int:
        """Make exchanges until none helps or the deadline passes; how many were made."""
        # `given` may have changed since the last call (slots solved again).
        self.at = {(self.placement[i], t): i for i, t in self.given.items()}
        made = 0
        improved = True
        while improved and time.monotonic() < deadline:
            improved = False
            for (i, _), j in list(self.before.items()):
                if time.monotonic() >= deadline:
                    break
                if i not in self.given or j not in self.given:
                    continue
                if self.given[i] != self.given[j] and self._best_exchange(i, j):
                    made += 1
                    improved = True
        return made

    def _best_exchange(self, i: int, j: int) -> bool:
        """Try the runs that put i at j's table or j at i's table; make the best one."""
        a, b = self.given[j], self.given[i]
        day = self.day_slots[self.inst.day_of[self.placement[i]]]
        best: tuple[int, int, int] | None = None
        for lo, hi in self._runs(day, self.rank[self.placement[i]], self.rank[self.placement[j]]):
            delta = self._delta(day[lo : hi + 1], a, b)
            if delta is not None and delta < 0 and (best is None or delta < best[0]):
                best = (delta, lo, hi)
        if best is None:
            return False
        _, lo, hi = best
        self._exchange(day[lo : hi + 1], a, b)
        return True

    @staticmethod
    def _runs(day: list[int], start: int, end: int):
        for hi in range(start, len(day)):
            yield start, hi
        for lo in range(end, -1, -1):
            yield lo, end

    def _delta(self, run: list[int], a: str, b: str) -> int | None:
        """The change in cost if a and b are exchanged over `run`; None if not allowed."""
        inside = set(run)
        moving: dict[int, str] = {}
        for s in run:
            for here, there in ((a, b), (b, a)):
                k = self.at.get((s, here))
                if k is not None:
                    if not self.allowed(k, there):
                        return None
                    moving[k] = there
        if not moving:
            return None
        delta = 0
        for k, new in moving.items():
            old = self.given[k]
            for p in self.inst.members[k]:
                for n in (self.before.get((k, p)), self.after.get((k, p))):
                    # Steps within the run keep their tables equal or unequal.
                    if n is None or n not in self.given or self.placement[n] in inside:
                        continue
                    there = self.given[n]
                    delta += self.change * ((there != new) - (there != old))
            before = self.previous.get(k)
            if before is not None:
                delta += self.move * ((before != new) - (before != old))
        return delta

    def _exchange(self, run: list[int], a: str, b: str) -> None:
        cells = [(s, self.at.pop((s, a), None), self.at.pop((s, b), None)) for s in run]
        for s, at_a, at_b in cells:
            if at_a is not None:
                self.given[at_a] = b
                self.at[s, b] = at_a
            if at_b is not None:
                self.given[at_b] = a
                self.at[s, a] = at_b
