"""The solver's stages one by one, on small events whose best schedule is known: first_fit,
cpsat.run, polish, the large-neighbourhood search and the exact gap stage. Every placement is
turned into a schedule and judged by `check` and `figures`, never by the stage itself."""

import time

from ortools.sat.python import cp_model

from scheduler import cpsat
from scheduler.check import check
from scheduler.first_fit import first_fit
from scheduler.gap_stage import place_with_fewest_gaps
from scheduler.instance import Instance
from scheduler.lns import Search, improve, score
from scheduler.metrics import figures
from scheduler.polish import polish
from scheduler.problem import Schedule
from tests.scheduler.placements import schedule_of
from tests.scheduler.test_solve import event, pair


def as_schedule(inst: Instance, placement: dict[int, int]) -> Schedule:
    """The placement with tables, checked: a stage never returns an invalid placement."""
    schedule = schedule_of(inst, placement)
    assert check(inst.problem, schedule) == []
    return schedule


def index(inst: Instance, **placed: str) -> dict[int, int]:
    """meeting id -> slot id, as indices."""
    return {inst.meeting_ids.index(mid): inst.slot_ids.index(sid) for mid, sid in placed.items()}


def star(slots: int = 3, **fixed):
    """p1 meets p2, p3 and p4: three meetings of one person, which fit in three slots."""
    return Instance(
        event(
            slots=slots,
            meetings=[
                {"id": f"m{n}", **pair("p1", other), **fixed.get(f"m{n}", {})}
                for n, other in enumerate(("p2", "p3", "p4"), 1)
            ],
        )
    )


def gaps(inst: Instance, placement: dict[int, int]) -> int:
    return figures(inst.problem, as_schedule(inst, placement)).idle_gaps


# --- first_fit ---------------------------------------------------------------------------------


def test_first_fit_places_every_meeting_that_fits_and_keeps_agendas_tight():
    inst = star()
    placement = first_fit(inst)
    assert len(placement) == 3 and gaps(inst, placement) == 0


def test_first_fit_gives_preferred_meetings_their_old_slot():
    inst = star(slots=4)
    prefer = index(inst, m1="d0s3", m2="d0s2")
    placement = first_fit(inst, prefer=prefer)
    assert {i: placement[i] for i in prefer} == prefer
    as_schedule(inst, placement)


def test_first_fit_places_favoured_meetings_before_the_others():
    # One slot: only one of p1's meetings can have it.
    inst = star(slots=1)
    favoured = inst.meeting_ids.index("m3")
    assert set(first_fit(inst, favour=[favoured])) == {favoured}


def test_first_fit_keeps_a_fixed_meeting_in_its_slot():
    inst = star(m2={"fixed": {"slot": "d0s2"}})
    placement = first_fit(inst)
    assert placement[inst.meeting_ids.index("m2")] == inst.slot_ids.index("d0s2")
    assert len(placement) == 3 and gaps(inst, placement) == 0


# --- cpsat.run -------------------------------------------------------------------------------


def test_cpsat_run_reports_an_optimum_with_its_bound():
    model = cp_model.CpModel()
    x, y = model.new_bool_var("x"), model.new_bool_var("y")
    model.add(x + y <= 1)
    model.maximize(2 * x + y)
    out = cpsat.run(model, time_limit=5, workers=1)
    assert out.found and out.optimal
    assert out.objective == out.bound == 2
    assert out.solver.value(x) == 1


def test_cpsat_run_reports_an_impossible_model_as_nothing_found():
    model = cp_model.CpModel()
    x = model.new_bool_var("x")
    model.add(x == 1)
    model.add(x == 0)
    out = cpsat.run(model, time_limit=5, workers=1)
    assert not out.found and not out.optimal and out.objective is None


def test_cpsat_run_stops_when_the_tick_says_so():
    # The shortest Golomb ruler of 11 marks takes CP-SAT minutes to prove: the search is still
    # going at the first tick, which stops it.
    model = cp_model.CpModel()
    marks = [model.new_int_var(0, 200, f"x{i}") for i in range(11)]
    model.add(marks[0] == 0)
    for a, b in zip(marks, marks[1:], strict=False):
        model.add(a < b)
    model.add_all_different([marks[j] - marks[i] for i in range(11) for j in range(i + 1, 11)])
    model.minimize(marks[-1])
    ticks = []
    started = time.monotonic()
    out = cpsat.run(
        model, time_limit=120, workers=1, tick=lambda best, bound: ticks.append(1) or True
    )
    assert ticks == [1]
    assert time.monotonic() - started < 30
    assert not out.optimal


# --- polish ----------------------------------------------------------------------------------


