"""Per-person lower bounds on idle gaps: the fewest gaps each person's own meetings need with
nobody else in the way. Their sum bounds the whole placement's gaps from below, and stated per
person in the model they prune early."""

from __future__ import annotations

import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from scheduler.gap_model import GapModel, solver_parameters
from scheduler.problem import Meeting, Problem


def _fits_in_one_run(problem: Problem, slots_of: list[list[str]]) -> bool:
    """Whether some window of consecutive slots of one day holds these meetings, each in one
    of its slots (a bipartite matching per window)."""
    n = len(slots_of)
    for day in problem.days:
        for start in range(len(day) - n + 1):
            window = set(day[start : start + n])
            if _has_perfect_matching([[s for s in ss if s in window] for ss in slots_of]):
                return True
    return False


def _has_perfect_matching(options: list[list[str]]) -> bool:
    owner: dict[str, int] = {}

    def augment(i: int, seen: set[str]) -> bool:
        for slot in options[i]:
            if slot not in seen:
                seen.add(slot)
                if slot not in owner or augment(owner[slot], seen):
                    owner[slot] = i
                    return True
        return False

    return all(augment(i, set()) for i in range(len(options)))


def fewest_gaps_alone(
    problem: Problem, meetings: Sequence[str], *, time_limit: float = 5.0
) -> dict[str, int]:
    """Per person, the fewest gaps their own meetings need with nobody else in the way (the
    fewest runs of slots that can hold them, minus one per day used): a proven lower bound.
    Most people fit in one run, which a matching shows; the others get a small model each,
    as long as `time_limit` lasts (after that, 0: still a bound)."""
    started = time.monotonic()
    by_id = problem.meeting_by_id
    fewest = {}
    for pid, mids in problem.meetings_among(meetings).items():
        fewest[pid] = 0
        slots_of = [_slots_of(problem, by_id[m]) for m in mids]
        if len(mids) < 2 or _fits_in_one_run(problem, slots_of):
            continue
        left = time_limit - (time.monotonic() - started)
        if left <= 0:
            continue
        alone = GapModel(problem, mids, pools=(), gap_spread_limit=None, counted=[pid])
        solver = cp_model.CpSolver()
        solver.parameters.copy_from(solver_parameters(min(left, 1.0)))
        status = solver.solve(alone.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            fewest[pid] = round(solver.best_objective_bound)
    return fewest


def _slots_of(problem: Problem, meeting: Meeting) -> list[str]:
    return [meeting.fixed.slot] if meeting.fixed else problem.possible_slots(meeting)
