"""The table stage and its lower bound, with the slots given: on small events the fewest table
changes is found by trying every choice of tables, and the stage's tables are judged by
`check` and `metrics.table_changes`, never by the stage itself."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.check import check
from scheduler.first_fit import first_fit
from scheduler.generate import generate
from scheduler.instance import Instance
from scheduler.metrics import figures, table_changes
from scheduler.problem import (
    Assignment,
    Meeting,
    Participant,
    Problem,
    Schedule,
    Slot,
    Table,
)
from scheduler.solve import solve
from scheduler.table_bound import table_changes_bound
from scheduler.tables import assign_tables
from tests.scheduler.one_day import one_day_event
from tests.scheduler.placements import with_tables

MONDAY = datetime(2026, 9, 14, 9, tzinfo=UTC)


def table_choices(problem: Problem, meetings: list[str]) -> list[list[tuple[str, str]]]:
    """Every way to give one slot's meetings distinct tables under rules 3, 6 and 8."""
    tables = problem.table_by_id
    booth_of = {p.id: p.booth for p in problem.participants if p.booth}

    def fits(mid: str, table: str) -> bool:
        members = problem.meeting_by_id[mid].participants
        booths = {booth_of[p] for p in members if p in booth_of}
        seats = tables[table].seats
        at_booth = table in booths if booths else table not in problem.booth_tables
        return at_booth and (seats is None or seats >= len(members))

    return [
        list(zip(meetings, pick, strict=True))
        for pick in itertools.permutations(tables, len(meetings))
        if all(fits(m, t) for m, t in zip(meetings, pick, strict=True))
    ]


def fewest_changes(problem: Problem, placement: dict[str, str]) -> int:
    """The fewest table changes of any choice of tables for these slots."""
    by_slot: dict[str, list[str]] = {}
    for m, s in placement.items():
        by_slot.setdefault(s, []).append(m)
    choices = [table_choices(problem, meetings) for meetings in by_slot.values()]
    return min(
        table_changes(problem, [Assignment(m, placement[m], t) for part in combo for m, t in part])
        for combo in itertools.product(*choices)
    )


def stage(problem: Problem, placement: dict[str, str], seconds: float = 5.0):
    """The stage's schedule (checked) and the bound, for meeting id -> slot id."""
    inst = Instance(problem)
    at = {mid: i for i, mid in enumerate(inst.meeting_ids)}
    by_index = {at[m]: problem.slot_index[s] for m, s in placement.items()}
    given_tables, lost = assign_tables(inst, by_index, seconds=seconds)
    assert lost == []
    schedule = Schedule(
        tuple(Assignment(m, s, given_tables[at[m]]) for m, s in placement.items()), (), {}
    )
    assert check(problem, schedule) == []
    return schedule, table_changes_bound(inst, by_index)


def test_two_pairs_that_meet_twice_keep_their_tables():
    # Taken slot by slot, c-d could sit at a-b's table in s1 and then one pair must move in
    # s2; the stage gives each pair its own table.
    problem = one_day_event(
        [{"id": "T1"}, {"id": "T2"}],
        [{"id": p} for p in "abcd"],
        [
            {"id": "ab1", "participants": ["a", "b"]},
            {"id": "cd1", "participants": ["c", "d"]},
            {"id": "ab2", "participants": ["a", "b"]},
            {"id": "cd2", "participants": ["c", "d"]},
        ],
        slots=3,
    )
    placement = {"ab1": "s0", "cd1": "s1", "ab2": "s2", "cd2": "s2"}
    schedule, bound = stage(problem, placement)
    assert figures(problem, schedule).table_changes == 0 == fewest_changes(problem, placement)
    assert bound == 0


def test_two_people_coming_from_one_slot_cannot_both_stay():
    # a and b come from two meetings of s0, so they sat at two tables: one of them moves.
    problem = one_day_event(
        [{"id": "T1"}, {"id": "T2"}, {"id": "T3"}],
        [{"id": p} for p in "abxy"],
        [
            {"id": "ax", "participants": ["a", "x"]},
            {"id": "by", "participants": ["b", "y"]},
            {"id": "ab", "participants": ["a", "b"]},
        ],
        slots=2,
    )
    placement = {"ax": "s0", "by": "s0", "ab": "s1"}
    schedule, bound = stage(problem, placement)
    assert figures(problem, schedule).table_changes == 1 == fewest_changes(problem, placement)
    assert bound == 1


