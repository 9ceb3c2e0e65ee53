"""Properties over random small problems: schedules that `check` accepts, corruptions it
catches, and bounds that no schedule beats (brute force)."""

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.bounds import upper_bound
from scheduler.check import check
from scheduler.explain import reasons
from scheduler.greedy import greedy
from scheduler.metrics import figures
from scheduler.problem import (
    Assignment,
    Fixed,
    Meeting,
    Participant,
    Problem,
    Schedule,
    Slot,
    Table,
    Unscheduled,
)
from scheduler.solve import solve

DAY_ONE = datetime(2026, 9, 14, 9, tzinfo=UTC)


@st.composite
def problems(draw, most_meetings=6):
    n_slots = draw(st.integers(1, 4))
    second_day_from = draw(st.integers(1, n_slots)) if n_slots > 1 else n_slots
    slots = []
    for i in range(n_slots):
        start = DAY_ONE + timedelta(days=i >= second_day_from, minutes=30 * i)
        slots.append(Slot(f"s{i}", start, start + timedelta(minutes=30)))
    slot_ids = [s.id for s in slots]
    tables = [
        Table(f"T{i}", draw(st.sampled_from([None, 2, 3]))) for i in range(draw(st.integers(1, 3)))
    ]
    booth = "T0" if len(tables) > 1 and draw(st.booleans()) else None
    people = []
    for i in range(draw(st.integers(2, 5))):
        available = draw(
            st.one_of(st.just(frozenset(slot_ids)), st.frozensets(st.sampled_from(slot_ids)))
        )
        people.append(
            Participant(
                f"p{i}",
                available,
                max_meetings=draw(st.one_of(st.none(), st.integers(0, 3))),
                booth=booth if i == 0 else None,
            )
        )
    ids = [p.id for p in people]
    meetings = []
    for i in range(draw(st.integers(0, most_meetings))):
        members = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True))
        allowed = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(slot_ids), min_size=1)))
        meetings.append(Meeting(f"m{i}", tuple(members), draw(st.integers(1, 3)), allowed))
    problem = Problem(tuple(slots), tuple(tables), tuple(people), tuple(meetings))
    # Fix some meetings where a valid schedule put them, so the fixed ones never clash.
    placed = greedy(problem).assignment_of
    fixed = {}
    for mid, a in placed.items():
        how = draw(st.sampled_from(["free", "free", "slot", "slot and table"]))
        if how != "free":
            fixed[mid] = Fixed(a.slot, a.table if how == "slot and table" else None)
    meetings = [replace(m, fixed=fixed.get(m.id)) for m in meetings]
    return replace(problem, meetings=tuple(meetings))


def brute_force_best(problem: Problem) -> int:
    """The highest priority sum of any valid schedule, by exhaustive search. Tables with the
    same seats are interchangeable once fixed meetings hold theirs, so one of each is tried."""
    people = problem.participant_by_id
    meetings = sorted(problem.meetings, key=lambda m: m.fixed is None)
    remaining = [sum(m.priority for m in meetings[i:]) for i in range(len(meetings) + 1)]
    busy: set[tuple[str, str]] = set()
    used: set[tuple[str, str]] = set()
    count: Counter[str] = Counter()
    best = -1

    def tables_for(m: Meeting) -> list[str]:
        if m.fixed is not None and m.fixed.table is not None:
            return [m.fixed.table]
        booths = {people[p].booth for p in m.participants} - {None}
        fits = [
            t
            for t in problem.tables
            if (t.id in booths if booths else t.id not in problem.booth_tables)
            and (t.seats is None or t.seats >= len(m.participants))
        ]
        return [t.id for t in fits]

    def search(i: int, value: int) -> None:
        nonlocal best
        if value + remaining[i] <= best:
            return
        if i == len(meetings):
            best = value
            return
        m = meetings[i]
        slots = [m.fixed.slot] if m.fixed is not None else problem.possible_slots(m)
        for s in slots:
            if any((p, s) in busy for p in m.participants):
                continue
            if any(
                people[p].max_meetings is not None and count[p] >= people[p].max_meetings
                for p in m.participants
            ):
                continue
            tried_seats = set()
            for t in tables_for(m):
                seats = problem.table_by_id[t].seats
                if (t, s) in used or (
                    m.fixed is None and (seats, t in problem.booth_tables) in tried_seats
                ):
                    continue
                tried_seats.add((seats, t in problem.booth_tables))
                used.add((t, s))
                busy.update((p, s) for p in m.participants)
                count.update(m.participants)
                search(i + 1, value + m.priority)
                used.discard((t, s))
                busy.difference_update((p, s) for p in m.participants)
                count.subtract(m.participants)
        if m.fixed is None:
            search(i + 1, value)

    search(0, 0)
    return best


