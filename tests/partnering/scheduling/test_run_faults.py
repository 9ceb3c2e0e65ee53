"""Runs survive faults: a run whose worker went silent is failed by the app itself and frees
the event at once; a cancelled search keeps its best schedule as a draft; organisers are told
when no job consumer is alive."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from partnering import heartbeat
from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.scheduling import engine, operations, runs
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.problem import problem_for_event
from partnering.scheduling.problem_import import import_problem
from scheduler import check, schedule_from_dict
from scheduler.generate import generate
from tests.logins import log_in

REAL_SOLVE = engine.solve  # before the autouse fixture puts the first-come baseline in its place
WARNING = "Background jobs are not running"


def _silent_run(event, seconds_ago: float, status: str = "running") -> ScheduleRun:
    then = utcnow() - timedelta(seconds=seconds_ago)
    run = ScheduleRun(event=event, status=status, created_at=then)
    if status == "running":
        run.started_at = run.heartbeat_at = then
    db.session.add(run)
    db.session.commit()
    return run


# --- a silent worker --------------------------------------------------------------------------


def test_a_run_whose_worker_went_silent_is_failed_and_a_new_run_starts_at_once(
    app, client, auth, fair
):
    dead = _silent_run(fair.event, app.config["RUN_SILENT_AFTER"] + 5)
    auth.login(fair.organiser)
    page = client.post("/e/fair/schedule/runs", data={"time_limit": 5, "keep_published": "y"})
    fresh = db.session.execute(db.select(ScheduleRun).order_by(ScheduleRun.id.desc())).scalar()
    assert fresh.id != dead.id
    assert page.headers["Location"].endswith(f"/schedule/runs/{fresh.id}")
    assert fresh.status == "done"
    db.session.refresh(dead)
    assert dead.status == "failed" and dead.error.startswith("The worker stopped")
    assert "unchanged" in dead.error


def test_a_run_that_reported_recently_still_holds_the_event(app, client, auth, fair):
    going = _silent_run(fair.event, app.config["RUN_SILENT_AFTER"] - 30)
    auth.login(fair.organiser)
    client.post("/e/fair/schedule/runs", data={"time_limit": 5, "keep_published": "y"})
    assert db.session.execute(db.select(db.func.count(ScheduleRun.id))).scalar() == 1
    db.session.refresh(going)
    assert going.status == "running"


def test_the_silence_allowed_is_a_setting(app, fair):
    app.config["RUN_SILENT_AFTER"] = 5
    dead = _silent_run(fair.event, 10)
    operations.start_run(fair.event, None, time_limit=5)
    assert dead.status == "failed"


def test_looking_at_the_overview_progress_or_status_fails_a_silent_run(
    app, client, auth, fair, runner
):
    auth.login(fair.organiser)
    silent = app.config["RUN_SILENT_AFTER"] + 1
    first = _silent_run(fair.event, silent)
    text = client.get("/e/fair/schedule/").get_data(as_text=True)
    assert "Run scheduler" in text and "Follow its progress" not in text
    assert first.status == "failed"

    second = _silent_run(fair.event, silent)
    progress = client.get(f"/e/fair/schedule/runs/{second.id}/progress").get_json()
    assert progress["status"] == "failed" and progress["error"].startswith("The worker stopped")

    third = _silent_run(fair.event, silent)
    out = runner.invoke(args=["schedule", "status", "fair"]).output
    assert f"latest run #{third.id}: failed (The worker stopped" in out


def test_a_job_whose_run_was_given_up_stops_and_writes_nothing(fair, monkeypatch):
    def solve_while_given_up(problem, *, time_limit, hint=None, on_progress=None):
        db.session.execute(db.update(ScheduleRun).values(status="failed", error="given up"))
        db.session.commit()  # as the web app would, on its own connection
        on_progress(1.0, None, 0.1, "priority")
        raise AssertionError("the progress callback should have ended the job")

    monkeypatch.setattr(engine, "solve", solve_while_given_up)
    monkeypatch.setattr(runs, "PROGRESS_INTERVAL", 0.0)
    run = operations.start_run(fair.event, None, time_limit=5)
    db.session.refresh(run)
    assert run.status == "failed" and run.error == "given up" and run.result is None


def test_a_queued_run_nobody_takes_is_failed_once_no_consumer_is_alive(app, fair, queue):
    waited = app.config["RUN_SILENT_AFTER"] + 5
    waiting = _silent_run(fair.event, waited, status="queued")
    heartbeat.beat(queue)  # a consumer is alive, only busy: the run waits its turn
    assert operations.active_run(fair.event) == waiting and waiting.status == "queued"

    heartbeat.beat(queue, time.time() - app.config["CONSUMER_SILENT_AFTER"] - 1)
    assert operations.active_run(fair.event) is None
    assert waiting.status == "failed" and "no job consumer took this run" in waiting.error
    runs.execute_run(waiting.id)  # a consumer that starts later skips it
    assert waiting.status == "failed" and waiting.result is None


def test_a_run_queued_a_moment_ago_waits_even_without_a_consumer(fair, queue):
    run = operations.start_run(fair.event, None, time_limit=5)
    assert run.status == "queued"
    assert operations.active_run(fair.event) == run and run.status == "queued"


# --- the organiser stops a search -------------------------------------------------------------


def test_a_run_cancelled_mid_search_ends_with_a_valid_draft_that_can_be_applied(
    app, client, create_participant, monkeypatch
):
    """The real solver on an event too large to prove in a second; the organiser presses
    Cancel on the run's page (another request, on another thread and connection) while it
    searches."""
    monkeypatch.setattr(engine, "solve", REAL_SOLVE)
    event = import_problem(generate(participants=80, days=1, seed=3), "gen")
    organiser = create_participant(event, role="organiser")
    canceller = app.test_client()
    for each in (client, canceller):
        log_in(each, organiser.account_id)
    pressed: dict[str, object] = {}

    def press_cancel_while_it_searches() -> None:
        with app.app_context():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                row = db.session.execute(db.select(ScheduleRun)).scalar()
                if row is not None and row.phase not in ("", "preparing") and row.elapsed >= 1:
                    pressed["phase"] = row.phase
                    pressed["page"] = canceller.post(f"/e/gen/schedule/runs/{row.id}/cancel")
                    return
                db.session.rollback()  # a fresh look next time
                time.sleep(0.1)

    thread = threading.Thread(target=press_cancel_while_it_searches)
    thread.start()
    started = time.monotonic()
    client.post("/e/gen/schedule/runs", data={"time_limit": 120, "keep_published": "y"})
    thread.join()
    assert pressed["page"].status_code == 302, pressed
    assert pressed["phase"] in ("start", "priority", "agendas", "neighbourhoods"), pressed
    run = db.session.execute(db.select(ScheduleRun)).scalar_one()
    assert run.status == "done" and run.stopped_early, run.error
    assert time.monotonic() - started < 60, "the search stopped long before its time limit"
    problem = problem_for_event(event)
    result = schedule_from_dict(run.result)
    assert check(problem, result) == []
    assert result.assignments, "the best schedule so far places meetings"

    told = canceller.get(f"/e/gen/schedule/runs/{run.id}").get_data(as_text=True)
    assert "Stopping the search: the best schedule found so far becomes a draft" in told
    text = client.get(f"/e/gen/schedule/runs/{run.id}").get_data(as_text=True)
    assert "stopped early by the organiser; best schedule found so far" in text.lower()
    assert "Apply this schedule" in text
    client.post(f"/e/gen/schedule/runs/{run.id}/apply")
    db.session.refresh(run)
    assert run.status == "applied"
    placed = db.session.execute(
        db.select(db.func.count(Meeting.id)).filter(
            Meeting.event_id == event.id, Meeting.slot_id.is_not(None)
        )
    ).scalar()
    assert placed == len(result.assignments)


# --- is anything running the jobs? -----------------------------------------------------------


def test_organiser_pages_warn_while_no_consumer_is_alive(app, client, auth, fair, queue):
    auth.login(fair.organiser)
    queued = operations.start_run(fair.event, None, time_limit=5)
    pages = ("/e/fair/schedule/", "/e/fair/outbox/", f"/e/fair/schedule/runs/{queued.id}")
    for page in pages:
        assert WARNING in client.get(page).get_data(as_text=True), page

    heartbeat.beat(queue)
    for page in pages:
        assert WARNING not in client.get(page).get_data(as_text=True), page

    heartbeat.beat(queue, time.time() - app.config["CONSUMER_SILENT_AFTER"] - 1)
    for page in pages:
        assert WARNING in client.get(page).get_data(as_text=True), page


def test_jobs_run_inline_need_no_consumer(client, auth, fair):
    auth.login(fair.organiser)
    assert WARNING not in client.get("/e/fair/schedule/").get_data(as_text=True)
