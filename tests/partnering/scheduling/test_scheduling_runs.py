"""The run lifecycle with jobs run inline: queued, running with progress, done, failed,
cancelled; applying and rejecting a result."""

from __future__ import annotations

import pytest

from partnering.extensions import db
from partnering.scheduling import engine, operations, runs
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.operations import ScheduleRefused
from partnering.scheduling.placement import EventRows, current_schedule
from partnering.scheduling.problem import problem_for_event
from partnering.scheduling.runs import problem_for_run
from scheduler import check, greedy, schedule_from_dict

UNCAPPED_SOLVE = engine.solve


@pytest.fixture(autouse=True)
def quick_solver(monkeypatch):
    """The real solver, its search capped at one second to keep the tests fast."""
    solve = engine.solve

    def capped(problem, *, time_limit, **kwargs):
        return solve(problem, time_limit=min(time_limit, 1), **kwargs)

    monkeypatch.setattr(engine, "solve", capped)


def test_a_run_finishes_with_a_valid_draft_and_leaves_meetings_alone(fair, placed):
    run = operations.start_run(fair.event, fair.organiser.account, time_limit=5)
    db.session.refresh(run)
    assert run.status == "done", run.error
    problem = problem_for_event(fair.event)
    assert check(problem, schedule_from_dict(run.result)) == []
    assert run.summary["result"]["meetings_scheduled"] == len(fair.meetings)
    assert run.summary["greedy"]["meetings_total"] == len(fair.meetings)
    assert run.summary["upper_bound"] >= run.summary["result"]["priority_sum"]
    assert placed(fair.event) == {}, "a draft must not touch the schedule"


def test_a_run_uses_the_default_mode_and_says_what_it_proved(fair, monkeypatch):
    # Uncapped: everything of this small event is proven long before its time limit.
    monkeypatch.setattr(engine, "solve", UNCAPPED_SOLVE)
    run = operations.start_run(fair.event, fair.organiser.account, time_limit=60)
    db.session.refresh(run)
    assert run.status == "done", run.error
    stats = run.summary["stats"]
    assert stats["status"] == "optimal"
    assert stats["optimal"] == ["priority", "fairness", "idle_gaps"]
    assert stats["idle_gaps_bound"] == run.summary["result"]["idle_gaps"]


def test_progress_is_written_to_the_run_while_it_runs(fair, monkeypatch):
    seen = []

    def solve_reporting(problem, *, time_limit, hint=None, on_progress=None):
        on_progress(3.0, 9.0, 0.5, "priority")
        row = db.session.execute(db.select(ScheduleRun)).scalar_one()
        seen.append((row.status, row.best, row.bound, row.phase))
        return real_solve(problem, time_limit=time_limit, hint=hint)

    real_solve = engine.solve
    monkeypatch.setattr(engine, "solve", solve_reporting)
    monkeypatch.setattr(runs, "PROGRESS_INTERVAL", 0.0)
    operations.start_run(fair.event, None, time_limit=5)
    assert seen == [("running", 3.0, 9.0, "priority")]


def test_cancelling_during_the_search_keeps_the_best_so_far_as_a_draft(fair, monkeypatch, placed):
    answers = []

    def solve_until_stopped(problem, *, time_limit, hint=None, on_progress=None):
        answers.append(on_progress(1.0, None, 0.1, "priority"))
        db.session.execute(db.update(ScheduleRun).values(cancel_requested=True))
        answers.append(on_progress(2.0, None, 0.2, "priority"))
        return greedy(problem)  # what the solver had found when it stopped

    monkeypatch.setattr(engine, "solve", solve_until_stopped)
    monkeypatch.setattr(runs, "PROGRESS_INTERVAL", 0.0)
    run = operations.start_run(fair.event, None, time_limit=5)
    db.session.refresh(run)
    assert answers == [False, True], "the callback asks the solver to stop once cancelled"
    assert run.status == "done" and run.stopped_early and run.error == ""
    assert "stopped early" in run.status_label
    assert check(problem_for_event(fair.event), schedule_from_dict(run.result)) == []
    assert placed(fair.event) == {}, "a draft must not touch the schedule"


