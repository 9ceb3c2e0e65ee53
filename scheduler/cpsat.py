"""Running CP-SAT so that the caller's thread stays in charge.

The search runs in a worker thread; the calling thread wakes a few times a second to report
progress through `tick(best, bound)`. Whatever `tick` raises (a cancellation, say) stops the
search and propagates from `run`, so progress callbacks always run on the caller's thread.
When `tick` returns True instead, the search stops gracefully: `run` returns what it found.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

TICK_SECONDS = 0.25


@dataclass
class Outcome:
    status: int
    objective: float | None
    bound: float | None
    solver: cp_model.CpSolver

    @property
    def found(self) -> bool:
        return self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    @property
    def optimal(self) -> bool:
        return self.status == cp_model.OPTIMAL


class _Watch(cp_model.CpSolverSolutionCallback):
    def __init__(self) -> None:
        super().__init__()
        self.best: float | None = None
        self.bound: float | None = None

    def on_solution_callback(self) -> None:
        self.best = self.objective_value
        self.bound = self.best_objective_bound


def run(
    model: cp_model.CpModel,
    *,
    time_limit: float,
    workers: int,
    tick: Callable[[float | None, float | None], bool | None] | None = None,
    seed: int = 0,
    light_presolve: bool = False,
) -> Outcome:
    """Solve `model`; `light_presolve` suits many small models solved in a row (neighbourhoods),
    where a full presolve would take longer than the search."""
    solver = cp_model.CpSolver()
    if light_presolve:
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        solver.parameters.max_presolve_iterations = 1
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    watch = _Watch()
    result: dict[str, int] = {}

    def search() -> None:
        result["status"] = solver.solve(model, watch)

    worker = threading.Thread(target=search, name="cp-sat", daemon=True)
    worker.start()
    stopping = False
    try:
        while worker.is_alive():
            worker.join(TICK_SECONDS)
            if tick is not None and worker.is_alive() and not stopping:
                if tick(watch.best, watch.bound):
                    stopping = True
                    solver.stop_search()
    except BaseException:
        solver.stop_search()
        worker.join()
        raise
    status = result.get("status", cp_model.UNKNOWN)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return Outcome(
        status=status,
        objective=solver.objective_value if found else None,
        bound=solver.best_objective_bound if found else None,
        solver=solver,
    )
