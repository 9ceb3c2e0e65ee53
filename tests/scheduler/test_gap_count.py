"""Idle gaps are counted once (`scheduler.metrics`): on random agendas the count agrees with a
brute-force definition, every incremental evaluator and encoding (two CP-SAT models, the MaxSAT
formula) agrees with it, and the gaps the solver reports are the gaps of the schedule it
returns."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler import maxsat
from scheduler.gap_model import GapModel
from scheduler.gap_stage import place_with_fewest_gaps
from scheduler.greedy import greedy
from scheduler.instance import Instance
from scheduler.lns import gaps_of
from scheduler.metrics import figures, gaps_in_day, idle_gaps
from scheduler.model import PlacementModel, _Agendas
from scheduler.polish import Agendas as PolishAgendas
from scheduler.problem import Meeting, Participant, Problem, Slot, Table
from scheduler.solve import solve

MONDAY = datetime(2026, 9, 14, 9, tzinfo=UTC)


def brute_force_gaps(problem: Problem, busy: set[str]) -> int:
    """The definition, written from scratch: per calendar day, walk its slots in time order
    and count each stretch of free slots that has a busy slot before and after it."""
    gaps = 0
    for day in sorted({s.start.date() for s in problem.slots}):
        walk = [
            s.id in busy
            for s in sorted(problem.slots, key=lambda s: s.start)
            if s.start.date() == day
        ]
        for k, here in enumerate(walk):
            opens_a_stretch = not here and (k == 0 or walk[k - 1])
            if opens_a_stretch and any(walk[:k]) and any(walk[k:]):
                gaps += 1
    return gaps


@st.composite
def problems(draw, most_meetings=10):
    """Two days of slots with a lunch break in the first (a break is not a gap), people with
    random availability and two-person meetings."""
    starts = []
    for day, count in enumerate(draw(st.lists(st.integers(1, 6), min_size=1, max_size=2))):
        lunch = draw(st.integers(0, count))
        for k in range(count):
            starts.append(MONDAY + timedelta(days=day, minutes=30 * k + (180 if k >= lunch else 0)))
    slots = tuple(
        Slot(f"s{i}", start, start + timedelta(minutes=30)) for i, start in enumerate(starts)
    )
    slot_ids = [s.id for s in slots]
    people = tuple(
        Participant(
            f"p{i}",
            draw(st.one_of(st.just(frozenset(slot_ids)), st.frozensets(st.sampled_from(slot_ids)))),
        )
        for i in range(draw(st.integers(2, 5)))
    )
    ids = [p.id for p in people]
    meetings = tuple(
        Meeting(
            f"m{i}",
            tuple(draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))),
            1,
        )
        for i in range(draw(st.integers(0, most_meetings)))
    )
    tables = tuple(Table(f"T{i}") for i in range(draw(st.integers(1, 3))))
    return Problem(slots, tables, people, meetings)


@settings(max_examples=200, deadline=None)
@given(problems(), st.data())
def test_the_count_agrees_with_the_definition(problem, data):
    slot_ids = [s.id for s in problem.slots]
    agendas = {p.id: data.draw(st.sets(st.sampled_from(slot_ids))) for p in problem.participants}
    counted = idle_gaps(problem, agendas)
    assert counted == {pid: brute_force_gaps(problem, busy) for pid, busy in agendas.items()}


def test_one_day_runs():
    assert gaps_in_day([]) == 0
    assert gaps_in_day([3]) == 0
    assert gaps_in_day([0, 1, 2]) == 0
    assert gaps_in_day([0, 2, 3, 7]) == 2
    assert gaps_in_day([7, 0, 2, 2]) == 2


def valid_placement(problem: Problem, inst: Instance, keep: list[bool]) -> dict[int, int]:
    """Part of greedy's valid schedule, as meeting index -> slot index."""
    meeting_at = {mid: i for i, mid in enumerate(inst.meeting_ids)}
    assignments = greedy(problem).assignments
    return {
        meeting_at[a.meeting]: problem.slot_index[a.slot]
        for a, kept in zip(assignments, keep + [True] * len(assignments), strict=False)
        if kept
    }


def gaps_by_person(problem: Problem, inst: Instance, placement: dict[int, int]) -> dict[str, int]:
    slots_by_person = {pid: [] for pid in inst.participant_ids}
    for i, s in placement.items():
        for p in inst.members[i]:
            slots_by_person[inst.participant_ids[p]].append(inst.slot_ids[s])
    return idle_gaps(problem, slots_by_person)


