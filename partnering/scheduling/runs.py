"""Executing a scheduler run: the body of the background job.

The run's row is the only channel between the web page and the job: the job writes progress
and a heartbeat to it (at most every PROGRESS_INTERVAL seconds) and reads `cancel_requested`
and `status` at the same moment. A cancel asks the solver to stop: the best schedule found so
far becomes a draft like any other, marked as stopped early (a cancel before the search began
ends the run as cancelled). A status that is no longer "running" means the app gave the run up
as silent (operations.end_if_abandoned): the job then stops and writes nothing more. Whatever
happens, the meetings in the database are left alone; the result waits on the row for the
organiser to apply or reject it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.scheduling import engine
from partnering.scheduling.models import RunStatus, ScheduleRun
from partnering.scheduling.placement import EventRows, current_placement, current_schedule
from partnering.scheduling.problem import problem_for_event
from partnering.scheduling.replan import replan_of, replanned, with_absences
from scheduler import (
    Conflict,
    Problem,
    Schedule,
    check,
    explain,
    figures,
    greedy,
    problem_from_dict,
    problem_to_dict,
    release_conflicts,
    schedule_to_dict,
)

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5
"""Seconds between two progress writes."""
ECHO_INTERVAL = 5.0
"""Seconds between two progress lines for a person watching a terminal (and at each phase)."""
CANCELLED = "Cancelled by the organiser; the current schedule is unchanged."


class RunCancelled(Exception):
    """The organiser cancelled the run before its search began."""


class RunAbandoned(Exception):
    """Raised from the progress callback when the app has given the run up as silent."""


def problem_for_run(run: ScheduleRun) -> Problem:
    """The event's problem; without `keep_published`, published meetings that were not locked
    by hand may move again; a re-plan freezes the past and releases what did not happen
    (scheduling/replan.py)."""
    problem = problem_for_event(run.event)
    rows = EventRows(run.event)
    if not run.keep_published:
        problem = replace(
            problem,
            meetings=tuple(
                replace(m, fixed=None)
                if m.fixed is not None and m.id in rows.meetings and not rows.meetings[m.id].locked
                else m
                for m in problem.meetings
            ),
        )
    if run.is_replan:
        replan = replan_of(run.event, run.replan_from, run.absent_cutoff)
        problem = replanned(problem, current_placement(problem, rows), replan)
    return problem


def repairable_problem(run: ScheduleRun) -> tuple[Problem, list[Conflict]]:
    """The run's problem with every fixed meeting that cannot keep its place released, and
    the conflicts that released them (none when every fixed meeting fits)."""
    return release_conflicts(problem_for_run(run))


def _conflicts_as_found(conflicts: list[Conflict], fixed_in: Problem) -> list[dict]:
    """The conflicts for the run's summary, each with where its meetings were fixed (the
    released problem no longer says, and applying the run moves them)."""
    found = []
    for conflict in conflicts:
        places = {}
        for ref in conflict.meetings:
            fixed = fixed_in.meeting_by_id[ref].fixed
            places[ref] = [fixed.slot, fixed.table] if fixed is not None else None
        found.append({**conflict.as_dict(), "fixed": places})
    return found


def execute_run(run_id: int, echo: Callable[[str], None] | None = None) -> None:
    """Solve the run's problem and store the result; `echo` gets a line per progress report."""
    run = db.session.get(ScheduleRun, run_id)
    if run is None or run.status != RunStatus.QUEUED:
        return  # cancelled before it started, or already handled
    run.status, run.started_at, run.heartbeat_at = RunStatus.RUNNING, utcnow(), utcnow()
    run.phase = "preparing"
    db.session.commit()
    try:
        fixed_in = problem_for_run(run)
        problem, conflicts = release_conflicts(fixed_in)
        run.problem = problem_to_dict(problem)
        hint = current_schedule(problem, EventRows(run.event))
        db.session.commit()
        db.session.refresh(run, ["cancel_requested", "status"])
        if not run.is_running:
            raise RunAbandoned
        if run.cancel_requested:
            raise RunCancelled
        reporter = _Reporter(run, echo)
        schedule = engine.solve(problem, time_limit=run.time_limit, hint=hint, on_progress=reporter)
        found = _conflicts_as_found(conflicts, fixed_in)
        _finish(run, problem, schedule, stopped_early=reporter.stopping, conflicts=found)
    except RunCancelled:
        db.session.rollback()
        _end(run, RunStatus.CANCELLED, CANCELLED)
    except RunAbandoned:
        db.session.rollback()
        log.warning("schedule run %s was given up as silent; its result is dropped", run_id)
    except Exception as exc:  # noqa: BLE001 - any failure must end the run, not the consumer
        log.exception("schedule run %s failed", run_id)
        db.session.rollback()
        _end(
            run,
            RunStatus.FAILED,
            f"The scheduler failed: {exc}. The current schedule is unchanged.",
        )


