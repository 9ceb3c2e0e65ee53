"""Giving tables to meetings once their slots are known, with few table changes.

Each slot is a small min-cost flow: meeting -> table -> sink, every table taking one meeting.
A meeting may use the tables it is allowed (its fixed table; one of its booths; a general table
with enough seats, reached through one node per size so the graph stays small). Arcs to a table
a participant sat at just before, or to the table the previous schedule gave the meeting,
cost less. A first pass takes the slots in order, the busier side of a meeting weighing more,
so hosts keep their table. Then, while time is left, each slot is solved again against the
tables of the meetings before and after it (which counts its changes exactly), and two tables
are exchanged over runs of slots (table_swaps.py), until neither helps.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping

from ortools.graph.python import min_cost_flow

from scheduler.instance import Instance
from scheduler.table_swaps import TableSwaps

CHANGE = 10
"""Cost of moving one participant to another table than at their previous meeting."""
MOVE = 25
"""Cost of moving a meeting away from the table the previous schedule gave it."""


class _Tables:
    def __init__(self, inst: Instance) -> None:
        problem = inst.problem
        self.inst = inst
        self.general = [t for t in problem.tables if t.id not in problem.booth_tables]
        self.seats = {t.id: t.seats for t in problem.tables}

    def allowed(self, i: int, table: str) -> bool:
        inst = self.inst
        if inst.fixed_table[i] is not None:
            return table == inst.fixed_table[i]
        options = inst.booth_options[i]
        if options is not None:
            return table in options
        seats = self.seats.get(table, 0)
        return (
            table not in inst.problem.booth_tables
            and table in self.seats
            and (seats is None or seats >= len(inst.members[i]))
        )


def assign_tables(
    inst: Instance,
    placement: Mapping[int, int],
    previous: Mapping[int, str] | None = None,
    *,
    seconds: float = 5.0,
) -> tuple[dict[int, str], list[int]]:
    """Tables for the placed meetings, and the meetings no table could be found for.

    `previous` maps meetings to the tables an earlier schedule gave them. The first pass
    always runs; the improvements after it stop after `seconds`.
    """
    deadline = time.monotonic() + seconds
    previous = previous or {}
    tables = _Tables(inst)
    by_slot: dict[int, list[int]] = defaultdict(list)
    for i, s in placement.items():
        by_slot[s].append(i)
    order = [s for day in inst.days for s in day if s in by_slot]
    agendas = _Agendas(inst, placement, order)

    given: dict[int, str] = {}
    dropped: list[int] = []
    for s in order:
        meetings = sorted(by_slot[s])
        beside = {i: agendas.before(i, given) for i in meetings}
        chosen, lost = _assign_slot(tables, meetings, beside, previous)
        given.update(chosen)
        dropped.extend(lost)

    swaps = TableSwaps(
        inst,
        placement,
        given,
        previous,
        tables.allowed,
        agendas.previous,
        agendas.next,
        (CHANGE, MOVE),
    )
    while _sweep(tables, agendas, order, by_slot, given, previous, deadline):
        order.reverse()
    while swaps.improve(deadline) and _sweep(
        tables, agendas, order, by_slot, given, previous, deadline
    ):
        pass
    return given, dropped


def _sweep(
    tables: _Tables,
    agendas: _Agendas,
    order: list[int],
    by_slot: Mapping[int, list[int]],
    given: dict[int, str],
    previous: Mapping[int, str],
    deadline: float,
) -> bool:
    """Solve each slot again against the tables before and after it; whether any improved."""
    improved = False
    for s in order:
        if time.monotonic() >= deadline:
            break
        meetings = [i for i in sorted(by_slot[s]) if i in given]
        beside = {i: agendas.around(i, given) for i in meetings}
        chosen, _ = _assign_slot(tables, meetings, beside, previous)
        if len(chosen) < len(meetings):
            continue  # cannot happen (the slot had these tables), but never lose one
        if _slot_cost(meetings, chosen, beside, previous) < _slot_cost(
            meetings, given, beside, previous
        ):
            given.update(chosen)
            improved = True
    return improved


class _Agendas:
    """Each person's meetings of one day in order, to find the meetings beside a meeting."""

    def __init__(self, inst: Instance, placement: Mapping[int, int], order: list[int]) -> None:
        self.inst = inst
        rank = {s: k for k, s in enumerate(order)}
        mine: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in sorted(placement, key=lambda i: rank[placement[i]]):
            for p in inst.members[i]:
                mine[p, inst.day_of[placement[i]]].append(i)
        self.previous: dict[tuple[int, int], int] = {}
        self.next: dict[tuple[int, int], int] = {}
        self.left_today: dict[tuple[int, int], int] = {}
        for (p, _), meetings in mine.items():
            for k, i in enumerate(meetings):
                self.left_today[i, p] = len(meetings) - k
                if k:
                    self.previous[i, p] = meetings[k - 1]
                    self.next[meetings[k - 1], p] = i

    def before(self, i: int, given: Mapping[int, str]) -> list[tuple[int, str]]:
        """(weight, table) of each member's meeting just before i; the busier the rest of
        someone's day, the more moving them costs: they host."""
        out = []
        for p in self.inst.members[i]:
            j = self.previous.get((i, p))
            if j is not None and j in given:
                out.append((CHANGE + min(self.left_today[i, p], 9), given[j]))
        return out

    def around(self, i: int, given: Mapping[int, str]) -> list[tuple[int, str]]:
        """(CHANGE, table) of each member's meetings just before and just after i."""
        out = []
        for p in self.inst.members[i]:
            for j in (self.previous.get((i, p)), self.next.get((i, p))):
                if j is not None and j in given:
                    out.append((CHANGE, given[j]))
        return out


