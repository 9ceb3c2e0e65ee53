"""The solver as the app calls it: one place that knows which functions of `scheduler` to use.

`solve` reports progress through `on_progress(best, bound, elapsed, phase)`. Returning True
from it stops the search early: `solve` then returns the best schedule found so far (checked
like any other). Raising from it stops the search and propagates.
"""

from __future__ import annotations

from collections.abc import Callable

from scheduler import Problem, Progress, Schedule
from scheduler import solve as cp_solve
from scheduler import upper_bound as bound

ProgressCallback = Callable[[float | None, float | None, float, str], bool | None]

WORKERS = 2
"""Solver threads per run; a consumer machine runs one run per core pair."""


def solve(
    problem: Problem,
    *,
    time_limit: float,
    hint: Schedule | None = None,
    on_progress: ProgressCallback | None = None,
) -> Schedule:
    stop = False

    def report(progress: Progress) -> None:
        nonlocal stop
        if on_progress is not None and on_progress(
            progress.best, progress.bound, progress.elapsed, progress.phase
        ):
            stop = True

    return cp_solve(
        problem,
        time_limit=time_limit,
        workers=WORKERS,
        hint=hint,
        on_progress=report,
        should_stop=lambda: stop,
    )


def upper_bound(problem: Problem, time_limit: float = 5.0) -> int:
    """Most priority any schedule of the problem can reach."""
    return int(bound(problem, time_limit=time_limit).value)
