"""Measuring one instance: built, solved, checked and compared in a child process of its own,
so that its peak memory is its own; medians over repeats."""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from scheduler.bench.goals import judge
from scheduler.bench.instances import Instance
from scheduler.bounds import upper_bound
from scheduler.check import check
from scheduler.greedy import greedy
from scheduler.metrics import figures
from scheduler.problem import Problem, Schedule
from scheduler.solve import Progress, solve


@dataclass
class Outcome:
    """What one instance gave: medians over the repeats, and the goals judged on them."""

    instance: Instance
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    goals: list[tuple[str, bool, str]] = field(default_factory=list)
    """(goal, met, what we measured)."""


def measure(instance: Instance, workers: int) -> dict[str, Any]:
    """Build, solve, check and compare one instance. Runs in the child process."""
    problem = instance.make()
    improvements: list[tuple[float, float]] = []  # (elapsed s, best priority sum so far)

    def on_progress(progress: Progress) -> None:
        if progress.best is not None and (not improvements or progress.best > improvements[-1][1]):
            improvements.append((progress.elapsed, progress.best))

    extra = {}
    if instance.gap_spread_limit is not None:
        extra["gap_spread_limit"] = instance.gap_spread_limit
    started = time.perf_counter()
    schedule = solve(
        problem, time_limit=instance.time_limit, workers=workers, on_progress=on_progress, **extra
    )
    seconds = time.perf_counter() - started
    # kB on Linux; the MaxSAT search of the gap stage runs in a child process of its own.
    peak_mb = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024

    result: dict[str, Any] = {
        "participants": len(problem.participants),
        "meetings": len(problem.meetings),
        "priority_total": sum(m.priority for m in problem.meetings),
        "slots": len(problem.slots),
        "tables": len(problem.tables),
        "fixed": sum(1 for m in problem.meetings if m.fixed),
        "seconds": seconds,
        "peak_mb": peak_mb,
        "status": str(schedule.stats.get("status", "")),
        "gap_bound": schedule.stats.get("idle_gaps_bound"),
        "table_changes_bound": schedule.stats.get("table_changes_bound"),
        "best_found_after": improvements[-1][0] if improvements else None,
        "fixed_moved": _fixed_moved(problem, schedule),
        **_summary("ours", problem, schedule),
    }
    started = time.perf_counter()
    baseline = greedy(problem)
    result["greedy_seconds"] = time.perf_counter() - started
    result.update(_summary("greedy", problem, baseline))
    started = time.perf_counter()
    bound = upper_bound(problem)
    result["bound_seconds"] = time.perf_counter() - started
    result["bound"] = bound.value
    result["bound_method"] = bound.method
    return result


def _summary(who: str, problem: Problem, schedule: Schedule) -> dict[str, Any]:
    violations = check(problem, schedule)
    f = figures(problem, schedule)
    return {
        f"{who}_violations": len(violations),
        f"{who}_first_violation": violations[0].message if violations else "",
        f"{who}_priority": f.priority_sum,
        f"{who}_scheduled": f.meetings_scheduled,
        f"{who}_gaps": f.idle_gaps,
        f"{who}_spread": f.gap_spread,
        f"{who}_table_changes": f.table_changes,
        f"{who}_fewest": f.fewest_meetings,
        f"{who}_without": len(f.without_meeting),
        f"{who}_avoidably_without": len(f.avoidably_without_meeting),
        f"{who}_servable_without": f.avoidably_without,
    }


def _fixed_moved(problem: Problem, schedule: Schedule) -> int:
    moved = 0
    for m in problem.meetings:
        if m.fixed is None:
            continue
        a = schedule.assignment_of.get(m.id)
        if a is None or a.slot != m.fixed.slot or m.fixed.table not in (None, a.table):
            moved += 1
    return moved


def _child(instance: Instance, workers: int, pipe: Any) -> None:
    try:
        pipe.send(measure(instance, workers))
    except BaseException as exc:  # reported in the table, not lost in a child's traceback
        pipe.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        pipe.close()


def run_isolated(instance: Instance, workers: int) -> dict[str, Any]:
    """`measure` in a fresh process; gives up (and says so) long after the time limit."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(instance, workers, sender))
    process.start()
    sender.close()
    patience = 3 * instance.time_limit + 300
    try:
        if receiver.poll(patience):
            return receiver.recv()
        return {"error": f"no result after {patience:.0f} s"}
    except EOFError:
        return {"error": "the child process died (out of memory?)"}
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()


def run(instance: Instance, workers: int, repeat: int) -> Outcome:
    runs = [run_isolated(instance, workers) for _ in range(repeat)]
    failed = [r["error"] for r in runs if "error" in r]
    if failed:
        return Outcome(instance, error=failed[0])
    merged = {key: _median([r[key] for r in runs]) for key in runs[0]}
    # A schedule counts as valid only if every repeat was.
    for who in ("ours", "greedy"):
        merged[f"{who}_violations"] = max(r[f"{who}_violations"] for r in runs)
    merged["fixed_moved"] = max(r["fixed_moved"] for r in runs)
    outcome = Outcome(instance, merged)
    outcome.goals = judge(instance, merged)
    return outcome


def _median(values: list[Any]) -> Any:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) == len(values) and values:
        middle = statistics.median(numbers)
        whole = all(isinstance(v, int) for v in values) and float(middle).is_integer()
        return int(middle) if whole else middle
    return values[0]