@settings(max_examples=150, deadline=None)
@given(problems())
def test_greedy_schedules_pass_check_and_keep_fixed_meetings(problem):
    schedule = greedy(problem)
    assert check(problem, schedule) == []
    for m in problem.meetings:
        if m.fixed is not None:
            assert schedule.assignment_of[m.id].slot == m.fixed.slot


@settings(max_examples=150, deadline=None)
@given(problems())
def test_the_bound_is_never_below_the_best_schedule(problem):
    best = brute_force_best(problem)
    assert best >= figures(problem, greedy(problem)).priority_sum
    assert upper_bound(problem).value >= best


@settings(max_examples=40, deadline=None)
@given(problems())
def test_solve_gives_valid_schedules_with_the_best_priority_sum(problem):
    schedule = solve(problem, time_limit=1)
    assert check(problem, schedule) == []
    assert figures(problem, schedule).priority_sum == brute_force_best(problem)


@settings(max_examples=60, deadline=None)
@given(problems())
def test_every_unscheduled_meeting_has_a_reason(problem):
    schedule = greedy(problem)
    assert all(u.reason for u in schedule.unscheduled)
    listed = [a.meeting for a in schedule.assignments] + [u.meeting for u in schedule.unscheduled]
    assert sorted(listed) == sorted(m.id for m in problem.meetings)


def _after_change(problem, placement, meeting, change):
    """The problem and placement once `change` is made and `meeting` is put where it says."""
    placement = dict(placement)
    table = change.table
    if change.kind == "raise-limit":
        limit = problem.participant_by_id[change.participant].max_meetings
        problem = _replace_person(problem, change.participant, max_meetings=limit + 1)
    elif change.kind in ("free-slot", "free-booth"):
        del placement[change.meeting]
    elif change.kind == "add-table":
        table = "added"
        problem = replace(
            problem, tables=problem.tables + (Table(table, len(meeting.participants)),)
        )
    placement[meeting.id] = (change.slot, table)
    return problem, placement


@settings(max_examples=150, deadline=None)
@given(problems(), st.data())
def test_the_change_a_reason_suggests_lets_the_meeting_in(problem, data):
    placement = {a.meeting: (a.slot, a.table) for a in greedy(problem).assignments}
    # Leave some meetings out that would fit, too.
    for mid in sorted(placement):
        if problem.meeting_by_id[mid].fixed is None and data.draw(st.booleans()):
            del placement[mid]
    for mid, reason in reasons(problem, placement).items():
        assert reason.text
        if reason.change is None:
            continue
        meeting = problem.meeting_by_id[mid]
        changed, after = _after_change(problem, placement, meeting, reason.change)
        schedule = Schedule(
            tuple(Assignment(m, s, t) for m, (s, t) in after.items()),
            tuple(Unscheduled(m.id, "") for m in changed.meetings if m.id not in after),
        )
        assert check(changed, schedule) == [], reason.text


# --- corruptions: each turns a valid schedule into one that breaks one named rule ----------


def _first(schedule):
    return schedule.assignments[0]


def _with_meeting(problem, meeting, *, people=(), tables=()):
    return replace(
        problem,
        meetings=problem.meetings + (meeting,),
        participants=problem.participants + tuple(people),
        tables=problem.tables + tuple(tables),
    )


def _everywhere(problem, pid):
    return Participant(pid, frozenset(problem.slot_by_id))


def _replace_person(problem, pid, **changes):
    return replace(
        problem,
        participants=tuple(
            replace(p, **changes) if p.id == pid else p for p in problem.participants
        ),
    )


def _replace_meeting(problem, mid, **changes):
    return replace(
        problem,
        meetings=tuple(replace(m, **changes) if m.id == mid else m for m in problem.meetings),
    )


def double_book_participant(problem, schedule):
    a = _first(schedule)
    person = problem.meeting_by_id[a.meeting].participants[0]
    intruder = Meeting("intruder", (person, "newcomer"))
    problem = _with_meeting(
        problem, intruder, people=[_everywhere(problem, "newcomer")], tables=[Table("extra")]
    )
    problem = _replace_person(problem, person, max_meetings=None)
    moved = Assignment("intruder", a.slot, "extra")
    return problem, replace(schedule, assignments=schedule.assignments + (moved,))


def double_book_table(problem, schedule):
    a = _first(schedule)
    intruder = Meeting("intruder", ("new1", "new2"))
    newcomers = [_everywhere(problem, "new1"), _everywhere(problem, "new2")]
    problem = _with_meeting(problem, intruder, people=newcomers)
    moved = Assignment("intruder", a.slot, a.table)
    return problem, replace(schedule, assignments=schedule.assignments + (moved,))


