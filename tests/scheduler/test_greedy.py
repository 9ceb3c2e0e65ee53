from datetime import UTC, datetime, timedelta

from scheduler.check import check
from scheduler.greedy import greedy
from scheduler.problem import Fixed, Meeting, Participant, Problem, Slot, Table

START = datetime(2026, 5, 4, 9, tzinfo=UTC)


ONE_TABLE = (Table("T1"),)


def event(meetings, *, slots=3, tables=ONE_TABLE, people=None):
    slot_list = tuple(
        Slot(f"s{i}", START + timedelta(minutes=30 * i), START + timedelta(minutes=30 * i + 30))
        for i in range(slots)
    )
    everyone = frozenset(s.id for s in slot_list)
    named = {p.id: p for p in people or ()}
    ids = sorted({p for m in meetings for p in m.participants} | set(named))
    return Problem(
        slots=slot_list,
        tables=tuple(tables),
        participants=tuple(named.get(p, Participant(p, everyone)) for p in ids),
        meetings=tuple(meetings),
    )


def where(schedule):
    return {a.meeting: (a.slot, a.table) for a in schedule.assignments}


def test_meetings_in_request_order_take_the_earliest_slot():
    problem = event(
        [Meeting("m1", ("a", "b")), Meeting("m2", ("a", "c")), Meeting("m3", ("c", "d"))]
    )
    schedule = greedy(problem)
    assert where(schedule) == {"m1": ("s0", "T1"), "m2": ("s1", "T1"), "m3": ("s2", "T1")}
    assert check(problem, schedule) == []


def test_first_come_ignores_priority():
    problem = event(
        [Meeting("early", ("a", "b"), priority=1), Meeting("late", ("a", "c"), priority=3)],
        slots=1,
    )
    schedule = greedy(problem)
    assert where(schedule) == {"early": ("s0", "T1")}
    assert [u.meeting for u in schedule.unscheduled] == ["late"]
    assert "a" in schedule.unscheduled[0].reason


def test_fixed_meetings_stay_and_others_go_around_them():
    problem = event(
        [Meeting("m1", ("a", "b")), Meeting("m2", ("a", "c"), fixed=Fixed("s0", "T2"))],
        tables=(Table("T1"), Table("T2")),
    )
    schedule = greedy(problem)
    assert where(schedule) == {"m2": ("s0", "T2"), "m1": ("s1", "T1")}
    assert check(problem, schedule) == []


def test_booth_holders_meet_at_their_booth_and_nobody_else_does():
    slots = frozenset({"s0", "s1", "s2"})
    problem = event(
        [Meeting("m1", ("a", "b")), Meeting("m2", ("h", "c")), Meeting("m3", ("d", "e"))],
        tables=(Table("B"), Table("T1")),
        people=[Participant("h", slots, booth="B")],
    )
    schedule = greedy(problem)
    assert where(schedule) == {"m1": ("s0", "T1"), "m2": ("s0", "B"), "m3": ("s1", "T1")}


def test_groups_get_a_table_that_seats_them_and_pairs_the_smallest():
    problem = event(
        [Meeting("pair", ("a", "b")), Meeting("group", ("c", "d", "e"))],
        tables=(Table("big", 4), Table("small", 2)),
        slots=1,
    )
    assert where(greedy(problem)) == {"pair": ("s0", "small"), "group": ("s0", "big")}


def test_limits_availability_and_allowed_slots_are_respected():
    problem = event(
        [
            Meeting("m1", ("a", "b")),
            Meeting("m2", ("a", "c")),
            Meeting("m3", ("c", "d"), allowed_slots=frozenset({"s2"})),
            Meeting("m4", ("e", "d")),
        ],
        people=[
            Participant("a", frozenset({"s0", "s1", "s2"}), max_meetings=1),
            Participant("e", frozenset({"s1"})),
        ],
    )
    schedule = greedy(problem)
    assert where(schedule) == {"m1": ("s0", "T1"), "m3": ("s2", "T1"), "m4": ("s1", "T1")}
    assert [u.meeting for u in schedule.unscheduled] == ["m2"]
    assert schedule.unscheduled[0].reason.startswith("a is full (1 of 1 meetings)")
    assert check(problem, schedule) == []


def test_a_bio_size_event_gets_a_valid_schedule():
    """Its speed is measured by `python -m scheduler bench`, not asserted here."""
    slots = 42
    n_people = 18_000
    meetings = [
        Meeting(f"m{i}", (f"p{(i * 7) % n_people}", f"p{(i * 13 + 1) % n_people}"))
        for i in range(50_000)
    ]
    meetings = [m for m in meetings if len(set(m.participants)) == 2]
    problem = event(meetings, slots=slots, tables=[Table(f"T{i}") for i in range(1500)])
    schedule = greedy(problem)
    assert check(problem, schedule) == []
    assert len(schedule.assignments) + len(schedule.unscheduled) == len(meetings)
