"""`minimise_gaps`, judged from the outside: every meeting placed in one of its possible slots,
nobody twice in a slot, pool capacities kept, and idle gaps recomputed here independently."""

import subprocess
import sys
import textwrap
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler import Meeting, Participant, Problem, Slot, Table, maxsat
from scheduler.b2b import PAPER_OPTIMA, instance_dir, read_dzn
from scheduler.gap_model import GapModel, solver_parameters
from scheduler.gaps import GapsNotFound, minimise_gaps
from scheduler.problem import Fixed
from tests.scheduler.jair_data import needs_jair


def event(days: list[list[str]], people: list[str], meetings: list[Meeting]) -> Problem:
    """Slots of 30 minutes; each inner list is one day's slot start times, e.g. "09:00"."""
    slots = []
    for day, starts in enumerate(days, start=1):
        for start in starts:
            hour, minute = map(int, start.split(":"))
            begin = datetime(2030, 5, day, hour, minute, tzinfo=UTC)
            slots.append(Slot(f"d{day}-{start}", begin, begin + timedelta(minutes=30)))
    every = frozenset(s.id for s in slots)
    return Problem(
        slots=tuple(slots),
        tables=(Table("T1"),),
        participants=tuple(Participant(p, every) for p in people),
        meetings=tuple(meetings),
    )


def meeting(mid: str, *people: str, allowed=None, fixed=None) -> Meeting:
    return Meeting(
        mid,
        tuple(people),
        allowed_slots=frozenset(allowed) if allowed is not None else None,
        fixed=Fixed(fixed) if fixed else None,
    )


def gaps_per_person(problem: Problem, slot_of: dict[str, str]) -> Counter:
    """Per person and day, maximal runs of free slots between two of their meetings."""
    position = problem.slot_index
    day_of = problem.slot_day
    busy: dict[tuple[str, object], list[int]] = {}
    for mid, slot in slot_of.items():
        for pid in problem.meeting_by_id[mid].participants:
            busy.setdefault((pid, day_of[slot]), []).append(position[slot])
    gaps = Counter()
    for (pid, _), taken in busy.items():
        taken.sort()
        gaps[pid] += sum(1 for a, b in zip(taken, taken[1:], strict=False) if b > a + 1)
    return gaps


def assert_valid(problem: Problem, meetings, slot_of, capacity=None):
    assert set(slot_of) == set(meetings)
    seen = set()
    for mid, slot in slot_of.items():
        m = problem.meeting_by_id[mid]
        assert slot == m.fixed.slot if m.fixed else slot in problem.possible_slots(m)
        for pid in m.participants:
            assert (pid, slot) not in seen, f"{pid} twice in {slot}"
            seen.add((pid, slot))
    if capacity is not None:
        assert max(Counter(slot_of.values()).values()) <= capacity


def solve(problem, *, pools=None, limit=None, time_limit=10):
    ids = [m.id for m in problem.meetings]
    return minimise_gaps(
        problem, ids, pools=pools or [], time_limit=time_limit, gap_spread_limit=limit
    )


def test_lunch_between_sessions_is_not_a_gap():
    problem = event(
        [["09:00", "09:30", "13:00", "13:30"]],
        ["a", "b", "c"],
        [
            meeting("m1", "a", "b", fixed="d1-09:30"),
            meeting("m2", "a", "c", allowed=["d1-13:00", "d1-13:30"]),
        ],
    )
    result = solve(problem)
    assert result.slot_of["m2"] == "d1-13:00"
    assert result.total_gaps == 0 == sum(gaps_per_person(problem, result.slot_of).values())
    assert result.optimal


def test_free_slots_across_days_are_not_a_gap():
    problem = event(
        [["09:00", "09:30", "10:00"], ["09:00", "09:30", "10:00"]],
        ["a", "b", "c"],
        [
            meeting("m1", "a", "b", fixed="d1-09:00"),
            meeting("m2", "a", "c", allowed=["d1-10:00", "d2-09:00"]),
        ],
    )
    result = solve(problem)
    assert result.slot_of["m2"] == "d2-09:00"
    assert result.total_gaps == 0


def test_a_run_of_several_free_slots_counts_once():
    problem = event(
        [["09:00", "09:30", "10:00", "10:30"]],
        ["a", "b", "c"],
        [meeting("m1", "a", "b", fixed="d1-09:00"), meeting("m2", "a", "c", fixed="d1-10:30")],
    )
    result = solve(problem)
    assert result.total_gaps == 1 == result.lower_bound
    assert result.optimal