def test_the_busier_side_stays_and_a_booth_counts():
    # h holds a booth: every meeting of h is there, so a and b walk to it and back; the
    # busiest general person, c, keeps one table for her three meetings.
    problem = one_day_event(
        [{"id": "B", "seats": 4}, {"id": "T1"}, {"id": "T2"}],
        [{"id": "h", "booth": "B"}] + [{"id": p} for p in "abcd"],
        [
            {"id": "ha", "participants": ["h", "a"]},
            {"id": "ca", "participants": ["c", "a"]},
            {"id": "hb", "participants": ["h", "b"]},
            {"id": "cb", "participants": ["c", "b"]},
            {"id": "cd", "participants": ["c", "d"]},
        ],
        slots=4,
    )
    placement = {"ha": "s0", "ca": "s1", "hb": "s1", "cb": "s2", "cd": "s3"}
    schedule, bound = stage(problem, placement)
    at = {a.meeting: a.table for a in schedule.assignments}
    assert at["ha"] == at["hb"] == "B" and at["ca"] == at["cb"] == at["cd"]
    # a moves from the booth to c's table, b from the booth to c's table: two changes.
    assert figures(problem, schedule).table_changes == 2 == fewest_changes(problem, placement)
    assert bound == 2


@st.composite
def placed_events(draw):
    """One day of up to five slots, two or three tables (2 or 3 seats or any), maybe a booth,
    and pair or group meetings given slots where their people and some table are free."""
    slots = tuple(
        Slot(f"s{k}", MONDAY + timedelta(minutes=30 * k), MONDAY + timedelta(minutes=30 * (k + 1)))
        for k in range(draw(st.integers(2, 5)))
    )
    seats = st.sampled_from((2, 3, None))
    tables = [Table(f"T{k}", draw(seats)) for k in range(draw(st.integers(2, 3)))]
    everywhere = frozenset(s.id for s in slots)
    people = [Participant(f"p{k}", everywhere) for k in range(draw(st.integers(3, 6)))]
    if draw(st.booleans()):
        tables.append(Table("B", 3))
        people[0] = Participant("p0", everywhere, booth="B")
    ids = [p.id for p in people]
    problem = Problem(slots, tuple(tables), tuple(people), ())
    placement: dict[str, str] = {}
    for k in range(draw(st.integers(1, 7))):
        members = tuple(draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True)))
        slot = draw(st.sampled_from(sorted(everywhere)))
        wider = Problem(
            slots,
            problem.tables,
            problem.participants,
            (*problem.meetings, Meeting(f"m{k}", members, 1)),
        )
        together = [m for m, s in placement.items() if s == slot] + [f"m{k}"]
        taken = {p for m in together[:-1] for p in problem.meeting_by_id[m].participants}
        if taken.isdisjoint(members) and table_choices(wider, together):
            problem, placement[f"m{k}"] = wider, slot
    return problem, placement


@settings(max_examples=60, deadline=None)
@given(placed_events())
def test_the_bound_holds_and_the_stage_never_breaks_a_rule(event):
    problem, placement = event
    schedule, bound = stage(problem, placement, seconds=1.0)
    fewest = fewest_changes(problem, placement)
    assert bound <= fewest <= figures(problem, schedule).table_changes


def test_solve_reports_a_bound_its_schedule_respects():
    problem = one_day_event(
        [{"id": "T1"}, {"id": "T2"}, {"id": "T3"}],
        [{"id": p} for p in "abcdef"],
        [
            {"id": f"{x}{y}", "participants": [x, y]}
            for x, y in ("ab", "ac", "ad", "bc", "be", "cf", "de", "ef")
        ],
        slots=5,
    )
    schedule = solve(problem, time_limit=5)
    assert check(problem, schedule) == []
    assert 0 <= schedule.stats["table_changes_bound"] <= figures(problem, schedule).table_changes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_on_a_generated_event_the_stage_keeps_every_rule_and_beats_its_first_pass(seed):
    problem = generate(participants=60, days=1, seed=seed)
    inst = Instance(problem)
    placement = first_fit(inst)
    first, _ = assign_tables(inst, placement, seconds=0)
    improved, lost = assign_tables(inst, placement, seconds=5)
    assert lost == []

    def schedule(tables):
        return with_tables(inst, placement, tables)

    assert check(problem, schedule(first)) == []
    assert check(problem, schedule(improved)) == []
    changes = table_changes(problem, schedule(improved).assignments)
    assert table_changes_bound(inst, placement) <= changes
    assert changes < table_changes(problem, schedule(first).assignments)
