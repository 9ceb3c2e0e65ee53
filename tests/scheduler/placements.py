"""A stage's placement (meeting index -> slot index) as the `Schedule` the outside judges
(`check`, `figures`) read: tables from the table stage, every other meeting left out."""

from __future__ import annotations

from collections.abc import Mapping

from scheduler.instance import Instance
from scheduler.problem import Assignment, Schedule, Unscheduled
from scheduler.tables import assign_tables


def with_tables(
    inst: Instance, placement: Mapping[int, int], tables: Mapping[int, str]
) -> Schedule:
    return Schedule(
        tuple(
            Assignment(inst.meeting_ids[i], inst.slot_ids[s], tables[i])
            for i, s in sorted(placement.items())
        ),
        tuple(
            Unscheduled(mid, "left out")
            for i, mid in enumerate(inst.meeting_ids)
            if i not in placement
        ),
        {},
    )


def schedule_of(inst: Instance, placement: Mapping[int, int]) -> Schedule:
    """The placement with the tables the table stage gives it (which must lose none)."""
    tables, dropped = assign_tables(inst, placement)
    assert dropped == []
    return with_tables(inst, placement, tables)
