"""Upper bounds on the priority sum that any valid schedule of a problem can reach.

A bound says how far from optimal a schedule can be, so it must never be below the optimum:
every constraint below holds for every valid schedule.

- Capacity bound (instant): every meeting's priority is shared out equally among its
  participants; a person takes at most min(max_meetings, slots where any of their meetings is
  possible) meetings, so collects at most the sum of their largest shares. The total is also
  capped by the table-slots there are.
- Matching bound (linear programming): choose a fraction of each meeting so that, for each
  person and each window of slots (a session, a day, the whole event), the meetings confined to
  that window take at most the slots they can use there; per window at most slots x tables
  (that seat them) ordinary meetings; fixed meetings are taken whole. The value is certified
  from the LP's dual prices (weak duality, computed here), so solver tolerances cannot push it
  below the optimum.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from scheduler.problem import Meeting, Problem

MATCHING_SIZE_LIMIT = 300_000
"""Past this many meetings only the capacity bound is computed."""


@dataclass(frozen=True)
class Bound:
    value: int
    method: str
    """'matching LP' or 'capacity'."""
    seconds: float


def upper_bound(problem: Problem, time_limit: float = 10.0) -> Bound:
    """The tighter of the two bounds; the LP is skipped past `MATCHING_SIZE_LIMIT` meetings and
    abandoned after `time_limit` seconds."""
    started = time.perf_counter()
    relaxation = Relaxation(problem)
    value, method = relaxation.capacity_bound(), "capacity"
    if len(relaxation.candidates) <= MATCHING_SIZE_LIMIT:
        remaining = time_limit - (time.perf_counter() - started)
        matching = relaxation.matching_bound(remaining) if remaining > 0 else None
        if matching is not None and matching < value:
            value, method = matching, "matching LP"
    return Bound(value, method, round(time.perf_counter() - started, 3))


class Relaxation:
    """Which meetings compete for the same people, slots and tables.

    Slot sets are bit masks (bit i = the problem's i-th slot) so that windows and unions stay
    cheap for tens of thousands of meetings.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        index = problem.slot_index
        every = (1 << len(problem.slots)) - 1
        available = {p.id: _mask(index[s] for s in p.available) for p in problem.participants}
        self.possible: dict[str, int] = {}
        for m in problem.meetings:
            if m.fixed is not None:
                # Kept where it is in every valid schedule, possible or not.
                self.possible[m.id] = 1 << index[m.fixed.slot]
                continue
            mask = every if m.allowed_slots is None else _mask(index[s] for s in m.allowed_slots)
            for p in m.participants:
                mask &= available[p]
            self.possible[m.id] = mask
        self.candidates = [m for m in problem.meetings if self.possible[m.id]]
        self.windows = [
            *_sessions(problem),
            *(_mask(index[s] for s in day) for day in problem.days),
        ]
        if every not in self.windows:
            self.windows.append(every)

    # --- capacity bound ---

    def capacity_bound(self) -> int:
        shares = 0.0
        for person, meetings in self._by_person().items():
            cap = self._person_capacity(person, meetings)
            shares += sum(heapq.nlargest(cap, (m.priority / len(m.participants) for m in meetings)))
        table_slots = len(self.problem.slots) * len(self.problem.tables)
        by_tables = sum(heapq.nlargest(table_slots, (m.priority for m in self.candidates)))
        # The shares are fractions: allow for rounding before flooring.
        return min(int(shares + 1e-6), by_tables)

    # --- matching bound ---

    def matching_bound(self, time_limit: float) -> int | None:
        """The certified LP bound, or None if the LP was not solved to optimality in time."""
        rows = list(self.rows())
        solver = pywraplp.Solver.CreateSolver("GLOP")
        solver.SetTimeLimit(max(1, int(time_limit * 1000)))
        take = {
            m.id: solver.NumVar(1.0 if m.fixed is not None else 0.0, 1.0, m.id)
            for m in self.candidates
        }
        constraints = []
        for members, capacity in rows:
            row = solver.Constraint(-solver.infinity(), capacity)
            for m in members:
                row.SetCoefficient(take[m], 1)
            constraints.append(row)
        objective = solver.Objective()
        for m in self.candidates:
            objective.SetCoefficient(take[m.id], m.priority)
        objective.SetMaximization()
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        prices = [max(0.0, c.dual_value()) for c in constraints]
        return self._dual_bound(rows, prices)

    def _dual_bound(self, rows: list[tuple[list[str], int]], prices: list[float]) -> int:
        """Weak duality: for prices y >= 0 on the rows, every valid choice x has
        sum(w x) <= sum(y b) + sum over meetings of max(0, w - price) (taken whole if fixed)."""
        charged = dict.fromkeys(self.possible, 0.0)
        total = 0.0
        for (members, capacity), price in zip(rows, prices, strict=True):
            if price > 0:
                total += price * capacity
                for m in members:
                    charged[m] += price
        for m in self.candidates:
            reduced = m.priority - charged[m.id]
            total += reduced if m.fixed is not None else max(0.0, reduced)
        return int(total + 1e-6)

    def rows(self) -> Iterator[tuple[list[str], int]]:
        """(meeting ids, capacity): at most `capacity` of these meetings in any valid schedule.
        Rows that cannot bind (no more meetings than capacity) are left out."""
        for person, meetings in self._by_person().items():
            whole = self._person_capacity(person, meetings)
            if len(meetings) > whole:
                yield [m.id for m in meetings], whole
            for members, slots in self._confined(meetings):
                if len(members) > slots.bit_count() and slots.bit_count() < whole:
                    yield members, slots.bit_count()
        # Ordinary meetings (no booth holder) of k or more people share, per slot, the ordinary
        # tables that seat k. Booth holders' meetings are bounded by their holders' rows.
        booths = self.problem.booth_tables
        people = self.problem.participant_by_id
        ordinary = [m for m in self.candidates if not any(people[p].booth for p in m.participants)]
        for size in sorted({len(m.participants) for m in ordinary}):
            tables = sum(
                1
                for t in self.problem.tables
                if t.id not in booths and (t.seats is None or t.seats >= size)
            )
            fitting = [m for m in ordinary if len(m.participants) >= size]
            for members, slots in self._confined(fitting):
                if len(members) > slots.bit_count() * tables:
                    yield members, slots.bit_count() * tables

    def _by_person(self) -> dict[str, list[Meeting]]:
        by_id = self.problem.meeting_by_id
        among = self.problem.meetings_among(m.id for m in self.candidates)
        return {person: [by_id[mid] for mid in mids] for person, mids in among.items()}

    def _person_capacity(self, person: str, meetings: list[Meeting]) -> int:
        usable = 0
        for m in meetings:
            usable |= self.possible[m.id]
        limit = self.problem.participant_by_id[person].max_meetings
        slots = usable.bit_count()
        return slots if limit is None else min(limit, slots)

    def _confined(self, meetings: list[Meeting]) -> Iterator[tuple[list[str], int]]:
        """Per window: the meetings whose possible slots lie within it, and the union of those
        slots."""
        for window in self.windows:
            members, union = [], 0
            for m in meetings:
                mask = self.possible[m.id]
                if mask & window == mask:
                    members.append(m.id)
                    union |= mask
            if members:
                yield members, union


def _mask(indices: Iterable[int]) -> int:
    mask = 0
    for i in indices:
        mask |= 1 << i
    return mask


def _sessions(problem: Problem) -> list[int]:
    """Runs of back-to-back slots (one slot's end is the next one's start), as masks."""
    sessions: list[int] = []
    for i, slot in enumerate(problem.slots):
        if sessions and problem.slots[i - 1].end == slot.start:
            sessions[-1] |= 1 << i
        else:
            sessions.append(1 << i)
    return sessions
