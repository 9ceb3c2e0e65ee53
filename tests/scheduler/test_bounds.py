from datetime import UTC, datetime, timedelta

from scheduler.bounds import Relaxation, upper_bound
from scheduler.problem import Fixed, Meeting, Participant, Problem, Slot, Table

START = datetime(2026, 5, 4, 9, tzinfo=UTC)


def event(meetings, *, slots=2, tables=2, people=(), lunch_after=None):
    """`slots` half-hour slots on one day; a two-hour break after slot `lunch_after`."""
    slot_list = []
    for i in range(slots):
        start = START + timedelta(
            minutes=30 * i + (120 if lunch_after is not None and i > lunch_after else 0)
        )
        slot_list.append(Slot(f"s{i}", start, start + timedelta(minutes=30)))
    everyone = frozenset(s.id for s in slot_list)
    named = {p.id: p for p in people}
    ids = sorted({p for m in meetings for p in m.participants} | set(named))
    return Problem(
        slots=tuple(slot_list),
        tables=tuple(Table(f"T{i}") for i in range(tables)),
        participants=tuple(named.get(p, Participant(p, everyone)) for p in ids),
        meetings=tuple(meetings),
    )


def test_meetings_with_no_possible_slot_count_for_nothing():
    problem = event(
        [Meeting("m1", ("a", "b"), priority=3), Meeting("m2", ("c", "d"), priority=2)],
        people=[Participant("a", frozenset({"s0"})), Participant("b", frozenset({"s1"}))],
    )
    assert upper_bound(problem).value == 2


def test_a_person_takes_at_most_their_limit_and_their_slots():
    star = [Meeting(f"m{i}", ("hub", f"x{i}"), priority=i) for i in range(1, 6)]
    limited = event(
        star,
        slots=4,
        people=[Participant("hub", frozenset({"s0", "s1", "s2", "s3"}), max_meetings=2)],
    )
    assert upper_bound(limited).value == 5 + 4
    by_slots = event(star, slots=3)
    assert upper_bound(by_slots).value == 5 + 4 + 3


def test_tables_limit_each_slot():
    meetings = [Meeting(f"m{i}", (f"a{i}", f"b{i}"), priority=1 + i % 2) for i in range(6)]
    assert upper_bound(event(meetings, slots=2, tables=1)).value == 2 + 2


def test_meetings_confined_to_a_session_share_its_slots():
    # Everyone can meet in the morning (s0, s1) and the afternoon (s2, s3), but hub's partners
    # x1..x4 only in the morning: hub fits two of those meetings, plus two with y1, y2.
    morning = frozenset({"s0", "s1"})
    meetings = [Meeting(f"m{i}", ("hub", f"x{i}")) for i in range(1, 5)]
    meetings += [Meeting(f"n{i}", ("hub", f"y{i}")) for i in (1, 2)]
    people = [Participant(f"x{i}", morning) for i in range(1, 5)]
    problem = event(meetings, slots=4, tables=4, people=people, lunch_after=1)
    assert upper_bound(problem).value == 4


def test_fixed_meetings_are_always_counted():
    # hub accepts one meeting and it is fixed: the more wanted one cannot be scheduled.
    problem = event(
        [
            Meeting("low", ("hub", "a"), fixed=Fixed("s0")),
            Meeting("high", ("hub", "b"), priority=3),
        ],
        people=[Participant("hub", frozenset({"s0", "s1"}), max_meetings=1)],
    )
    bound = upper_bound(problem)
    assert bound.value == 1
    assert bound.method == "matching LP"


def test_capacity_bound_alone_is_valid_and_looser():
    star = [Meeting(f"m{i}", ("hub", f"x{i}"), priority=2) for i in range(4)]
    problem = event(star, slots=2, tables=1)
    # Shares give 2 (hub, two slots) + 4 (partners); the table-slots cap it at 2 meetings x 2.
    assert Relaxation(problem).capacity_bound() == 4
    assert upper_bound(problem).value == 4
