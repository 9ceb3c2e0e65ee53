"""Giving tables to meetings, slot by slot, once their slots are known.

Each slot is a small min-cost flow: meeting -> table -> sink, every table taking one meeting.
A meeting may use the tables it is allowed (its fixed table; one of its booths; a general table
with enough seats, reached through one node per size so the graph stays small). Arcs to a table
a participant sat at earlier that day, or to the table the previous schedule gave the meeting,
cost less, so hosts keep their table across consecutive meetings and re-planning moves
little. Slots are taken in order, so each one knows where everybody sat before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from ortools.graph.python import min_cost_flow

from scheduler.instance import Instance

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
) -> tuple[dict[int, str], list[int]]:
    """Tables for the placed meetings, and the meetings no table could be found for.

    `previous` maps meetings to the tables an earlier schedule gave them.
    """
    previous = previous or {}
    tables = _Tables(inst)
    by_slot: dict[int, list[int]] = defaultdict(list)
    for i, s in placement.items():
        by_slot[s].append(i)
    remaining_today: dict[tuple[int, int], int] = defaultdict(int)
    for i, s in placement.items():
        for p in inst.members[i]:
            remaining_today[p, inst.day_of[s]] += 1

    given: dict[int, str] = {}
    dropped: list[int] = []
    last_table: dict[int, str] = {}
    current_day = None
    for s in sorted(by_slot):
        day = inst.day_of[s]
        if day != current_day:
            last_table.clear()
            current_day = day
        meetings = sorted(by_slot[s])
        chosen, lost = _assign_slot(tables, meetings, last_table, previous, remaining_today, day)
        given.update(chosen)
        dropped.extend(lost)
        for i, table in chosen.items():
            for p in inst.members[i]:
                last_table[p] = table
                remaining_today[p, day] -= 1
    return given, dropped


def _assign_slot(
    tables: _Tables,
    meetings: list[int],
    last_table: Mapping[int, str],
    previous: Mapping[int, str],
    remaining_today: Mapping[tuple[int, int], int],
    day: int,
) -> tuple[dict[int, str], list[int]]:
    inst = tables.inst
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    nodes: dict[object, int] = {}

    def node(key: object) -> int:
        if key not in nodes:
            nodes[key] = len(nodes) + 2
        return nodes[key]

    reserved = {inst.fixed_table[i] for i in meetings if inst.fixed_table[i] is not None}

    def weight(p: int) -> int:
        # The busier someone's day still is, the more it costs to move them: they host.
        return CHANGE + min(remaining_today[p, day], 9)

    def cost(i: int, table: str) -> int:
        moved = sum(
            weight(p) for p in inst.members[i] if p in last_table and last_table[p] != table
        )
        before = previous.get(i)
        return moved + (MOVE if before is not None and before != table else 0)

    worst = {
        i: sum(weight(p) for p in inst.members[i] if p in last_table)
        + (MOVE if i in previous else 0)
        for i in meetings
    }
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
            wanted = [last_table[p] for p in inst.members[i] if p in last_table]
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
