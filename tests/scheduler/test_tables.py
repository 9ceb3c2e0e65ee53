"""Tables given slot by slot: every rule about tables, and hosts kept at one table."""

from scheduler.instance import Instance
from scheduler.tables import assign_tables
from tests.scheduler.one_day import one_day_event


def people(*ids, **extra):
    return [{"id": p, **extra.get(p, {})} for p in ids]


def tables_of(problem, placement, previous=None):
    inst = Instance(problem)
    at = {mid: i for i, mid in enumerate(inst.meeting_ids)}
    given, lost = assign_tables(
        inst,
        {at[m]: problem.slot_index[s] for m, s in placement.items()},
        {at[m]: t for m, t in (previous or {}).items()},
    )
    return {inst.meeting_ids[i]: t for i, t in given.items()}, [inst.meeting_ids[i] for i in lost]


def test_booth_meetings_take_the_booth_and_others_never_do():
    problem = one_day_event(
        [{"id": "B"}, {"id": "T1"}, {"id": "T2"}],
        people("h", "a", "b", "c", h={"booth": "B"}),
        [
            {"id": "m1", "participants": ["h", "a"]},
            {"id": "m2", "participants": ["b", "c"]},
        ],
        slots=3,
    )
    given, lost = tables_of(problem, {"m1": "s0", "m2": "s0"})
    assert lost == []
    assert given["m1"] == "B"
    assert given["m2"] in {"T1", "T2"}


def test_group_meetings_get_a_table_with_enough_seats():
    problem = one_day_event(
        [{"id": "big", "seats": 4}, {"id": "small", "seats": 2}],
        people("a", "b", "c", "d", "e"),
        [
            {"id": "pair", "participants": ["a", "b"]},
            {"id": "group", "participants": ["c", "d", "e"]},
        ],
        slots=3,
    )
    given, lost = tables_of(problem, {"pair": "s0", "group": "s0"})
    assert (given, lost) == ({"pair": "small", "group": "big"}, [])


def test_fixed_table_is_kept_and_not_given_to_another_meeting():
    problem = one_day_event(
        [{"id": "T1"}, {"id": "T2"}],
        people("a", "b", "c", "d"),
        [
            {"id": "m1", "participants": ["a", "b"]},
            {"id": "m2", "participants": ["c", "d"], "fixed": {"slot": "s0", "table": "T1"}},
        ],
        slots=3,
    )
    given, _ = tables_of(problem, {"m1": "s0", "m2": "s0"})
    assert given == {"m1": "T2", "m2": "T1"}


def test_a_host_keeps_one_table_through_consecutive_meetings():
    problem = one_day_event(
        [{"id": f"T{i}"} for i in range(1, 6)],
        people("host", "a", "b", "c", "x", "y"),
        [
            {"id": "m1", "participants": ["host", "a"]},
            {"id": "m2", "participants": ["b", "host"]},
            {"id": "m3", "participants": ["host", "c"]},
            {"id": "other", "participants": ["x", "y"]},
        ],
        slots=3,
    )
    given, _ = tables_of(problem, {"m1": "s0", "m2": "s1", "m3": "s2", "other": "s1"})
    assert given["m1"] == given["m2"] == given["m3"]


def test_previous_tables_are_kept_when_possible():
    problem = one_day_event(
        [{"id": "T1"}, {"id": "T2"}, {"id": "T3"}],
        people("a", "b", "c", "d"),
        [{"id": "m1", "participants": ["a", "b"]}, {"id": "m2", "participants": ["c", "d"]}],
        slots=3,
    )
    given, _ = tables_of(problem, {"m1": "s0", "m2": "s0"}, previous={"m1": "T3", "m2": "T2"})
    assert given == {"m1": "T3", "m2": "T2"}


def test_more_meetings_than_tables_leaves_the_rest_without_one():
    problem = one_day_event(
        [{"id": "T1"}],
        people("a", "b", "c", "d"),
        [{"id": "m1", "participants": ["a", "b"]}, {"id": "m2", "participants": ["c", "d"]}],
        slots=3,
    )
    given, lost = tables_of(problem, {"m1": "s0", "m2": "s0"})
    assert len(given) == 1 and len(lost) == 1
