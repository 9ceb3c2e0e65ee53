"""The placement model and its capacities, on small events, against brute-force facts."""

from ortools.sat.python import cp_model

from scheduler.instance import Instance
from scheduler.model import PlacementModel, best_selection
from tests.scheduler.one_day import one_day_event


def best_priority(pm: PlacementModel) -> int:
    pm.model.maximize(pm.priority())
    solver = cp_model.CpSolver()
    assert solver.solve(pm.model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def test_capacities_count_seats_as_a_nested_family():
    problem = one_day_event(
        [{"id": "big", "seats": 3}, {"id": "small", "seats": 2}],
        [{"id": p} for p in "abcdefg"],
        [
            {"id": "g1", "participants": ["a", "b", "c"]},
            {"id": "g2", "participants": ["d", "e", "f"]},
        ],
        slots=1,
    )
    inst = Instance(problem)
    # Two three-person meetings, one table that seats three: only one can take the slot.
    assert best_priority(PlacementModel(inst, range(2), {})) == 1


def test_booths_shared_by_colleagues_hold_one_meeting_per_slot():
    problem = one_day_event(
        [{"id": "B"}, {"id": "T"}],
        [{"id": "h1", "booth": "B"}, {"id": "h2", "booth": "B"}, {"id": "x"}, {"id": "y"}],
        [
            {"id": "m1", "participants": ["h1", "x"]},
            {"id": "m2", "participants": ["h2", "y"]},
        ],
        slots=1,
    )
    assert best_priority(PlacementModel(Instance(problem), range(2), {})) == 1


def test_frozen_meetings_take_their_people_and_tables():
    problem = one_day_event(
        [{"id": "T"}],
        [{"id": p} for p in "abcd"],
        [
            {"id": "m1", "participants": ["a", "b"]},
            {"id": "m2", "participants": ["c", "d"]},
            {"id": "m3", "participants": ["a", "c"]},
        ],
    )
    inst = Instance(problem)
    pm = PlacementModel(inst, free=[1, 2], frozen={0: 0})
    # The only table is taken in s0, so m2 and m3 compete for s1.
    assert set(pm.x[1]) == {1} and set(pm.x[2]) == {1}
    assert best_priority(pm) == 1


def test_selection_bound_is_never_below_what_a_schedule_reaches():
    problem = one_day_event(
        [{"id": "T1"}, {"id": "T2"}],
        [{"id": "a", "max_meetings": 1}, {"id": "b"}, {"id": "c"}, {"id": "d"}],
        [
            {"id": "m1", "participants": ["a", "b"], "priority": 3},
            {"id": "m2", "participants": ["a", "c"], "priority": 2},
            {"id": "m3", "participants": ["c", "d"]},
        ],
    )
    inst = Instance(problem)
    selection, bound, optimal = best_selection(inst, time_limit=5, workers=1)
    assert optimal and bound == 4
    assert bound >= best_priority(PlacementModel(inst, range(3), {}))
    assert selection == {0, 2}
