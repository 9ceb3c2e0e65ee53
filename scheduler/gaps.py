"""Place a set of meetings in slots with the fewest idle gaps (the JAIR B2B objective).

`minimise_gaps` puts every given meeting into one of its possible slots (nobody twice in a
slot, at most a pool's capacity of pool meetings per slot) and minimises the total number of
idle gaps: per person and day, each maximal run of free slots between two of their meetings.
Optionally the most-minus-fewest gaps of any participant is bounded (the paper's fairness).

The model is `scheduler.gap_model`; this module searches it: each person's fewest possible gaps
(`scheduler.gap_bounds`) as a lower bound, a first schedule (the hint or a quick feasibility
solve) as a solution hint, then placements at rising targets alternating with neighbourhoods.
A hint that places every meeting within the rules is the first placement found, so the search
never returns less than it was given.

With two workers or more, one of them runs the same problem as core-guided MaxSAT
(`scheduler.maxsat`, RC2) in a child process once CP-SAT has had a second alone (the race
between them is `scheduler.gap_race`): on the
hardest JAIR instances RC2 proves the optimum where CP-SAT stalls far above it. Whichever
settles the question first ends the search.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.gap_bounds import fewest_gaps_alone
from scheduler.gap_model import GapModel, Pool, solver_parameters
from scheduler.gap_race import MaxSatBeside, Race
from scheduler.metrics import idle_gaps
from scheduler.problem import Problem

ProgressCallback = Callable[[int, int, float], None]
"""Called with (best total gaps so far, proven lower bound, seconds elapsed)."""


@dataclass(frozen=True)
class GapResult:
    slot_of: dict[str, str]
    """Slot id of every meeting that was given."""
    total_gaps: int
    lower_bound: int
    """No placement of these meetings has fewer gaps (proven by the solver)."""
    optimal: bool
    seconds: float


class GapsNotFound(RuntimeError):
    """No placement was found: proven impossible, or none found within the time limit."""

    def __init__(self, message: str, *, proven_infeasible: bool, seconds: float) -> None:
        super().__init__(message)
        self.proven_infeasible = proven_infeasible
        self.seconds = seconds


class _Progress(cp_model.CpSolverSolutionCallback):
    """Forwards each solution's total gaps to `report`."""

    def __init__(self, total: cp_model.LinearExprT, report: Callable[[int], None]) -> None:
        super().__init__()
        self._total = total
        self._report = report

        self.error: BaseException | None = None

    def on_solution_callback(self) -> None:
        try:
            self._report(round(self.value(self._total)))
        except BaseException as error:  # a caller cancelling through its progress callback
            self.error = error
            self.stop_search()


ROUND_SECONDS = 2.0
"""Longest single neighbourhood round."""

FIRST_STAGE_SHARE = 0.6
"""Share of the time for the first stage, at the lower bound: it settles most instances."""

FALLBACK_SHARE = 0.3
"""With no placement found when this share of the time is left, take any placement."""

# -- the search -------------------------------------------------------------------------------


