"""A job whose one transaction runs longer than RUN_SILENT_AFTER is not taken over while its
worker lives: on PostgreSQL (where consumers on other machines take silent jobs over) the worker
stamps the job's heartbeat from a connection of its own. And a copy that comes second never
turns the finished job into a failure."""

from __future__ import annotations

import time

import pytest

from partnering.bulk import runner
from partnering.bulk.operations import start_decisions
from partnering.extensions import db


@pytest.fixture
def pending(organiser, create_participant):
    return [
        create_participant(organiser.event, name=f"Person {i}", status="pending") for i in range(3)
    ]


def test_a_long_action_keeps_its_job_from_being_taken_over(
    app, organiser, pending, queue, monkeypatch
):
    app.config["RUN_SILENT_AFTER"] = 2  # a stamp every half second
    job = start_decisions(organiser.event, None, [p.id for p in pending], "approved")
    real, seen = runner.apply_decisions, {}

    def slow(*args, **kwargs):
        time.sleep(3)  # longer than RUN_SILENT_AFTER, inside the action's transaction
        seen["silent"] = runner.silent_jobs()
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "apply_decisions", slow)
    queue.execute(queue.dequeue())
    db.session.refresh(job)
    assert job.status == "done" and job.changed == 3
    if db.engine.dialect.name == "postgresql":
        assert seen["silent"] == []  # the heartbeat went on: nobody would take it over
    else:
        assert seen["silent"] == [job.id]  # SQLite: one machine, no stamp beside its writer


def test_a_copy_that_comes_second_does_not_fail_the_finished_job(organiser, pending, queue):
    job = start_decisions(organiser.event, None, [p.id for p in pending], "approved")
    queue.execute(queue.dequeue())
    db.session.refresh(job)
    assert job.status == "done"
    runner._end_failed(job, "The job failed: a second copy was refused.")
    assert job.status == "done" and not job.error and job.changed == 3