def make_unavailable(problem, schedule):
    a = _first(schedule)
    person = problem.meeting_by_id[a.meeting].participants[-1]
    available = problem.participant_by_id[person].available - {a.slot}
    return _replace_person(problem, person, available=available), schedule


def disallow_slot(problem, schedule):
    a = _first(schedule)
    others = frozenset(problem.slot_by_id) - {a.slot}
    return _replace_meeting(problem, a.meeting, allowed_slots=others), schedule


def exceed_max_meetings(problem, schedule):
    person = problem.meeting_by_id[_first(schedule).meeting].participants[0]
    taken = sum(
        person in problem.meeting_by_id[x.meeting].participants for x in schedule.assignments
    )
    return _replace_person(problem, person, max_meetings=taken - 1), schedule


def leave_booth(problem, schedule):
    # Every participant now holds the new booth, so no other table will do.
    a = _first(schedule)
    problem = replace(problem, tables=problem.tables + (Table("own booth"),))
    for person in problem.meeting_by_id[a.meeting].participants:
        problem = _replace_person(problem, person, booth="own booth")
    return problem, schedule


def squat_booth(problem, schedule):
    a = _first(schedule)
    if any(
        problem.participant_by_id[p].booth for p in problem.meeting_by_id[a.meeting].participants
    ):
        # Already a booth holder's meeting: move it to a table that is somebody else's booth.
        problem = replace(problem, tables=problem.tables + (Table("their booth"),))
        problem = _with_meeting(
            problem,
            Meeting("theirs", ("owner", "guest")),
            people=[
                replace(_everywhere(problem, "owner"), booth="their booth"),
                _everywhere(problem, "guest"),
            ],
        )
        moved = replace(a, table="their booth")
        return problem, replace(
            schedule,
            assignments=(moved,) + schedule.assignments[1:],
            unscheduled=schedule.unscheduled + (Unscheduled("theirs", "r"),),
        )
    problem = _with_meeting(
        problem,
        Meeting("theirs", ("owner", "guest")),
        people=[
            replace(_everywhere(problem, "owner"), booth=a.table),
            _everywhere(problem, "guest"),
        ],
    )
    return problem, replace(
        schedule, unscheduled=schedule.unscheduled + (Unscheduled("theirs", "r"),)
    )


def too_many_people(problem, schedule):
    a = _first(schedule)
    size = len(problem.meeting_by_id[a.meeting].participants)
    tables = tuple(replace(t, seats=size - 1) if t.id == a.table else t for t in problem.tables)
    return replace(problem, tables=tables), schedule


def drop_fixed(problem, schedule):
    a = _first(schedule)
    problem = _replace_meeting(problem, a.meeting, fixed=Fixed(a.slot, a.table))
    return problem, replace(
        schedule,
        assignments=schedule.assignments[1:],
        unscheduled=schedule.unscheduled + (Unscheduled(a.meeting, "r"),),
    )


def forget_meeting(problem, schedule):
    return problem, replace(schedule, assignments=schedule.assignments[1:])


def assign_twice(problem, schedule):
    return problem, replace(schedule, assignments=schedule.assignments + (_first(schedule),))


def unknown_slot(problem, schedule):
    moved = replace(_first(schedule), slot="nowhere")
    return problem, replace(schedule, assignments=(moved,) + schedule.assignments[1:])


CORRUPTIONS = {
    "participant-double-booked": double_book_participant,
    "table-double-booked": double_book_table,
    "unavailable": make_unavailable,
    "not-allowed-slot": disallow_slot,
    "max-meetings": exceed_max_meetings,
    "booth": leave_booth,
    "seats": too_many_people,
    "fixed": drop_fixed,
    "missing": forget_meeting,
    "assigned-twice": assign_twice,
    "unknown-reference": unknown_slot,
}


def _without_fixed(problem):
    return replace(problem, meetings=tuple(replace(m, fixed=None) for m in problem.meetings))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(problems(), st.sampled_from(sorted(CORRUPTIONS) + ["booth squatted"]))
def test_check_catches_every_kind_of_corruption(problem, rule):
    problem = _without_fixed(problem)
    schedule = greedy(problem)
    if not schedule.assignments:
        problem = _with_meeting(
            problem,
            Meeting("seed", ("new1", "new2")),
            people=[_everywhere(problem, "new1"), _everywhere(problem, "new2")],
            tables=[Table("seed table")],
        )
        schedule = replace(
            schedule, assignments=(Assignment("seed", problem.slots[0].id, "seed table"),)
        )
    assert check(problem, schedule) == []
    corrupt = squat_booth if rule == "booth squatted" else CORRUPTIONS[rule]
    expected = "booth" if rule == "booth squatted" else rule
    bad_problem, bad_schedule = corrupt(problem, schedule)
    assert expected in {v.rule for v in check(bad_problem, bad_schedule)}
