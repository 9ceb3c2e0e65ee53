"""The first-come baseline: what simple scheduling tools do.

Fixed meetings first, where they are; then every other meeting in the problem's order (the
order of the requests), each to the earliest slot where all its participants are available,
free and under their limit, the meeting is allowed, and a suitable table is free. Nothing is
ever moved once placed. Every benchmark compares the solver with this.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from scheduler.explain import explain
from scheduler.problem import Assignment, Meeting, Participant, Problem, Schedule, Unscheduled


def greedy(problem: Problem) -> Schedule:
    started = time.perf_counter()
    tables = TableBook(problem)
    busy: dict[str, set[str]] = {p.id: set() for p in problem.participants}
    placement: dict[str, tuple[str, str]] = {}

    def place(meeting: Meeting, slot: str, table: str) -> None:
        tables.take(slot, table)
        for person in meeting.participants:
            busy[person].add(slot)
        placement[meeting.id] = (slot, table)

    # Fixed meetings with a table claim it before fixed meetings that only name a slot.
    fixed = sorted(
        (m for m in problem.meetings if m.fixed is not None), key=lambda m: m.fixed.table is None
    )
    for m in fixed:
        slot, table = m.fixed.slot, m.fixed.table
        if table is None or not tables.is_free(slot, table):
            table = tables.find(slot, m)
        if table is not None:
            place(m, slot, table)

    people = problem.participant_by_id
    limit = {p.id: p.max_meetings for p in problem.participants}
    for m in problem.meetings:
        if m.fixed is not None:
            continue
        if any(limit[p] is not None and len(busy[p]) >= limit[p] for p in m.participants):
            continue
        for slot in _candidate_slots(problem, m, people):
            if any(slot in busy[p] for p in m.participants):
                continue
            table = tables.find(slot, m)
            if table is not None:
                place(m, slot, table)
                break

    reasons = explain(problem, placement)
    return Schedule(
        assignments=tuple(
            Assignment(m.id, *placement[m.id]) for m in problem.meetings if m.id in placement
        ),
        unscheduled=tuple(
            Unscheduled(m.id, reasons[m.id]) for m in problem.meetings if m.id not in placement
        ),
        stats={"status": "greedy", "seconds": round(time.perf_counter() - started, 3)},
    )


def _candidate_slots(
    problem: Problem, meeting: Meeting, people: Mapping[str, Participant]
) -> Iterable[str]:
    allowed = meeting.allowed_slots
    available = [people[p].available for p in meeting.participants]
    for slot in problem.slots:
        if (allowed is None or slot.id in allowed) and all(slot.id in a for a in available):
            yield slot.id


class TableBook:
    """Which tables are taken in each slot, and the best free table for a meeting.

    A meeting with a booth holder goes to one of its participants' booths; any other meeting
    to the smallest free ordinary table that seats it (so large tables stay for groups).
    """

    def __init__(self, problem: Problem) -> None:
        self._problem = problem
        ordinary = [t for t in problem.tables if t.id not in problem.booth_tables]
        # Size classes of ordinary tables, smallest first; None (unlimited) last.
        sizes = sorted({t.seats for t in ordinary}, key=lambda s: (s is None, s or 0))
        self._classes = [(size, [t.id for t in ordinary if t.seats == size]) for size in sizes]
        self._taken: dict[str, set[str]] = {}
        # Per slot and class, a stack of tables not yet taken (popped lazily when taken).
        self._free: dict[str, list[list[str]]] = {}

    def is_free(self, slot: str, table: str) -> bool:
        return table not in self._taken.get(slot, ())

    def take(self, slot: str, table: str) -> None:
        self._taken.setdefault(slot, set()).add(table)

    def find(self, slot: str, meeting: Meeting) -> str | None:
        people = self._problem.participant_by_id
        size = len(meeting.participants)
        booths = sorted({people[p].booth for p in meeting.participants if people[p].booth})
        if booths:
            return next((b for b in booths if self.is_free(slot, b) and self._seats(b, size)), None)
        taken = self._taken.get(slot, set())
        stacks = self._free.get(slot)
        if stacks is None:
            stacks = self._free[slot] = [list(reversed(ids)) for _, ids in self._classes]
        for (seats, _), stack in zip(self._classes, stacks, strict=True):
            if seats is not None and seats < size:
                continue
            while stack and stack[-1] in taken:
                stack.pop()
            if stack:
                return stack[-1]
        return None

    def _seats(self, table: str, size: int) -> bool:
        seats = self._problem.table_by_id[table].seats
        return seats is None or seats >= size