class _Reporter:
    """The solver's progress callback: writes progress and the heartbeat to the run, and
    returns True (stop, keeping the best so far) once the organiser has cancelled."""

    def __init__(self, run: ScheduleRun, echo: Callable[[str], None] | None) -> None:
        self.run, self.echo = run, echo
        self.last = 0.0
        self.echoed: tuple[float, str] = (-ECHO_INTERVAL, "")
        self.stopping = False
        """The organiser cancelled and the solver was asked to stop."""

    def __call__(self, best: float | None, bound: float | None, elapsed: float, phase: str) -> bool:
        run, now = self.run, time.monotonic()
        if now - self.last < PROGRESS_INTERVAL and phase != "done":
            return self.stopping
        self.last = now
        db.session.refresh(run, ["cancel_requested", "status"])
        if not run.is_running:
            raise RunAbandoned
        if run.cancel_requested and not self.stopping:
            self.stopping = True
            phase = "stopping"
        run.best, run.bound, run.elapsed, run.phase = best, bound, elapsed, phase
        run.heartbeat_at = utcnow()
        db.session.commit()
        if self.echo is not None and (
            now - self.echoed[0] >= ECHO_INTERVAL or phase != self.echoed[1]
        ):
            self.echoed = (now, phase)
            self.echo(f"{elapsed:6.1f}s  {phase:<14} best {_number(best)}  bound {_number(bound)}")
        return self.stopping


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _finish(
    run: ScheduleRun,
    problem: Problem,
    schedule: Schedule,
    *,
    stopped_early: bool,
    conflicts: list[dict],
) -> None:
    violations = check(problem, schedule)
    if violations:
        shown = "; ".join(str(v) for v in violations[:5])
        _end(run, RunStatus.FAILED, f"The scheduler produced an invalid schedule ({shown}).")
        return
    run.phase = "figures"
    run.heartbeat_at = utcnow()
    db.session.commit()
    summary = summarise(problem, schedule)
    db.session.refresh(run, ["status"])
    if not run.is_running:
        raise RunAbandoned
    schedule = _with_reasons(problem, schedule)
    if run.is_replan:
        replan = replan_of(run.event, run.replan_from, run.absent_cutoff)
        schedule = with_absences(problem, schedule, replan)
    run.result = schedule_to_dict(schedule)
    run.summary = {
        **summary,
        "stopped_early": stopped_early,
        "conflicts": conflicts,
    }
    _end(run, RunStatus.DONE, "")


def _with_reasons(problem: Problem, schedule: Schedule) -> Schedule:
    """Every unscheduled meeting with a reason (solvers may leave some blank)."""
    if all(u.reason for u in schedule.unscheduled):
        return schedule
    placement = {a.meeting: (a.slot, a.table) for a in schedule.assignments}
    reasons = explain(problem, placement)
    return replace(
        schedule,
        unscheduled=tuple(
            replace(u, reason=u.reason or reasons.get(u.meeting, "")) for u in schedule.unscheduled
        ),
    )


def summarise(problem: Problem, schedule: Schedule) -> dict:
    def plain(f) -> dict:
        return {
            "meetings_scheduled": f.meetings_scheduled,
            "meetings_total": f.meetings_total,
            "priority_sum": f.priority_sum,
            "priority_total": f.priority_total,
            "idle_gaps": f.idle_gaps,
            "table_changes": f.table_changes,
            "fewest_meetings": f.fewest_meetings,
            "without_meeting": list(f.without_meeting),
        }

    return {
        "result": plain(figures(problem, schedule)),
        "greedy": plain(figures(problem, greedy(problem))),
        "upper_bound": engine.upper_bound(problem),
        "stats": dict(schedule.stats),
    }


def _end(run: ScheduleRun, status: RunStatus, error: str) -> None:
    run.status, run.error, run.finished_at = status, error, utcnow()
    if run.started_at is not None:
        run.elapsed = (run.finished_at - run.started_at).total_seconds()
    run.phase = status
    db.session.commit()


def problem_of(run: ScheduleRun) -> Problem:
    return problem_from_dict(run.problem)
