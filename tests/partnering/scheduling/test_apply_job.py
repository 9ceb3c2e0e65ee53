"""Applying a run is a background job: the request queues it and returns at once; the job's
page follows it and shows the result; one apply job per event at a time. Applying is one
transaction committed with the job's result, so a job that dies leaves the schedule as it was,
and run again by the next consumer it applies the run once."""

from __future__ import annotations

import html

import pytest

from partnering.bulk import runner, tasks
from partnering.bulk.operations import start_apply
from partnering.extensions import db
from partnering.scheduling import operations
from partnering.scheduling.models import ScheduleRun
from tests.bulk_jobs import Killed, consume, job_count, make_silent, only_job


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def draft(fair) -> ScheduleRun:
    """A finished run (solved inline: ask for this fixture before `queue`)."""
    run = operations.start_run(fair.event, fair.organiser.account, time_limit=5)
    db.session.refresh(run)
    assert run.is_draft, run.error
    return run


def test_apply_queues_a_job_whose_page_shows_the_result(client, auth, fair, draft, queue, placed):
    auth.login(fair.organiser)
    response = client.post(f"/e/fair/schedule/runs/{draft.id}/apply")
    job = only_job()
    assert response.headers["Location"].endswith(f"/e/fair/jobs/{job.id}")
    assert job.kind == "apply_run" and job.status == "queued" and job.total == 7
    db.session.refresh(draft)
    assert draft.is_draft and placed(fair.event) == {}  # nothing applied in the request

    page = text_of(client.get(f"/e/fair/jobs/{job.id}"))
    assert "Applying a run #" in page and "Waiting to start" in page and "7 meetings" in page
    run_page = text_of(client.get(f"/e/fair/schedule/runs/{draft.id}"))
    assert f'being applied by <a href="/e/fair/jobs/{job.id}">job #{job.id}</a>' in run_page
    assert "Apply this schedule" not in run_page and "Reject" not in run_page

    again = client.post(f"/e/fair/schedule/runs/{draft.id}/apply", follow_redirects=True)
    assert f"(#{job.id}) is already going for this event" in text_of(again)
    assert job_count() == 1

    consume(queue)
    db.session.refresh(draft)
    assert draft.status == "applied" and draft.decided_by == fair.organiser.account
    assert len(placed(fair.event)) == 7
    page = text_of(client.get(f"/e/fair/jobs/{job.id}"))
    assert "Applied: 7 meetings changed place. Review the grid, then publish." in page
    assert f'href="/e/fair/schedule/runs/{draft.id}">Back to the run' in page
    progress = client.get(f"/e/fair/jobs/{job.id}/progress").get_json()
    assert not progress["active"] and progress["changed"] == 7


def test_a_dying_apply_job_leaves_the_schedule_as_it_was_and_is_finished_once(
    app, fair, draft, queue, placed, monkeypatch
):
    job = start_apply(draft, None)
    real, calls = runner.place_run, []

    def dies_after_the_work(*args, **kwargs):
        calls.append(1)
        real(*args, **kwargs)  # every meeting placed and the run marked, in the session ...
        raise Killed  # ... and the worker dies before the commit

    with monkeypatch.context() as patch:
        patch.setattr(runner, "place_run", dies_after_the_work)
        with pytest.raises(Killed):
            queue.execute(queue.dequeue())
    db.session.rollback()  # the dead process's transaction goes with its connection
    assert calls == [1]
    db.session.refresh(draft)
    db.session.refresh(job)
    assert draft.is_draft and placed(fair.event) == {} and job.status == "running"

    make_silent(app, job)
    tasks.take_over_silent_bulk_jobs.call_local()  # the next consumer's periodic round
    db.session.refresh(job)
    db.session.refresh(draft)
    assert job.status == "done" and job.changed == 7
    assert draft.status == "applied" and len(placed(fair.event)) == 7


def test_a_run_rejected_while_its_apply_job_waits_is_not_applied(client, auth, fair, draft, queue):
    auth.login(fair.organiser)
    client.post(f"/e/fair/schedule/runs/{draft.id}/apply")
    operations.reject_run(draft, None)  # e.g. from the command line, or an older page
    consume(queue)
    job = only_job()
    assert job.status == "failed"
    page = text_of(client.get(f"/e/fair/jobs/{job.id}"))
    assert "failed: Only a finished draft can be applied; this run is rejected." in page
    assert db.session.get(ScheduleRun, draft.id).status == "rejected"


def test_the_command_line_waits_for_the_apply_job_and_is_refused_while_one_runs(
    runner, fair, draft, queue
):
    going = start_apply(draft, None)  # queued for a consumer, not run
    result = runner.invoke(args=["schedule", "run", "fair", "--time-limit", "5", "--wait"])
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last == (
        f"Error: A job of applying a run (#{going.id}) is already going for this event: "
        "wait for it."
    )
    going.status = "failed"
    db.session.commit()
    result = runner.invoke(args=["schedule", "run", "fair", "--time-limit", "5", "--wait"])
    assert result.exit_code == 0, result.output
    assert "meetings scheduled (first-come: 7), 7 changed place." in result.output
    assert job_count() == 2 and queue.pending_count() == 1  # the CLI's job ran here