def test_fixed_meeting_stays_even_when_moving_it_would_save_a_gap():
    problem = event(
        [["09:00", "09:30", "10:00"]],
        ["a", "b", "c"],
        [
            meeting("m1", "a", "b", fixed="d1-10:00"),
            meeting("m2", "a", "c", allowed=["d1-09:00"]),
        ],
    )
    result = solve(problem)
    assert result.slot_of == {"m1": "d1-10:00", "m2": "d1-09:00"}
    assert result.total_gaps == 1


def test_pool_capacity_is_kept_even_when_it_costs_a_gap():
    problem = event(
        [["09:00", "09:30", "10:00"]],
        ["a", "b", "c", "d"],
        [
            meeting("m0", "a", "c", fixed="d1-09:00"),
            meeting("m1", "a", "b"),
            meeting("m2", "c", "d"),
        ],
    )
    assert solve(problem).total_gaps == 0  # both at 09:30 without a capacity
    one_table = [(["m0", "m1", "m2"], {s.id: 1 for s in problem.slots})]
    result = solve(problem, pools=one_table)
    assert_valid(problem, ["m0", "m1", "m2"], result.slot_of, capacity=1)
    assert result.total_gaps == 1 and result.optimal


def test_pool_capacity_only_counts_the_pool_meetings():
    problem = event(
        [["09:00", "09:30"]],
        ["a", "b", "c", "d"],
        [meeting("m1", "a", "b", fixed="d1-09:00"), meeting("m2", "c", "d", fixed="d1-09:00")],
    )
    result = solve(problem, pools=[(["m1"], {"d1-09:00": 1})])
    assert result.slot_of == {"m1": "d1-09:00", "m2": "d1-09:00"}
    too_small = [(["m1", "m2"], {"d1-09:00": 1})]
    with pytest.raises(GapsNotFound) as raised:
        solve(problem, pools=too_small)
    assert raised.value.proven_infeasible


def spread_problem() -> Problem:
    # x's best day has two gaps; sparing x one of them costs c and d one gap each.
    slots = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    return event(
        [slots],
        ["x", "a", "b", "c", "d", "e", "f"],
        [
            meeting("m1", "x", "a", fixed="d1-09:00"),
            meeting("m2", "x", "b", fixed="d1-10:00"),
            meeting("m3", "x", "c", "d", allowed=["d1-10:30", "d1-11:00"]),
            meeting("n1", "c", "e", fixed="d1-11:30"),
            meeting("n2", "d", "f", fixed="d1-11:30"),
        ],
    )


def test_gap_spread_limit_shares_the_gaps_out():
    problem = spread_problem()
    free = solve(problem)
    assert free.slot_of["m3"] == "d1-11:00" and free.total_gaps == 2
    assert gaps_per_person(problem, free.slot_of)["x"] == 2
    fair = solve(problem, limit=1)
    assert fair.slot_of["m3"] == "d1-10:30" and fair.total_gaps == 3 and fair.optimal
    per_person = gaps_per_person(problem, fair.slot_of)
    assert max(per_person.values()) <= 1
    assert fair.total_gaps == sum(per_person.values())


def test_impossible_gap_spread_is_reported_as_infeasible():
    with pytest.raises(GapsNotFound) as raised:
        solve(spread_problem(), limit=0)
    assert raised.value.proven_infeasible


def test_hint_is_accepted_and_result_still_optimal():
    problem = spread_problem()
    hint = {"m1": "d1-09:00", "m2": "d1-10:00", "m3": "d1-10:30", "n1": "d1-11:30"}
    result = minimise_gaps(
        problem, [m.id for m in problem.meetings], pools=[], time_limit=10, hint=hint
    )
    assert result.total_gaps == 2 and result.optimal


def test_a_hint_that_breaks_a_rule_is_never_returned():
    problem = spread_problem()
    clash = {"m1": "d1-09:00", "m2": "d1-10:00", "m3": "d1-11:30", "n1": "d1-11:30"}
    result = minimise_gaps(
        problem, [m.id for m in problem.meetings], pools=[], time_limit=10, hint=clash
    )
    assert_valid(problem, [m.id for m in problem.meetings], result.slot_of)
    assert result.total_gaps == 2


def test_meetings_left_out_are_ignored():
    problem = spread_problem()
    result = minimise_gaps(problem, ["m1", "m2"], pools=[], time_limit=10)
    assert set(result.slot_of) == {"m1", "m2"}
    assert result.total_gaps == 1