def _slot_cost(
    meetings: list[int],
    at: Mapping[int, str],
    beside: Mapping[int, list[tuple[int, str]]],
    previous: Mapping[int, str],
) -> int:
    return sum(
        sum(w for w, there in beside[i] if there != at[i])
        + (MOVE if i in previous and previous[i] != at[i] else 0)
        for i in meetings
    )


def _assign_slot(
    tables: _Tables,
    meetings: list[int],
    beside: Mapping[int, list[tuple[int, str]]],
    previous: Mapping[int, str],
) -> tuple[dict[int, str], list[int]]:
    """The cheapest tables for one slot's meetings: a meeting pays the weight of every
    (weight, table) in `beside[i]` whose table it does not take, and MOVE for leaving the
    table `previous` gave it."""
    inst = tables.inst
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    nodes: dict[object, int] = {}

    def node(key: object) -> int:
        if key not in nodes:
            nodes[key] = len(nodes) + 2
        return nodes[key]

    reserved = {inst.fixed_table[i] for i in meetings if inst.fixed_table[i] is not None}

    def cost(i: int, table: str) -> int:
        moved = sum(w for w, there in beside[i] if there != table)
        before = previous.get(i)
        return moved + (MOVE if before is not None and before != table else 0)

    worst = {i: sum(w for w, _ in beside[i]) + (MOVE if i in previous else 0) for i in meetings}
    sizes_used = set()
    meeting_arcs: list[tuple[int, int, str]] = []
    pooled_arcs: dict[int, int] = {}
    for i in meetings:
        flow.add_arc_with_capacity_and_unit_cost(source, node(("m", i)), 1, 0)
        fixed = inst.fixed_table[i]
        options = inst.booth_options[i]
        if fixed is not None:
            wanted = [fixed]
        elif options is not None:
            wanted = [t for t in options if t not in reserved]
        else:
            wanted = [there for _, there in beside[i]]
            if i in previous:
                wanted.append(previous[i])
            wanted = [t for t in dict.fromkeys(wanted) if t not in reserved]
            sizes_used.add(len(inst.members[i]))
            pooled_arcs[i] = flow.add_arc_with_capacity_and_unit_cost(
                node(("m", i)), node(("size", len(inst.members[i]))), 1, worst[i]
            )
        for table in wanted:
            if tables.allowed(i, table):
                arc = flow.add_arc_with_capacity_and_unit_cost(
                    node(("m", i)), node(("t", table)), 1, cost(i, table)
                )
                meeting_arcs.append((arc, i, table))
    size_arcs: list[tuple[int, int, str]] = []
    for k in sizes_used:
        for t in tables.general:
            if t.id not in reserved and (t.seats is None or t.seats >= k):
                arc = flow.add_arc_with_capacity_and_unit_cost(
                    node(("size", k)), node(("t", t.id)), len(meetings), 0
                )
                size_arcs.append((arc, k, t.id))
    for key, n in list(nodes.items()):
        if isinstance(key, tuple) and key[0] == "t":
            flow.add_arc_with_capacity_and_unit_cost(n, sink, 1, 0)

    flow.set_node_supply(source, len(meetings))
    flow.set_node_supply(sink, -len(meetings))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        return {}, list(meetings)

    chosen: dict[int, str] = {}
    for arc, i, table in meeting_arcs:
        if flow.flow(arc):
            chosen[i] = table
    through_size: dict[int, list[str]] = defaultdict(list)
    for arc, k, table in size_arcs:
        if flow.flow(arc):
            through_size[k].append(table)
    # A size node's tables go to the meetings that flowed into it: any of them fits any.
    for i, arc in pooled_arcs.items():
        if flow.flow(arc):
            chosen[i] = through_size[len(inst.members[i])].pop()
    lost = [i for i in meetings if i not in chosen]
    return chosen, lost
