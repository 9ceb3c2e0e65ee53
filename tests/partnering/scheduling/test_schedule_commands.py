"""`flask schedule run|publish|status|export`."""

from __future__ import annotations

import json

from partnering.extensions import db
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.problem import problem_for_event
from scheduler import check, schedule_from_dict


def test_run_wait_solves_prints_progress_and_applies(runner, fair, placed):
    result = runner.invoke(args=["schedule", "run", "fair", "--time-limit", "5", "--wait"])
    assert result.exit_code == 0, result.output
    assert "best" in result.output
    assert "Applied run #1: 7 of 7 meetings scheduled" in result.output
    assert len(placed(fair.event)) == 7
    assert db.session.get(ScheduleRun, 1).status == "applied"


def test_run_without_wait_queues_the_job(runner, fair):
    result = runner.invoke(args=["schedule", "run", "fair", "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert "queued" in result.output
    # HUEY_IMMEDIATE in tests: the job has already run, as a worker would.
    assert db.session.get(ScheduleRun, 1).status == "done"


def test_publish_status_and_export(runner, fair):
    runner.invoke(args=["schedule", "run", "fair", "--time-limit", "5", "--wait"])
    result = runner.invoke(args=["schedule", "publish", "fair", "--final"])
    assert result.exit_code == 0 and "final" in result.output
    assert fair.event.schedule_state == "final"
    status = runner.invoke(args=["schedule", "status", "fair"])
    assert "schedule final" in status.output and "scheduled 7 of 7" in status.output
    assert "latest run #1: applied" in status.output
    exported = runner.invoke(args=["schedule", "export", "fair"])
    assert exported.exit_code == 0
    schedule = schedule_from_dict(json.loads(exported.output))
    assert len(schedule.assignments) == 7
    assert check(problem_for_event(fair.event), schedule) == []


def test_export_gives_reasons_for_unscheduled_meetings(runner, fair):
    exported = json.loads(runner.invoke(args=["schedule", "export", "fair"]).output)
    assert exported["format"] == "partnering-schedule/1"
    assert len(exported["unscheduled"]) == 7 and all(u["reason"] for u in exported["unscheduled"])


def test_unknown_event_and_refusals_are_one_line_errors(runner, fair):
    missing = runner.invoke(args=["schedule", "status", "nope"])
    assert missing.exit_code != 0 and "no event with slug 'nope'" in missing.output
    assert "Traceback" not in missing.output
    nothing = runner.invoke(args=["schedule", "publish", "fair"])
    assert nothing.exit_code != 0 and "run the scheduler first" in nothing.output