def test_progress_reports_best_and_bound():
    problem = spread_problem()
    reports = []
    minimise_gaps(
        problem,
        [m.id for m in problem.meetings],
        pools=[],
        time_limit=10,
        on_progress=lambda best, bound, seconds: reports.append((best, bound, seconds)),
    )
    assert reports and reports[-1][0] == 2
    assert all(bound <= best and seconds >= 0 for best, bound, seconds in reports)


@st.composite
def small_events(draw):
    n_slots = draw(st.integers(2, 6))
    split = draw(st.integers(1, n_slots))
    starts = [f"{9 + i}:00" for i in range(n_slots)]
    days = [starts[:split], starts[split:]] if split < n_slots else [starts]
    people = [f"p{i}" for i in range(draw(st.integers(2, 5)))]
    pairs = st.lists(st.sampled_from(people), min_size=2, max_size=2, unique=True)
    chosen = draw(st.lists(pairs, min_size=1, max_size=8))
    meetings = [meeting(f"m{i}", *pair) for i, pair in enumerate(chosen)]
    return event(days, people, meetings), draw(st.integers(1, 3))


def placement_exists(problem: Problem, tables: int) -> bool:
    """Plain backtracking: can every meeting get a slot with nobody twice and at most
    `tables` meetings per slot?"""
    meetings = problem.meetings
    taken: set[tuple[str, str]] = set()
    used = Counter()

    def place(i: int) -> bool:
        if i == len(meetings):
            return True
        m = meetings[i]
        for slot in problem.possible_slots(m):
            if used[slot] < tables and all((p, slot) not in taken for p in m.participants):
                used[slot] += 1
                taken.update((p, slot) for p in m.participants)
                if place(i + 1):
                    return True
                used[slot] -= 1
                taken.difference_update((p, slot) for p in m.participants)
        return False

    return place(0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_events())
def test_random_small_events_give_valid_placements_with_honest_gap_counts(case):
    problem, tables = case
    ids = [m.id for m in problem.meetings]
    pools = [(ids, {s.id: tables for s in problem.slots})]
    try:
        result = minimise_gaps(problem, ids, pools=pools, time_limit=5)
    except GapsNotFound as missing:
        assert missing.proven_infeasible
        assert not placement_exists(problem, tables)
        return
    assert_valid(problem, ids, result.slot_of, capacity=tables)
    assert result.total_gaps == sum(gaps_per_person(problem, result.slot_of).values())
    assert result.lower_bound <= result.total_gaps
    assert result.optimal


def solve_jair(name: str, **limits):
    """Every meeting of a JAIR `.original` instance placed on its tables, spread at most 2."""
    problem = read_dzn(instance_dir() / f"{name}.original.dzn")
    ids = [m.id for m in problem.meetings]
    tables = len(problem.tables)
    pools = [(ids, {s.id: tables for s in problem.slots})]
    result = minimise_gaps(problem, ids, pools=pools, gap_spread_limit=2, **limits)
    return problem, ids, tables, result


@needs_jair("ticf-13crafb")
def test_a_valid_hint_is_the_floor_even_without_time_to_search():
    # Far too little time to search this instance: the hint itself comes back, never nothing
    # and never worse.
    problem = read_dzn(instance_dir() / "ticf-13crafb.original.dzn")
    ids = [m.id for m in problem.meetings]
    pools = [(ids, {s.id: len(problem.tables) for s in problem.slots})]
    gap_model = GapModel(problem, ids, pools, gap_spread_limit=None)
    gap_model.model.clear_objective()  # any placement will do as the hint
    solver = cp_model.CpSolver()
    assert solver.solve(gap_model.model) == cp_model.OPTIMAL
    hint = gap_model.slot_of(solver)
    result = minimise_gaps(problem, ids, pools=pools, time_limit=0.5, workers=1, hint=hint)
    assert_valid(problem, ids, result.slot_of, capacity=len(problem.tables))
    assert result.total_gaps == sum(gaps_per_person(problem, result.slot_of).values())
    assert result.total_gaps <= sum(gaps_per_person(problem, hint).values())


FAST_INSTANCES = ["tic-12", "tic-13", "forumt-14"]


