"""Large-neighbourhood search over a placement.

Each step frees the meetings of a few participants (scheduled or not), keeps everything else
where it is, and lets CP-SAT re-place the freed meetings under the whole lexicographic order
(priority, people served at least once and twice, idle gaps, moves against a previous
schedule), folded into one weighted objective whose weights are exact for the neighbourhood.
The current placement is the hint, so a step never makes things worse; it is kept when the
event-wide score does not drop.

Neighbourhoods grow from a participant with idle gaps or unscheduled meetings through the
people they meet, so that the freed meetings can really swap slots with each other. Steps that
only move meetings take one day at a time (the meetings of that day around someone with a gap
there, kept within the day), which keeps their models small.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import astuple, dataclass
from functools import cache

from scheduler import cpsat
from scheduler.instance import Instance
from scheduler.metrics import person_gaps
from scheduler.model import Placement, PlacementModel


@dataclass(frozen=True, order=True)
class Score:
    """A placement's worth in FORMATS.md's order; a larger score is a better placement."""

    priority: int
    served: int
    """The leximin order of people's meeting counts as one number (see `ladder_values`)."""
    minus_gaps: int
    minus_moves: int

    def __add__(self, other: Score) -> Score:
        return Score(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def __sub__(self, other: Score) -> Score:
        return Score(*(a - b for a, b in zip(astuple(self), astuple(other), strict=True)))


def score(inst: Instance, placement: Mapping[int, int], previous: Mapping[int, int]) -> Score:
    return part_score(
        inst, placement, previous, range(len(inst.meeting_ids)), range(len(inst.participant_ids))
    )


def part_score(
    inst: Instance,
    placement: Mapping[int, int],
    previous: Mapping[int, int],
    meetings: Iterable[int],
    people: Iterable[int],
) -> Score:
    """The share of `meetings` (priority, moves) and `people` (served, gaps) in the score:
    a step changes only these, so the event's score moves by the difference of two parts."""
    priority = moved = served = gaps = 0
    value = ladder_values(len(inst.participant_ids), len(inst.slot_ids))
    for i in meetings:
        s = placement.get(i)
        if s is not None:
            priority += inst.priority[i]
        if i in previous and previous[i] != s:
            moved += 1
    for p in people:
        mine = [placement[i] for i in inst.meetings_of[p] if i in placement]
        served += value[len(mine)]
        gaps += gaps_of(inst, mine)
    return Score(priority, served, -gaps, -moved)


@cache
def ladder_values(people: int, slots: int) -> tuple[int, ...]:
    """What a person with n meetings adds to `Score.served`: one unit of level k (having at
    least k meetings) outweighs every level above it together, so the sum over people
    compares like the counts level by level, that is like the sorted meeting counts
    (leximin). Python's integers hold the exact weights."""
    base = people + 1
    values = [0]
    for level in range(1, slots + 1):
        values.append(values[-1] + base ** (slots - level))
    return tuple(values)


def gaps_of(inst: Instance, slots: list[int]) -> int:
    """Idle gaps of one person meeting in `slots`: runs of free slots between meetings."""
    if len(slots) < 2:
        return 0
    return person_gaps((inst.day_of[s], inst.position_in_day[s]) for s in slots)


class Search:
    def __init__(
        self,
        inst: Instance,
        placement: Placement,
        previous: Mapping[int, int],
        *,
        workers: int,
        seed: int = 0,
    ) -> None:
        self.inst = inst
        self.placement = dict(placement)
        self.previous = previous
        self.workers = workers
        self.rng = random.Random(seed)
        self.score = score(inst, self.placement, previous)
        self.partners: list[list[int]] = [
            sorted({q for i in ms for q in inst.members[i] if q != p})
            for p, ms in enumerate(inst.meetings_of)
        ]
        self.usage = [[0] * len(inst.slot_ids) for _ in inst.capacities]
        for i, s in self.placement.items():
            self._use(i, s, +1)
        self.version = 0
        """Counts the changes to the placement (to know when cached seeds are stale)."""
        self._seeds: dict[bool, tuple[int, list[int]]] = {}
        self._unserved: tuple[int, list[int]] | None = None
        self.stuck: set[int] = set()
        """Unserved people a step around them proved it could not serve (unserved.py): not
        tried again, and not taken as seeds for being unserved, so steps go where they pay."""
        self.settled = False
        """Whether the last step proved its neighbourhood's optimum."""
        self.steps = self.improvements = 0
        self.movable = sum(
            1 for i, c in enumerate(inst.candidates) if c and inst.fixed_slot[i] is None
        )
        self.proven = False
        """True once a step has re-optimised every movable meeting to optimality."""
        self.target = {True: 30, False: 80}
        """Meetings to free per neighbourhood, with and without reselection."""

    # --- one step ----------------------------------------------------------------------------

    def step(
        self,
        time_limit: float,
        tick: Callable[[float | None, float | None], bool | None],
        *,
        reselect: bool,
    ) -> bool:
        """Re-optimise one neighbourhood; True when the placement got strictly better.

        With `reselect`, the freed meetings include unscheduled ones and the whole order is
        optimised; without, the scheduled meetings stay scheduled and only move, to cut idle
        gaps (and moves): a much easier model, so neighbourhoods can be larger.
        """
        if reselect:
            free, day = self._neighbourhood(scheduled_only=False), None
        else:
            free, day = self._day_neighbourhood()
        return self.reoptimise(free, day, time_limit, tick, reselect=reselect)

    def reoptimise(
        self,
        free: set[int],
        day: int | None,
        time_limit: float,
        tick: Callable[[float | None, float | None], bool | None],
        *,
        reselect: bool,
        agendas: bool = True,
    ) -> bool:
        """Re-optimise the meetings `free` (within `day` if given), keeping the rest; True
        when the placement got strictly better. Without `agendas`, a reselecting step weighs
        priority, people served, and then as few meetings as possible leaving their slot
        instead of gaps: a much easier model, for steps meant to serve someone (a gain in
        the first two outweighs whatever it costs in gaps)."""
        if not free:
            return False
        frozen = {i: s for i, s in self.placement.items() if i not in free}
        pm = PlacementModel(
            self.inst,
            free,
            frozen,
            frozen_use=self._frozen_use(free),
            only_slots=None if day is None else set(self.inst.days[day]),
        )
        if reselect:
            pm.model.maximize(self._objective(pm, agendas=agendas))
        else:
            for i in free:
                if i in pm.scheduled:
                    pm.model.add(pm.scheduled[i] == 1)
            moves = pm.moves(self.previous) if self.previous else 0
            pm.model.minimize(pm.gaps() * (len(self.previous) + 1) + moves)
        pm.hint(self.placement)
        out = cpsat.run(
            pm.model,
            time_limit=time_limit,
            workers=self.workers,
            tick=tick,
            seed=self.steps,
            light_presolve=True,
        )
        self.steps += 1
        self.settled = out.optimal
        if reselect and agendas and out.optimal and len(free) == self.movable:
            self.proven = True  # the neighbourhood was the whole event
        if not out.found:
            self._adapt(reselect, grow=False)
            return False
        candidate = {**frozen, **pm.placement(out.solver.value)}
        people = {p for i in free for p in self.inst.members[i]}
        old = part_score(self.inst, self.placement, self.previous, free, people)
        new = part_score(self.inst, candidate, self.previous, free, people)
        self._adapt(reselect, grow=out.optimal or new > old)
        if new < old:
            return False
        for i in free:
            self._use(i, self.placement.get(i), -1)
            self._use(i, candidate.get(i), +1)
        self.placement, self.score = candidate, self.score - old + new
        self.improvements += new > old
        self.version += new != old
        return new > old

    def _use(self, i: int, s: int | None, change: int) -> None:
        if s is not None:
            for c in self.inst.capacities_of[i]:
                self.usage[c][s] += change

    def _frozen_use(self, free: set[int]) -> dict[int, list[int]]:
        """Table use per capacity and slot by every meeting but the free ones."""
        out: dict[int, list[int]] = {}
        for i in free:
            for c in self.inst.capacities_of[i]:
                if c not in out:
                    out[c] = list(self.usage[c])
        for i in free:
            s = self.placement.get(i)
            if s is not None:
                for c in self.inst.capacities_of[i]:
                    out[c][s] -= 1
        return out

    def _objective(self, pm: PlacementModel, *, agendas: bool = True):
        """Priority, then the first fairness levels (at least one meeting, at least two),
        fewer gaps, fewer moves: exact weights from the largest value each later term can take
        in this neighbourhood. Higher levels are judged exactly when the step's result is
        compared (`Score.served`), so a step never lowers them for less gaps.

        Without `agendas`: priority, then level 1, then the fewest freed meetings leaving
        their current slot, which keeps the agendas around the change as they were."""
        touched = pm.touched()
        keep = (
            self.previous
            if agendas
            else {i: self.placement[i] for i in pm.x if i in self.placement}
        )
        moved_max = sum(1 for i in keep if i in pm.x)
        gaps_max = (
            sum(
                len(day) // 2
                for p in touched
                for day in self.inst.days
                if any(s in pm.at[p] for s in day)
            )
            if agendas
            else 0
        )
        w_gaps = moved_max + 1
        levels = min(pm.top_level(), SOUGHT_LEVELS if agendas else 1)
        weight = w_gaps * (gaps_max + 1)
        objective = -w_gaps * pm.gaps() if agendas else 0
        for level in range(levels, 0, -1):
            served, _ = pm.served_at_least(level)
            objective += weight * served
            weight *= len(touched) + 1
        if agendas:
            # The levels above stay where they are: a step that lowered one for fewer gaps
            # would only be refused when its result is compared.
            for level in range(levels + 1, pm.top_level() + 1):
                served, counted = pm.served_at_least(level)
                if counted:
                    pm.model.add(served >= pm.served_in(self.placement, level))
        objective += weight * pm.priority()
        if keep:
            objective -= pm.moves(keep)
        return objective

    def _adapt(self, reselect: bool, *, grow: bool) -> None:
        """Grow neighbourhoods while steps pay off (improve, or close their neighbourhood);
        shrink them when a step finds nothing, not even its starting point, in its time."""
        size = self.target[reselect]
        size = min(400, int(size * 1.1) + 1) if grow else max(10, int(size * 0.8))
        self.target[reselect] = size

    # --- choosing what to free ---------------------------------------------------------------

    def _neighbourhood(self, scheduled_only: bool) -> set[int]:
        inst = self.inst
        target = self.target[not scheduled_only]
        seeds = self._seed_candidates(scheduled_only)
        if not seeds:
            if not scheduled_only:
                # Nobody has a gap, a move or a meeting that could still be placed: every
                # criterion is at its best already.
                self.proven = True
            return set()
        unserved = [] if scheduled_only else [p for p in self.unserved() if p not in self.stuck]
        # Half the reselecting steps start from someone with no meeting who could have one:
        # fairness ranks right after priority, and they are few among many seeds.
        first = self.rng.choice(unserved if unserved and self.rng.random() < 0.5 else seeds)
        people = [first]
        chosen = set(people)
        free: set[int] = set()
        while people and len(free) < target:
            p = people.pop(0)
            free.update(
                i
                for i in inst.meetings_of[p]
                if inst.candidates[i] and (i in self.placement or not scheduled_only)
            )
            partners = [q for q in self.partners[p] if q not in chosen]
            self.rng.shuffle(partners)
            for q in partners[:3]:
                chosen.add(q)
                people.append(q)
            if not people:
                # Start another cluster when this one is exhausted: from someone who can
                # gain, else from anyone (small events then get freed entirely).
                rest = [q for q in seeds if q not in chosen] or [
                    q for q in range(len(inst.participant_ids)) if q not in chosen
                ]
                if rest:
                    q = self.rng.choice(rest)
                    chosen.add(q)
                    people.append(q)
        return {i for i in free if inst.fixed_slot[i] is None}

    def _day_neighbourhood(self) -> tuple[set[int], int | None]:
        """Scheduled meetings of one day around someone with an idle gap that day, to be
        re-placed within that day: other days' agendas cannot change, so the model is small
        and its gaps are those of one day."""
        inst = self.inst
        seeds = self._seed_candidates(True)
        if not seeds:
            return set(), None
        first = self.rng.choice(seeds)
        days = [
            d
            for d, day in enumerate(inst.days)
            if gaps_of(inst, [s for s in self._slots_of(first) if inst.day_of[s] == d])
        ]
        if not days:
            return set(), None
        day = self.rng.choice(days)
        target = self.target[False]
        people, chosen, free = [first], {first}, set()
        while people and len(free) < target:
            p = people.pop(0)
            mine = [
                i
                for i in inst.meetings_of[p]
                if i in self.placement
                and inst.day_of[self.placement[i]] == day
                and inst.fixed_slot[i] is None
            ]
            free.update(mine)
            partners = [q for i in mine for q in inst.members[i] if q not in chosen]
            self.rng.shuffle(partners)
            for q in partners:
                chosen.add(q)
                people.append(q)
        return free, day

    def unserved(self) -> list[int]:
        """People with no scheduled meeting but one that has a slot all its people can
        attend (and nobody in it who accepts none: `Instance.candidates`)."""
        cached = self._unserved
        if cached is not None and cached[0] == self.version:
            return cached[1]
        inst = self.inst
        placed = [False] * len(inst.participant_ids)
        for i in self.placement:
            for p in inst.members[i]:
                placed[p] = True
        out = [
            p
            for p, ms in enumerate(inst.meetings_of)
            if not placed[p] and any(inst.candidates[i] for i in ms)
        ]
        self._unserved = (self.version, out)
        return out

    def _slots_of(self, p: int) -> list[int]:
        return [self.placement[i] for i in self.inst.meetings_of[p] if i in self.placement]

    def _seed_candidates(self, scheduled_only: bool) -> list[int]:
        """People whose agenda can improve: with idle gaps or an unscheduled meeting."""
        cached = self._seeds.get(scheduled_only)
        if cached is not None and cached[0] == self.version:
            return cached[1]
        seeds = self._find_seeds(scheduled_only)
        self._seeds[scheduled_only] = (self.version, seeds)
        return seeds

    def _find_seeds(self, scheduled_only: bool) -> list[int]:
        inst = self.inst
        slots: list[list[int]] = [[] for _ in inst.participant_ids]
        for i, s in self.placement.items():
            for p in inst.members[i]:
                slots[p].append(s)
        out = [p for p, mine in enumerate(slots) if gaps_of(inst, mine)]
        if not scheduled_only:
            out += [
                p
                for p, ms in enumerate(inst.meetings_of)
                if any(i not in self.placement and inst.candidates[i] for i in ms)
            ]
        if self.previous:
            out += [
                p
                for i, s in self.previous.items()
                if self.placement.get(i) != s
                for p in inst.members[i]
            ]
        return out


SOUGHT_LEVELS = 2
"""Fairness levels a step's model weighs. Weighing every level made the steps slower: on
three Osaka-size events in 10 s, 99, 99 and 98 idle gaps against 81, 74 and 93 with two."""
RESELECT_EVERY = 4
"""One step in this many may change which meetings are scheduled; the others move meetings."""
STEP_SECONDS = {True: 0.5, False: 0.2}
"""Most time one neighbourhood gets (with and without reselection): many short steps beat a
few long ones, as CP-SAT finds a neighbourhood's improvements long before it proves them."""


def improve(
    search: Search,
    *,
    seconds_left: Callable[[], float],
    report: Callable[[Score], bool | None],
) -> Placement:
    """Run steps until `seconds_left()` reaches zero; `report` sees the score after each (and
    while a step searches: when it returns True, the step ends with what it found)."""
    n = 0
    while (left := seconds_left()) > 0.02 and not search.proven:
        reselect = n % RESELECT_EVERY == 0
        search.step(
            min(STEP_SECONDS[reselect], left),
            lambda best, bound: report(search.score),
            reselect=reselect,
        )
        report(search.score)
        n += 1
    return search.placement