def test_cancelling_before_the_search_begins_ends_the_run_cancelled(fair, monkeypatch, placed):
    def cancelled_while_preparing(run):
        db.session.execute(db.update(ScheduleRun).values(cancel_requested=True))
        return problem_for_run(run)

    def never(problem, **kwargs):
        raise AssertionError("a run cancelled before its search must not search")

    monkeypatch.setattr(runs, "problem_for_run", cancelled_while_preparing)
    monkeypatch.setattr(engine, "solve", never)
    run = operations.start_run(fair.event, None, time_limit=5)
    db.session.refresh(run)
    assert run.status == "cancelled" and "unchanged" in run.error
    assert run.result is None and placed(fair.event) == {}


def test_a_failing_solver_fails_the_run_and_says_why(fair, monkeypatch, placed):
    def solve_broken(problem, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(engine, "solve", solve_broken)
    run = operations.start_run(fair.event, None, time_limit=5)
    db.session.refresh(run)
    assert run.status == "failed"
    assert "out of memory" in run.error
    assert placed(fair.event) == {}


def test_an_invalid_result_fails_the_run(fair, monkeypatch, placed):
    def solve_invalid(problem, *, time_limit, hint=None, on_progress=None):
        from scheduler import Assignment, Schedule

        slot, table = problem.slots[0].id, problem.tables[0].id
        return Schedule(tuple(Assignment(m.id, slot, table) for m in problem.meetings))

    monkeypatch.setattr(engine, "solve", solve_invalid)
    run = operations.start_run(fair.event, None, time_limit=5)
    db.session.refresh(run)
    assert run.status == "failed" and "invalid schedule" in run.error
    assert placed(fair.event) == {}


def test_a_second_run_is_refused_while_one_is_going(fair):
    queued = ScheduleRun(event=fair.event, status="queued")
    db.session.add(queued)
    db.session.commit()
    with pytest.raises(ScheduleRefused, match="already going"):
        operations.start_run(fair.event, None, time_limit=5)
    assert db.session.execute(db.select(db.func.count(ScheduleRun.id))).scalar() == 1


def test_cancelling_a_queued_run_ends_it_before_it_starts(fair):
    queued = ScheduleRun(event=fair.event, status="queued")
    db.session.add(queued)
    db.session.commit()
    operations.cancel_run(queued)
    assert queued.status == "cancelled"
    runs.execute_run(queued.id)  # the job arrives late: it must not run
    assert queued.status == "cancelled" and queued.result is None


def test_time_limit_out_of_range_is_refused(fair):
    with pytest.raises(ScheduleRefused, match="between"):
        operations.start_run(fair.event, None, time_limit=0)


def test_applying_writes_the_result_in_the_database(fair):
    run = operations.start_run(fair.event, fair.organiser.account, time_limit=5)
    changed = operations.apply_run(run, fair.organiser.account)
    assert run.status == "applied"
    assert changed == len(fair.meetings)
    problem = problem_for_event(fair.event)
    schedule = current_schedule(problem, EventRows(fair.event))
    assert check(problem, schedule) == []
    assert {(a.meeting, a.slot, a.table) for a in schedule.assignments} == {
        (a.meeting, a.slot, a.table) for a in schedule_from_dict(run.result).assignments
    }
    assert all(m.sequence == 1 for m in fair.meetings)


def test_rejecting_keeps_the_schedule(fair, placed):
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.reject_run(run, None)
    assert run.status == "rejected" and placed(fair.event) == {}
    with pytest.raises(ScheduleRefused):
        operations.apply_run(run, None)


def test_applying_a_stale_result_that_no_longer_fits_is_refused(fair, placed):
    run = operations.start_run(fair.event, None, time_limit=5)
    result = schedule_from_dict(run.result)
    first = result.assignments[0]
    rows = EventRows(fair.event)
    # Meanwhile a participant of that meeting becomes unavailable at its slot.
    person = rows.meetings[first.meeting].participants[0]
    person.unavailable_slots.append(rows.slots[first.slot])
    db.session.commit()
    with pytest.raises(ScheduleRefused, match="Run the scheduler again"):
        operations.apply_run(run, None)
    assert placed(fair.event) == {} and run.status == "done"