@settings(max_examples=150, deadline=None)
@given(problems(), st.lists(st.booleans(), max_size=10))
def test_incremental_evaluators_agree_with_the_count(problem, keep):
    inst = Instance(problem)
    placement = valid_placement(problem, inst, keep)
    expected = gaps_by_person(problem, inst, placement)
    polish = PolishAgendas(inst, placement)
    model_agendas = _Agendas(PlacementModel(inst, range(len(inst.meeting_ids)), {}), placement)
    for p, pid in enumerate(inst.participant_ids):
        mine = [placement[i] for i in inst.meetings_of[p] if i in placement]
        assert gaps_of(inst, mine) == expected[pid]
        assert sum(polish.day_gaps(p, d) for d in range(len(inst.days))) == expected[pid]
        assert model_agendas.gaps(p) == expected[pid]


def placed_with_gaps(problem: Problem, keep: list[bool]) -> tuple[Instance, dict[int, int], int]:
    """A valid placement of part of the problem, and its total idle gaps by the one count."""
    inst = Instance(problem)
    placement = valid_placement(problem, inst, keep)
    return inst, placement, sum(gaps_by_person(problem, inst, placement).values())


def _solved_value(model: cp_model.CpModel, objective) -> int:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.value(objective))


@settings(max_examples=60, deadline=None)
@given(problems(), st.lists(st.booleans(), max_size=10))
def test_the_cp_sat_encodings_agree_with_the_count(problem, keep):
    inst, placement, expected = placed_with_gaps(problem, keep)

    # The placement model, with exactly these meetings in these slots.
    pm = PlacementModel(inst, placement, {})
    for i, by_slot in pm.x.items():
        for s, var in by_slot.items():
            pm.model.add(var == int(placement[i] == s))
    gaps = pm.gaps()
    pm.model.minimize(gaps)
    assert _solved_value(pm.model, gaps) == expected

    # The exact gap stage's model, with the same placement. It keeps meetings of the same
    # people in slot order (symmetry breaking): swapping two such meetings changes no agenda.
    chosen = [inst.meeting_ids[i] for i in sorted(placement)]
    gm = GapModel(problem, chosen, [], None)
    twins: dict[tuple, list[int]] = {}
    for i in sorted(placement):
        twins.setdefault(tuple(sorted(inst.members[i])), []).append(i)
    in_order = {
        i: s
        for group in twins.values()
        for i, s in zip(group, sorted(placement[j] for j in group), strict=True)
    }
    for i, s in in_order.items():
        for sid, var in gm.place[inst.meeting_ids[i]].items():
            gm.model.add(var == int(sid == inst.slot_ids[s]))
    assert _solved_value(gm.model, gm.objective) == expected


@settings(max_examples=40, deadline=None)
@given(problems(), st.lists(st.booleans(), max_size=10))
def test_the_maxsat_encoding_agrees_with_the_count(problem, keep):
    inst, placement, expected = placed_with_gaps(problem, keep)
    # Each placed meeting may only take its slot: the optimum is this placement's gaps.
    pinned = replace(
        problem,
        meetings=tuple(
            replace(m, allowed_slots=frozenset({inst.slot_ids[placement[i]]}))
            for i, m in enumerate(problem.meetings)
            if i in placement
        ),
    )
    chosen = [m.id for m in pinned.meetings]
    answer = maxsat.solve(pinned, chosen, [], None)
    assert answer.slot_of == {inst.meeting_ids[i]: inst.slot_ids[s] for i, s in placement.items()}
    assert answer.gaps == expected


@settings(max_examples=15, deadline=None)
@given(problems())
def test_the_solver_reports_the_gaps_of_its_schedule(problem):
    schedule = solve(problem, time_limit=1, workers=1)
    assert schedule.stats["idle_gaps"] == figures(problem, schedule).idle_gaps


@settings(max_examples=15, deadline=None)
@given(problems(), st.lists(st.booleans(), max_size=10))
def test_the_gap_stage_reports_the_gaps_of_its_placement(problem, keep):
    inst = Instance(problem)
    placement = valid_placement(problem, inst, keep)
    outcome = place_with_fewest_gaps(
        inst, placement, time_limit=2, workers=1, gap_spread_limit=None, tick=lambda: False
    )
    assert outcome is not None
    assert outcome.gaps == sum(gaps_by_person(problem, inst, outcome.placement).values())
    assert outcome.gaps <= sum(gaps_by_person(problem, inst, placement).values())
