"""A cheap lower bound on table changes for meetings whose slots are fixed.

Every table change is a person's step from one meeting to their next meeting that day; a step
"stays" when both meetings get the same table. Two meetings in one slot never share a table,
so:

- a meeting can keep the steps into it from at most one meeting of any one earlier slot (its
  members who come from two meetings of one slot cannot all stay), and
- a meeting can keep the steps out of it into at most one meeting of any one later slot;
- a step between meetings that share no allowed table (a booth meeting and one at a general
  table, two different booths) never stays.

Both rules together make the steps that stay a matching between "meeting j, towards slot s"
and "meeting i, from slot s'": its largest weight (a min-cost flow) bounds the steps that can
stay, and every other step is a change. The bound holds for any choice of tables with these
slots, not for other placements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from ortools.graph.python import min_cost_flow

from scheduler.instance import Instance

GENERAL = "general"
"""Stands for every table that is not a booth, in the sets of tables compared below."""


def table_changes_bound(inst: Instance, placement: Mapping[int, int]) -> int:
    """No choice of tables for `placement` (meeting -> slot) has fewer table changes."""
    steps = _steps(inst, placement)
    total = sum(steps.values())
    can_stay = {
        (j, i): people
        for (j, i), people in steps.items()
        if not table_options(inst, j).isdisjoint(table_options(inst, i))
    }
    return total - _most_staying(placement, can_stay)


def _steps(inst: Instance, placement: Mapping[int, int]) -> Counter[tuple[int, int]]:
    """(meeting, the next meeting) -> how many people step from the one to the other."""
    order = {s: k for k, s in enumerate(s for day in inst.days for s in day)}
    last: dict[tuple[int, int], int] = {}
    steps: Counter[tuple[int, int]] = Counter()
    for i in sorted(placement, key=lambda i: order[placement[i]]):
        day = inst.day_of[placement[i]]
        for p in inst.members[i]:
            j = last.get((p, day))
            if j is not None:
                steps[j, i] += 1
            last[p, day] = i
    return steps


def _most_staying(placement: Mapping[int, int], steps: Mapping[tuple[int, int], int]) -> int:
    """The heaviest set of steps using each (meeting, other slot) once on each side."""
    if not steps:
        return 0
    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    nodes: dict[tuple[str, int, int], int] = {}

    def node(key: tuple[str, int, int]) -> int:
        if key not in nodes:
            nodes[key] = len(nodes) + 2
            if key[0] == "out":
                flow.add_arc_with_capacity_and_unit_cost(source, nodes[key], 1, 0)
                flow.add_arc_with_capacity_and_unit_cost(nodes[key], sink, 1, 0)
            else:
                flow.add_arc_with_capacity_and_unit_cost(nodes[key], sink, 1, 0)
        return nodes[key]

    arcs = []
    for (j, i), people in steps.items():
        leaving = node(("out", j, placement[i]))
        arriving = node(("in", i, placement[j]))
        arcs.append(
            (flow.add_arc_with_capacity_and_unit_cost(leaving, arriving, 1, -people), people)
        )
    senders = sum(1 for key in nodes if key[0] == "out")
    flow.set_node_supply(source, senders)
    flow.set_node_supply(sink, -senders)
    if flow.solve() != flow.OPTIMAL:
        return sum(steps.values())  # no bound beyond the trivial one
    return sum(people for arc, people in arcs if flow.flow(arc))


def table_options(inst: Instance, i: int) -> frozenset[str]:
    """The tables meeting i may take, every general table standing as GENERAL."""
    fixed = inst.fixed_table[i]
    if fixed is not None:
        # A general table fixed here could be the one a neighbour takes: keep it comparable.
        return frozenset({fixed} if fixed in inst.problem.booth_tables else {fixed, GENERAL})
    if inst.booth_options[i] is not None:
        return frozenset(inst.booth_options[i])
    return frozenset({GENERAL})