@needs_jair(*FAST_INSTANCES)
@pytest.mark.parametrize("name", FAST_INSTANCES)
def test_fast_jair_instances_reach_the_proven_optimum(name):
    problem, ids, tables, result = solve_jair(name, time_limit=30)
    assert_valid(problem, ids, result.slot_of, capacity=tables)
    per_person = gaps_per_person(problem, result.slot_of)
    optimum = PAPER_OPTIMA[name][0]
    assert sum(per_person.values()) == result.total_gaps == optimum
    with_meetings = {p for m in problem.meetings for p in m.participants}
    spread = [per_person[p] for p in with_meetings]
    assert max(spread) - min(spread) <= 2
    assert result.optimal and result.lower_bound == optimum


class Cancelled(Exception):
    pass


def test_exception_from_progress_stops_the_search():
    problem = spread_problem()

    def cancel(best, bound, seconds):
        raise Cancelled

    with pytest.raises(Cancelled):
        minimise_gaps(
            problem, [m.id for m in problem.meetings], pools=[], time_limit=10, on_progress=cancel
        )


# -- the MaxSAT encoding (scheduler.maxsat), judged against CP-SAT and from the outside ------


@st.composite
def events_with_pools(draw):
    """Small events with a table pool, some three-person and fixed meetings."""
    problem, tables = draw(small_events())
    slots = [s.id for s in problem.slots]
    meetings = []
    for m in problem.meetings:
        people = list(m.participants)
        others = [p.id for p in problem.participants if p.id not in people]
        if others and draw(st.booleans()) and draw(st.booleans()):
            people.append(draw(st.sampled_from(others)))
        fixed = draw(st.sampled_from(slots)) if draw(st.integers(0, 5)) == 0 else None
        meetings.append(meeting(m.id, *people, fixed=fixed))
    return replace(problem, meetings=tuple(meetings)), tables, draw(st.sampled_from([None, 0, 1]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events_with_pools())
def test_maxsat_agrees_with_cp_sat_on_random_small_events(case):
    problem, tables, limit = case
    ids = [m.id for m in problem.meetings]
    pools = [(ids, {s.id: tables for s in problem.slots})]
    answer = maxsat.solve(problem, ids, pools, limit)
    assert maxsat.solve(problem, ids, pools, limit, parity=False).gaps == answer.gaps
    try:
        expected = minimise_gaps(
            problem, ids, pools=pools, time_limit=5, workers=1, gap_spread_limit=limit
        )
    except GapsNotFound as missing:
        assert missing.proven_infeasible
        assert answer.slot_of is None
        return
    assert expected.optimal
    assert answer.slot_of is not None
    assert_valid(problem, ids, answer.slot_of, capacity=tables)
    per_person = gaps_per_person(problem, answer.slot_of)
    assert answer.gaps == sum(per_person.values()) == expected.total_gaps
    if limit is not None:
        with_meetings = {p for m in problem.meetings for p in m.participants}
        spread = [per_person[p] for p in with_meetings]
        assert max(spread) - min(spread) <= limit


def test_maxsat_spread_limit_when_everyone_could_have_a_gap():
    # Everyone has two meetings or more, so nobody is pinned at zero gaps and the encoding
    # must count the fewest. a and b each have a gap whatever happens; c has none.
    problem = event(
        [["09:00", "09:30", "10:00", "10:30"]],
        ["a", "b", "c"],
        [
            meeting("ab1", "a", "b", fixed="d1-09:00"),
            meeting("ab2", "a", "b", fixed="d1-10:30"),
            meeting("bc", "b", "c", allowed=["d1-09:30", "d1-10:00"]),
            meeting("ac", "a", "c", allowed=["d1-09:30", "d1-10:00"]),
        ],
    )
    ids = [m.id for m in problem.meetings]
    for limit in (None, 1):
        answer = maxsat.solve(problem, ids, [], limit)
        assert_valid(problem, ids, answer.slot_of)
        assert answer.gaps == 2 == sum(gaps_per_person(problem, answer.slot_of).values())
    assert maxsat.solve(problem, ids, [], 0).slot_of is None
    with pytest.raises(GapsNotFound):
        minimise_gaps(problem, ids, pools=[], time_limit=5, workers=1, gap_spread_limit=0)


def test_maxsat_reports_a_meeting_without_a_possible_slot():
    problem = spread_problem()
    answer = maxsat.solve(problem, ["m1", "m2"], [], None)
    assert answer.slot_of is not None and answer.gaps == 1
    alone = maxsat.solve(problem, ["m1"], [], None)  # no gap possible: no soft clause at all
    assert alone == maxsat.MaxSatResult({"m1": "d1-09:00"}, 0)
    stuck = replace(problem, meetings=(meeting("m9", "x", "a", allowed=[]),))
    assert maxsat.solve(stuck, ["m9"], [], None).slot_of is None


def test_maxsat_child_process_gives_the_same_answer_and_can_be_stopped():
    problem = spread_problem()
    ids = [m.id for m in problem.meetings]
    child = maxsat.Background(problem, ids, [], 1)
    answer = None
    for _ in range(300):
        answer = child.result(timeout=0.1)
        if answer is not None:
            break
    child.stop()
    assert answer == maxsat.solve(problem, ids, [], 1)
    assert answer.gaps == 3
    busy = maxsat.Background(problem, ids, [], 1)
    busy.stop()  # killed before it answered, or after: either way no process is left
    assert busy._process.returncode is not None


@needs_jair("tic-13crafc")
def test_maxsat_beside_cp_sat_proves_an_optimum_cp_sat_alone_does_not():
    # tic-13crafc, spread at most 2, has 4 gaps at best. CP-SAT alone cannot rule out 3 within
    # a fixed amount of its deterministic work (one thread: the same on any machine, however
    # busy); beside it, RC2 proves 4. The search ends once that is proven, so its generous
    # time limit only keeps a busy machine from cutting it short.
    problem, ids, tables, result = solve_jair("tic-13crafc", time_limit=300, workers=2)
    assert_valid(problem, ids, result.slot_of, capacity=tables)
    assert result.total_gaps == sum(gaps_per_person(problem, result.slot_of).values()) == 4
    assert result.optimal and result.lower_bound == 4

    alone = GapModel(problem, ids, [(ids, {s.id: tables for s in problem.slots})], 2)
    alone.model.add(alone.objective <= 3)
    alone.model.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.copy_from(solver_parameters(time_limit=600))
    solver.parameters.max_deterministic_time = 10
    assert solver.solve(alone.model) == cp_model.UNKNOWN


@needs_jair("ticf-13crafb")
@pytest.mark.parametrize("searching", [True, False], ids=["while-searching", "while-starting"])
def test_maxsat_child_ends_when_its_parent_is_killed(searching):
    # A parent killed outright cannot stop its MaxSAT search; the search must not outlive it,
    # even when the parent dies before the child has asked to die with it.
    starts_a_long_search = textwrap.dedent(
        f"""
        import time
        from scheduler import maxsat
        from scheduler.b2b import read_dzn
        p = read_dzn({str(instance_dir() / "ticf-13crafb.original.dzn")!r})
        ids = [m.id for m in p.meetings]
        child = maxsat.Background(p, ids, [(ids, {{s.id: 14 for s in p.slots}})], 2)
        print(child._process.pid, flush=True)
        time.sleep(120)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", starts_a_long_search], stdout=subprocess.PIPE, text=True
    )
    with parent.stdout:
        child = int(parent.stdout.readline())
    if searching:
        time.sleep(1.0)
        assert _running(child)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30  # a busy machine may take a while to deliver the signal
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(child)


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie awaiting its reaper counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _fixed_to(gap_model: GapModel, slot_of) -> int:
    model = gap_model.model.clone()
    for mid, slot in slot_of.items():
        model.add(gap_model.place[mid][slot] == 1)
    model.clear_objective()
    return cp_model.CpSolver().solve(model)


def test_a_placement_of_interchangeable_meetings_is_kept_whatever_their_order():
    # Two meetings of the same pair are interchangeable, and the model keeps them in id order;
    # a valid placement that has them the other way round is still a placement to start from.
    problem = event(
        [["09:00", "09:30", "10:00"]],
        ["p", "q", "r"],
        [meeting("m1", "p", "q"), meeting("m2", "p", "q"), meeting("m3", "q", "r")],
    )
    ids = [m.id for m in problem.meetings]
    pools = [(ids, {s.id: 1 for s in problem.slots})]
    gap_model = GapModel(problem, ids, pools, None)
    twins_reversed = {"m1": "d1-10:00", "m2": "d1-09:00", "m3": "d1-09:30"}
    assert _fixed_to(gap_model, twins_reversed) == cp_model.INFEASIBLE
    ordered = gap_model.in_twin_order(twins_reversed)
    assert ordered == {"m1": "d1-09:00", "m2": "d1-10:00", "m3": "d1-09:30"}
    assert _fixed_to(gap_model, ordered) == cp_model.OPTIMAL
    result = minimise_gaps(problem, ids, pools=pools, time_limit=5, workers=1, hint=twins_reversed)
    assert_valid(problem, ids, result.slot_of, capacity=1)
    assert result.total_gaps == 0 and result.optimal