def test_polish_closes_a_gap():
    inst = star()
    placement = index(inst, m1="d0s0", m2="d0s2")  # p1 idle at d0s1
    assert gaps(inst, placement) == 1
    polished = polish(inst, placement, {}, seconds=2)
    assert set(polished) == set(placement) and gaps(inst, polished) == 0


def test_polish_leaves_fixed_meetings_where_they_are():
    inst = star(m1={"fixed": {"slot": "d0s0"}})
    placement = index(inst, m1="d0s0", m2="d0s2")
    polished = polish(inst, placement, {}, seconds=2)
    assert polished[inst.meeting_ids.index("m1")] == inst.slot_ids.index("d0s0")
    assert gaps(inst, polished) == 0


def test_polish_does_not_move_a_meeting_for_no_net_gain():
    # Moving m2 away from its previous slot costs as much as the gap it closes.
    inst = star()
    placement = index(inst, m1="d0s0", m2="d0s2")
    polished = polish(inst, placement, dict(placement), seconds=1)
    assert polished == placement


# --- the large-neighbourhood search ----------------------------------------------------------


def two_days(**fixed):
    """Eight people, each in two or three meetings, two days of three slots: every meeting fits,
    with no idle gap (the optimum)."""
    pairs = [("p1", "p2"), ("p1", "p3"), ("p1", "p4"), ("p2", "p3"), ("p5", "p6")]
    pairs += [("p5", "p7"), ("p6", "p8"), ("p7", "p8"), ("p4", "p5")]
    meetings = [
        {"id": f"m{n}", **pair(a, b), **fixed.get(f"m{n}", {})} for n, (a, b) in enumerate(pairs, 1)
    ]
    participants = [{"id": f"p{i}"} for i in range(1, 9)]
    return Instance(event(slots=3, days=2, participants=participants, meetings=meetings))


def test_lns_improves_a_poor_start_to_the_known_optimum():
    inst = two_days()
    start = {0: 0, 4: 5}  # two meetings, one on each day, the rest left out
    search = Search(inst, start, {}, workers=1)
    deadline = time.monotonic() + 10
    seen = []
    placement = improve(
        search,
        seconds_left=lambda: deadline - time.monotonic() if not search.proven else 0,
        report=lambda s: seen.append(s),
    )
    schedule = as_schedule(inst, placement)
    found = figures(inst.problem, schedule)
    assert found.meetings_scheduled == len(inst.meeting_ids)
    assert found.idle_gaps == 0
    assert search.score == score(inst, placement, {})
    assert seen and seen[-1] == search.score


def test_lns_keeps_fixed_meetings():
    inst = two_days(m1={"fixed": {"slot": "d1s2"}}, m5={"fixed": {"slot": "d0s0"}})
    fixed_at = {i: s for i, s in enumerate(inst.fixed_slot) if s is not None}
    assert len(fixed_at) == 2
    search = Search(inst, first_fit(inst), {}, workers=1)
    deadline = time.monotonic() + 3
    placement = improve(
        search, seconds_left=lambda: deadline - time.monotonic(), report=lambda s: None
    )
    assert all(placement[i] == s for i, s in fixed_at.items())
    assert len(placement) == len(inst.meeting_ids)
    as_schedule(inst, placement)


# --- the exact gap stage ---------------------------------------------------------------------


def test_the_gap_stage_finds_and_proves_the_fewest_gaps():
    inst = two_days()
    start = first_fit(inst)
    outcome = place_with_fewest_gaps(
        inst, start, time_limit=10, workers=1, gap_spread_limit=None, tick=lambda: False
    )
    assert outcome is not None
    assert set(outcome.placement) == set(start)
    assert outcome.gaps == outcome.lower_bound == gaps(inst, outcome.placement) == 0
    assert outcome.optimal


def test_the_gap_stage_keeps_a_fixed_meeting_and_proves_a_gap_it_cannot_avoid():
    # m1 is fixed at the first slot and m3 at the last: p1's middle meeting closes one of the
    # two runs at best, so one gap remains whatever the stage does.
    inst = star(slots=4, m1={"fixed": {"slot": "d0s0"}}, m3={"fixed": {"slot": "d0s3"}})
    placement = index(inst, m1="d0s0", m2="d0s1", m3="d0s3")
    outcome = place_with_fewest_gaps(
        inst, placement, time_limit=10, workers=1, gap_spread_limit=None, tick=lambda: False
    )
    assert outcome is not None and outcome.optimal
    assert outcome.placement[inst.meeting_ids.index("m1")] == inst.slot_ids.index("d0s0")
    assert outcome.placement[inst.meeting_ids.index("m3")] == inst.slot_ids.index("d0s3")
    assert outcome.gaps == outcome.lower_bound == gaps(inst, outcome.placement) == 1