def minimise_gaps(
    problem: Problem,
    meetings: Iterable[str],
    *,
    pools: Sequence[Pool],
    time_limit: float,
    workers: int = 2,
    hint: Mapping[str, str] | None = None,
    gap_spread_limit: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> GapResult:
    """Place every meeting with the fewest idle gaps; see the module docstring.

    Meetings outside `meetings` are ignored except through `pools` and availability. Returns
    the best placement found within `time_limit` seconds; raises `GapsNotFound` when there is
    none (`proven_infeasible` tells whether none can exist). An exception raised by
    `on_progress` stops the search and propagates.

    The search asks for a placement with at most `target` gaps, starting at the lower bound
    and raising the target when that is proven impossible (the bound rises) or not settled in
    its share of the time: a tight target prunes far more than a slowly falling objective.
    """
    started = time.monotonic()
    deadline = started + time_limit
    meetings = list(dict.fromkeys(meetings))
    gap_model = GapModel(problem, meetings, pools, gap_spread_limit)
    search = Race(lower_bound=0)
    report = _reporter(on_progress, search, started)
    beside = None
    if workers >= 2:  # MaxSAT takes one of the workers
        beside = MaxSatBeside(search, started, deadline, problem, meetings, pools, gap_spread_limit)
        workers -= 1
    try:
        _search_with_cp_sat(gap_model, search, started, deadline, workers, hint, report)
        if beside is not None:
            beside.wait(report)
    finally:
        if beside is not None:
            beside.close()
    seconds = time.monotonic() - started
    if search.best is None:
        what = "no placement exists" if search.infeasible else "no placement found in time"
        raise GapsNotFound(
            f"{what} for {len(meetings)} meetings",
            proven_infeasible=search.infeasible,
            seconds=seconds,
        )
    return GapResult(
        slot_of=search.best,
        total_gaps=search.best_gaps,
        lower_bound=min(search.lower_bound, search.best_gaps),
        optimal=search.closed,
        seconds=seconds,
    )


def _search_with_cp_sat(
    gap_model: GapModel,
    search: Race,
    started: float,
    deadline: float,
    workers: int,
    hint: Mapping[str, str] | None,
    report: Callable[[int], None],
) -> None:
    """Ask CP-SAT for placements at rising targets, alternating with neighbourhood search,
    until the search is closed, handed over to MaxSAT, or the deadline passes."""
    time_limit = deadline - started
    if hint:
        _start_from(gap_model, search, hint, time_limit=max(0.1 * time_limit, 1.0))
    given = search.best  # the hint, when it is a placement: the first stage keeps its share
    fewest = fewest_gaps_alone(gap_model.problem, gap_model.meetings, time_limit=0.1 * time_limit)
    gap_model.add_person_bounds(fewest)
    search.raise_bound(sum(fewest.values()))
    step = 1  # targets tried: lower bound + step - 1, the step doubling while proven too low
    unsettled = False  # a stage ran out of time without an answer
    first_hint = dict(hint or {})
    while not search.over_for_cp_sat and time.monotonic() < deadline - 0.05:
        target = min(search.lower_bound + step - 1, gap_model.most_gaps)
        if search.best_gaps is not None:
            target = min(target, search.best_gaps - 1)
        remaining = deadline - time.monotonic()
        if search.best is None and (unsettled or remaining < FALLBACK_SHARE * time_limit):
            target = gap_model.most_gaps  # nothing yet: any placement, then improve it
        share = max(FIRST_STAGE_SHARE * remaining, 2.0)
        if search.best is not None and search.best is not given:
            # Alternate: the whole problem at one gap fewer (which can also prove the bound),
            # then neighbourhoods of the best placement, which find improvements far sooner.
            share = max(0.3 * remaining, 2.0)
        start = search.best or first_hint
        status = _stage(gap_model, search, target, min(share, remaining), workers, start, report)
        if status == cp_model.INFEASIBLE:
            if target >= gap_model.most_gaps:
                search.infeasible = True
                break
            search.raise_bound(target + 1)
            step *= 2
        elif status == cp_model.UNKNOWN:
            unsettled = True
        if search.best is not None and not search.over_for_cp_sat:
            neighbourhood_end = time.monotonic() + 0.5 * (deadline - time.monotonic())
            _improve_in_neighbourhoods(gap_model, search, neighbourhood_end, workers, report)
    if search.best is not None:
        report(search.best_gaps)


def _start_from(
    gap_model: GapModel, search: Race, hint: Mapping[str, str], *, time_limit: float
) -> None:
    """Record the hint as the first placement when it places every meeting and keeps every
    rule, so that the search never returns less than it was given (on a busy machine the
    first stages may find nothing in their time)."""
    if any(hint.get(mid) not in slots for mid, slots in gap_model.place.items()):
        return
    hint = gap_model.in_twin_order(hint)
    model = gap_model.model.clone()
    for mid, slots in gap_model.place.items():
        model.add(slots[hint[mid]] == 1)
    model.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.copy_from(solver_parameters(time_limit))
    if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        search.record(gap_model.slot_of(solver), round(solver.value(gap_model.objective)))


def _stage(
    gap_model: GapModel,
    search: Race,
    target: int,
    time_limit: float,
    workers: int,
    hint: Mapping[str, str],
    report: Callable[[int], None],
) -> int:
    """Look for a placement with at most `target` gaps, with `workers` differently seeded
    searches in parallel (the first to settle the question stops the others); record what
    is found in `search` and return the CP-SAT status."""
    model = gap_model.model.clone()
    model.add(gap_model.objective <= target)
    model.clear_objective()  # a feasibility question: the target does the pruning
    if hint:
        _hint(model, gap_model, hint)
    return _solve_portfolio(gap_model, search, model, time_limit, workers, report)


def _solve_portfolio(
    gap_model: GapModel,
    search: Race,
    model: cp_model.CpModel,
    time_limit: float,
    workers: int,
    report: Callable[[int], None],
) -> int:
    """Run `workers` differently seeded single-thread searches in parallel; the first to
    settle the question stops the others. Records a better placement in `search`."""
    solvers = [cp_model.CpSolver() for _ in range(max(workers, 1))]
    statuses: list[int] = [cp_model.UNKNOWN] * len(solvers)
    callbacks = [_Progress(gap_model.objective, report) for _ in solvers]

    def run(i: int) -> None:
        solvers[i].parameters.copy_from(solver_parameters(time_limit, seed=i))
        with search.lock:
            if search.over_for_cp_sat:
                return
            search.running.add(solvers[i])
        statuses[i] = solvers[i].solve(model, callbacks[i])
        if statuses[i] != cp_model.UNKNOWN or callbacks[i].error is not None:
            for other in solvers:
                other.stop_search()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(solvers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with search.lock:
        search.running.difference_update(solvers)
    for callback in callbacks:
        if callback.error is not None:
            raise callback.error
    settled = [i for i, status in enumerate(statuses) if status != cp_model.UNKNOWN]
    if not settled:
        return cp_model.UNKNOWN
    winner = settled[0]
    status = statuses[winner]
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solver = solvers[winner]
        search.record(gap_model.slot_of(solver), round(solver.value(gap_model.objective)))
    return status


def _improve_in_neighbourhoods(
    gap_model: GapModel,
    search: Race,
    deadline: float,
    workers: int,
    report: Callable[[int], None],
) -> None:
    """Large-neighbourhood search on the best placement: keep most meetings where they are,
    free those of a few people (some with gaps, some at random, with their partners) and ask
    for a placement with fewer gaps. The share of people freed grows when rounds are proven
    hopeless quickly and shrinks when they time out."""
    rng = random.Random(len(gap_model.meetings))
    people = sorted(gap_model.busy)
    share = 0.2
    while not search.over_for_cp_sat and time.monotonic() < deadline - 0.05:
        best = search.best
        slots_of = {p: [best[m] for m in gap_model.meetings_of.get(p, ())] for p in people}
        gaps = idle_gaps(gap_model.problem, slots_of)
        with_gaps = [p for p in people if gaps[p] > 0]
        chosen = set(rng.sample(with_gaps, min(len(with_gaps), 3)))
        while len(chosen) < max(2, share * len(people)):
            chosen.add(rng.choice(people))
        free = {m for p in chosen for m in gap_model.meetings_of.get(p, ())}
        model = gap_model.model.clone()
        model.add(gap_model.objective <= search.best_gaps - 1)
        model.clear_objective()
        for mid, slots in gap_model.place.items():
            if mid not in free:
                model.add(slots[best[mid]] == 1)
        _hint(model, gap_model, best)
        limit = min(ROUND_SECONDS, deadline - time.monotonic())
        status = _solve_portfolio(gap_model, search, model, limit, workers, report)
        if status == cp_model.INFEASIBLE:
            share = min(0.9, share * 1.25)
        elif status == cp_model.UNKNOWN:
            share = max(0.05, share / 1.25)


def _hint(model: cp_model.CpModel, gap_model: GapModel, slot_of: Mapping[str, str]) -> None:
    model.clear_hints()
    slot_of = gap_model.in_twin_order(slot_of)
    for mid, slots in gap_model.place.items():
        chosen = slot_of.get(mid)
        if chosen in slots:
            for slot, var in slots.items():
                model.add_hint(var, slot == chosen)


def _reporter(
    on_progress: ProgressCallback | None, search: Race, started: float
) -> Callable[[int], None]:
    def report(gaps: int) -> None:
        if on_progress is not None:
            best = gaps if search.best_gaps is None else min(gaps, search.best_gaps)
            on_progress(best, min(search.lower_bound, best), time.monotonic() - started)

    return report
