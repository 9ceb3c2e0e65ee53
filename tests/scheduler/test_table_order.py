"""Reordering agendas towards fewer table changes (scheduler.table_order): the same meetings,
nobody with more idle gaps, fewer table changes as `metrics` counts them for the tables the
table stage gives, and a schedule `check` accepts."""

from __future__ import annotations

import pytest

from scheduler.check import check
from scheduler.first_fit import first_fit
from scheduler.generate import generate
from scheduler.instance import Instance
from scheduler.metrics import figures
from scheduler.polish import polish
from scheduler.table_bound import table_changes_bound
from scheduler.table_order import order_for_tables
from tests.scheduler.one_day import one_day_event
from tests.scheduler.placements import schedule_of


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reordering_lowers_table_changes_and_keeps_the_rest(seed):
    problem = generate(participants=60, days=2, seed=seed, tables=16, meetings=300)
    inst = Instance(problem)
    # Idle gaps already polished: what is left to gain is only table changes.
    start = polish(inst, first_fit(inst), {}, seconds=5.0)
    before = schedule_of(inst, start)

    reordered = order_for_tables(inst, start, {}, seconds=5.0)
    after = schedule_of(inst, reordered)

    assert check(problem, after) == []
    assert set(reordered) == set(start)
    old, new = figures(problem, before), figures(problem, after)
    assert new.priority_sum == old.priority_sum
    assert new.scheduled_by_participant == old.scheduled_by_participant
    for person, gaps in new.gaps_by_participant.items():
        assert gaps <= old.gaps_by_participant[person]
    assert new.table_changes < old.table_changes
    assert table_changes_bound(inst, reordered) < table_changes_bound(inst, start)


def test_no_meeting_leaves_its_previous_slot():
    problem = generate(participants=60, days=2, seed=4, tables=16, meetings=300)
    inst = Instance(problem)
    start = polish(inst, first_fit(inst), {}, seconds=5.0)
    previous = dict(start)  # a published schedule with these very slots

    assert order_for_tables(inst, start, previous, seconds=5.0) == start


def test_a_move_that_removes_an_idle_gap_is_taken_even_when_it_saves_no_table_change():
    # a meets b, then c after a free slot; b meets d in between, fixed there. Moving a-c next
    # to a-b closes a's gap, and either way one of the steps out of a-b changes table.
    problem = one_day_event(
        [{"id": "T1"}, {"id": "T2"}],
        [{"id": p} for p in "abcd"],
        [
            {"id": "ab", "participants": ["a", "b"]},
            {"id": "bd", "participants": ["b", "d"], "fixed": {"slot": "s1"}},
            {"id": "ac", "participants": ["a", "c"]},
        ],
        slots=3,
    )
    inst = Instance(problem)
    start = {0: 0, 1: 1, 2: 2}

    reordered = order_for_tables(inst, start, {}, seconds=1.0)

    assert reordered == {0: 0, 1: 1, 2: 1}
    assert check(problem, schedule_of(inst, reordered)) == []
    assert figures(problem, schedule_of(inst, reordered)).idle_gaps == 0
