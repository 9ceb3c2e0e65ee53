"""Quick local search on agendas: move single meetings, or swap two meetings of one person,
whenever that removes idle gaps without breaking a rule.

Pure Python and incremental (only the days a move touches are recounted), so it handles tens
of thousands of meetings in a second or two. It takes the easy improvements before the
neighbourhood search spends CP-SAT time on the hard ones. The set of scheduled meetings never
changes, so neither do priority and fairness.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping

from scheduler.cpsat import TICK_SECONDS
from scheduler.instance import Instance
from scheduler.metrics import gaps_in_day
from scheduler.model import Placement


class Agendas:
    """Each person's meetings by slot, and the room left in every capacity per slot."""

    def __init__(self, inst: Instance, placement: Placement) -> None:
        self.inst = inst
        self.slot_of = dict(placement)
        self.at: list[dict[int, int]] = [{} for _ in inst.participant_ids]
        self.room = [list(cap.per_slot) for cap in inst.capacities]
        for i, s in placement.items():
            for p in inst.members[i]:
                self.at[p][s] = i
            for c in inst.capacities_of[i]:
                self.room[c][s] -= 1

    def day_gaps(self, p: int, day: int) -> int:
        taken = self.at[p]
        return gaps_in_day(k for k, s in enumerate(self.inst.days[day]) if s in taken)

    def gaps_around(self, people: set[int], days: set[int]) -> int:
        return sum(self.day_gaps(p, d) for p in people for d in days)

    def take(self, i: int, s: int) -> None:
        self.slot_of[i] = s
        for p in self.inst.members[i]:
            self.at[p][s] = i
        for c in self.inst.capacities_of[i]:
            self.room[c][s] -= 1

    def leave(self, i: int) -> int:
        s = self.slot_of.pop(i)
        for p in self.inst.members[i]:
            del self.at[p][s]
        for c in self.inst.capacities_of[i]:
            self.room[c][s] += 1
        return s

    def fits(self, i: int, s: int, ignoring: tuple[int, ...] = ()) -> bool:
        """Whether i can take s. With `ignoring` (a swap's two meetings), only whether its
        people are free but for those: a cheap filter before the exact check."""
        inst = self.inst
        for p in inst.members[i]:
            there = self.at[p].get(s)
            if there is not None and there not in ignoring:
                return False
        if ignoring:
            return True  # the exact check runs once both meetings have left
        return all(self.room[c][s] > 0 for c in inst.capacities_of[i])

    def try_move(self, i: int, s: int, penalty: int) -> bool:
        """Move i to s if gaps (plus `penalty`, the change in moves) get fewer."""
        inst = self.inst
        old = self.slot_of[i]
        if s == old or not self.fits(i, s):
            return False
        people = set(inst.members[i])
        days = {inst.day_of[old], inst.day_of[s]}
        before = self.gaps_around(people, days)
        self.leave(i)
        self.take(i, s)
        if self.gaps_around(people, days) + penalty < before:
            return True
        self.leave(i)
        self.take(i, old)
        return False

    def try_swap(self, i: int, j: int, penalty: int) -> bool:
        """Exchange the slots of i and j (two meetings of one person) if gaps get fewer."""
        inst = self.inst
        si, sj = self.slot_of[i], self.slot_of[j]
        if si == sj or sj not in inst.candidates[i] or si not in inst.candidates[j]:
            return False
        if not (self.fits(i, sj, ignoring=(i, j)) and self.fits(j, si, ignoring=(i, j))):
            return False
        people = set(inst.members[i]) | set(inst.members[j])
        days = {inst.day_of[si], inst.day_of[sj]}
        before = self.gaps_around(people, days)
        self.leave(i)
        self.leave(j)
        if self.fits(i, sj) and self.fits(j, si):
            self.take(i, sj)
            self.take(j, si)
            if self.gaps_around(people, days) + penalty < before:
                return True
            self.leave(i)
            self.leave(j)
        self.take(i, si)
        self.take(j, sj)
        return False


def polish(
    inst: Instance,
    placement: Placement,
    previous: Mapping[int, int],
    *,
    seconds: float,
    seed: int = 0,
    tick: Callable[[], bool | None] | None = None,
) -> Placement:
    """Fewer idle gaps for the same meetings, within `seconds`; fixed meetings stay.

    A move that takes a meeting away from its `previous` slot costs as much as one gap, so
    re-planning only moves meetings for a clear gain. `tick` is called every TICK_SECONDS
    (to report progress); when it returns True, polishing stops at once.
    """
    deadline = time.monotonic() + seconds
    agendas = Agendas(inst, placement)
    movable = [i for i in placement if inst.fixed_slot[i] is None and len(inst.candidates[i]) > 1]

    prev = inst.previous_adjacent
    following: list[int | None] = [None] * len(prev)
    for s, before in enumerate(prev):
        if before is not None:
            following[before] = s

    def moved(i: int, s: int) -> int:
        return int(i in previous and previous[i] != s)

    def improve(i: int) -> bool:
        """One move or swap of i that leaves fewer gaps; whether one was made."""
        old = agendas.slot_of[i]
        for s in inst.candidates[i]:
            # Only a slot next to another meeting of a member can close a gap.
            if not any(
                t is not None and t != old and t in agendas.at[p]
                for p in inst.members[i]
                for t in (prev[s], following[s])
            ):
                continue
            if agendas.try_move(i, s, moved(i, s) - moved(i, old)):
                return True
        for p in inst.members[i]:
            for j in list(agendas.at[p].values()):
                if j == i or inst.fixed_slot[j] is not None:
                    continue
                si, sj = agendas.slot_of[i], agendas.slot_of[j]
                penalty = moved(i, sj) + moved(j, si) - moved(i, si) - moved(j, sj)
                if agendas.try_swap(i, j, penalty):
                    return True
        return False

    sweep(movable, improve, deadline=deadline, seed=seed, tick=tick)
    return agendas.slot_of


def sweep(
    movable: list[int],
    improve: Callable[[int], bool],
    *,
    deadline: float,
    seed: int,
    tick: Callable[[], bool | None] | None,
) -> None:
    """Offer each movable meeting to `improve` in a random order, round after round while
    one of them improves, until `deadline` (a `time.monotonic()` value). `tick` is called
    every TICK_SECONDS; when it returns True, the rounds stop at once."""
    next_tick = time.monotonic() + TICK_SECONDS
    rng = random.Random(seed)
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        rng.shuffle(movable)
        for i in movable:
            now = time.monotonic()
            if now >= deadline:
                break
            if tick is not None and now >= next_tick:
                next_tick = now + TICK_SECONDS
                if tick():
                    return
            improved = improve(i) or improved
