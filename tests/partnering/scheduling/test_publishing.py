"""Publishing is a background job: the request queues it and returns, the page follows it, a
second publication waits for the first (the database refuses it), and a job that dies leaves no
half publication: its database part commits whole or not at all, and running it again queues
each email that is missing exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from partnering.agenda.models import Announcement
from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.locks import writing
from partnering.meetings.models import Meeting
from partnering.outbox.models import OutboxMessage
from partnering.scheduling import operations, publishing, tasks
from partnering.scheduling.models import PublishJob


class Killed(BaseException):
    """The worker process dies here: nothing after this line runs, its transaction is lost."""


@pytest.fixture
def scheduled(fair):
    """The fair with every meeting placed by a run, nothing published yet."""
    run = operations.start_run(fair.event, None, time_limit=5)
    operations.apply_run(run, None)
    return fair


def agendas(event) -> Counter:
    """Recipient -> agenda emails queued for the event."""
    return Counter(
        db.session.execute(
            db.select(OutboxMessage.recipient).filter_by(event_id=event.id, kind="agenda")
        ).scalars()
    )


def published_meetings(event) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(Meeting)
        .filter(Meeting.event_id == event.id, Meeting.published_at.is_not(None))
    )


def everyone(fair) -> Counter:
    return Counter({p.email: 1 for p in fair.people})


def make_silent(app, job: PublishJob) -> None:
    job.heartbeat_at = utcnow() - timedelta(seconds=app.config["RUN_SILENT_AFTER"] + 5)
    db.session.commit()


def run_and_die(job_id: int, name: str, after: int = 0) -> None:
    """Run the job in a worker that dies when `publishing.name` is called for the (after+1)-th
    time: nothing after that line runs, and its open transaction is lost."""
    real, calls = getattr(publishing, name), []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) > after:
            raise Killed
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publishing, name, dying)
        with pytest.raises(Killed):
            publishing.execute_publication(job_id, batch=2)
    db.session.rollback()  # the dead process's connection goes, and its transaction with it


# --- the web request queues the job ------------------------------------------------------------


def test_the_request_queues_the_publication_and_the_page_follows_it(client, auth, scheduled, queue):
    auth.login(scheduled.organiser)
    page = client.post("/e/fair/schedule/publish", data={"state": "final"})
    assert page.status_code == 302
    job = db.session.execute(db.select(PublishJob)).scalar_one()
    assert job.status == "queued" and job.state == "final"
    assert published_meetings(scheduled.event) == 0  # nothing happened in the request

    overview = client.get("/e/fair/schedule/").get_data(as_text=True)
    assert 'id="publication-progress"' in overview and "job-progress.js" in overview
    assert "Publish schedule" not in overview  # no second publication while this one waits
    progress = client.get(f"/e/fair/schedule/publications/{job.id}/progress").get_json()
    assert progress["status"] == "queued" and progress["label"] == "Waiting to start"

    again = client.post("/e/fair/schedule/publish", data={"state": "final"}, follow_redirects=True)
    assert f"A publication (#{job.id}) is already going" in again.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(PublishJob.id))) == 1

    queue.execute(queue.dequeue())  # what a consumer does
    db.session.refresh(job)
    assert job.status == "done" and job.newly_published == 7
    assert job.emails_queued == 6 and job.emails_left == 0
    progress = client.get(f"/e/fair/schedule/publications/{job.id}/progress").get_json()
    assert progress["status"] == "done" and progress["newly_published"] == 7
    overview = client.get("/e/fair/schedule/").get_data(as_text=True)
    assert "Published as final" in overview and "7 meetings newly published" in overview
    assert 'id="publication-progress"' not in overview
    assert agendas(scheduled.event) == everyone(scheduled)


def test_the_progress_of_another_events_publication_is_404(
    client, auth, scheduled, create_event, create_participant
):
    job = operations.start_publication(scheduled.event, None, "final")
    other = create_event(slug="other")
    auth.login(create_participant(other, role="organiser"))
    assert client.get(f"/e/other/schedule/publications/{job.id}/progress").status_code == 404


def test_the_database_refuses_a_second_active_publication_of_an_event(scheduled):
    db.session.add(PublishJob(event_id=scheduled.event.id, state="final", status="running"))
    db.session.commit()
    db.session.add(PublishJob(event_id=scheduled.event.id, state="final", status="queued"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Ended publications do not count.
    db.session.add(PublishJob(event_id=scheduled.event.id, state="final", status="done"))
    db.session.add(PublishJob(event_id=scheduled.event.id, state="final", status="failed"))
    db.session.commit()


def test_nothing_placed_is_refused_before_a_job_is_made(fair):
    with pytest.raises(operations.ScheduleRefused, match="run the scheduler first"):
        operations.start_publication(fair.event, None, "final")
    with pytest.raises(operations.ScheduleRefused, match="preliminary or final"):
        operations.start_publication(fair.event, None, "draft")
    assert db.session.scalar(db.select(db.func.count(PublishJob.id))) == 0


# --- a job that dies -------------------------------------------------------------------------


def test_a_job_that_dies_between_the_parts_is_finished_by_the_next_consumer(app, scheduled):
    job = publishing.create_publication(scheduled.event, None, "final")
    run_and_die(job.id, "queue_announcements")

    # The database part committed whole: participants see the schedule; no email is queued.
    db.session.refresh(job)
    assert job.status == "running" and job.published_at is not None
    assert scheduled.event.schedule_state == "final"
    assert published_meetings(scheduled.event) == 7
    assert agendas(scheduled.event) == Counter()
    assert db.session.scalar(db.select(db.func.count(Announcement.id))) == 6

    # A consumer's periodic round takes the silent job over and queues each email once.
    tasks.take_over_silent_publications.call_local()
    assert agendas(scheduled.event) == Counter()  # not silent long enough yet: left alone
    make_silent(app, job)
    tasks.take_over_silent_publications.call_local()
    db.session.refresh(job)
    assert job.status == "done" and job.newly_published == 7 and job.emails_queued == 6
    assert agendas(scheduled.event) == everyone(scheduled)

    make_silent(app, job)  # once done, a job is never run again
    tasks.take_over_silent_publications.call_local()
    assert publishing.execute_publication(job.id) is None
    assert agendas(scheduled.event) == everyone(scheduled)


def test_a_job_that_dies_between_email_batches_queues_only_the_missing_ones(app, scheduled):
    job = publishing.create_publication(scheduled.event, None, "preliminary")
    run_and_die(job.id, "announcements_left", after=2)  # dies after batch 1
    assert sum(agendas(scheduled.event).values()) == 2  # the first batch of two is queued

    make_silent(app, job)
    publishing.execute_publication(job.id, batch=2)
    assert agendas(scheduled.event) == everyone(scheduled)
    db.session.refresh(job)
    assert job.status == "done" and job.emails_queued == 6


def test_a_job_that_dies_in_its_database_part_leaves_the_event_as_it_was(app, scheduled):
    job = publishing.create_publication(scheduled.event, None, "final")
    run_and_die(job.id, "plan_publication")
    assert published_meetings(scheduled.event) == 0
    assert scheduled.event.schedule_state == "unpublished"
    assert db.session.scalar(db.select(db.func.count(Announcement.id))) == 0

    make_silent(app, job)
    publishing.execute_publication(job.id)
    assert published_meetings(scheduled.event) == 7
    assert agendas(scheduled.event) == everyone(scheduled)


def test_with_no_consumer_left_a_dead_job_is_failed_and_the_next_publication_sends_its_emails(
    app, client, auth, scheduled, queue
):
    job = publishing.create_publication(scheduled.event, None, "final")
    run_and_die(job.id, "queue_announcements")

    auth.login(scheduled.organiser)
    overview = client.get("/e/fair/schedule/").get_data(as_text=True)
    assert 'id="publication-progress"' in overview  # recently alive: still its own
    make_silent(app, job)
    overview = client.get("/e/fair/schedule/").get_data(as_text=True)
    db.session.refresh(job)
    assert job.status == "failed" and "queued by the next publication" in job.error
    assert f"Publication #{job.id} failed" in overview and "Publish schedule" in overview

    client.post("/e/fair/schedule/publish", data={"state": "final"})
    queue.execute(queue.dequeue())
    assert agendas(scheduled.event) == everyone(scheduled)  # once each, not twice


def test_a_queued_job_no_consumer_takes_is_failed_and_publishes_nothing(app, scheduled, queue):
    job = operations.start_publication(scheduled.event, None, "final")
    job.created_at = utcnow() - timedelta(seconds=app.config["RUN_SILENT_AFTER"] + 5)
    db.session.commit()
    assert publishing.active_publication(scheduled.event) is None
    db.session.refresh(job)
    assert job.status == "failed" and "Nothing was published" in job.error
    assert published_meetings(scheduled.event) == 0


def test_republishing_after_a_meeting_was_taken_out_cancels_it_once(scheduled):
    event = scheduled.event
    operations.publish(event, "final")
    meeting = scheduled.meetings[0]
    operations.unschedule_meeting(event, meeting)
    operations.publish(event, "final")
    operations.publish(event, "final")
    cancels = db.session.scalars(
        db.select(OutboxMessage.recipient).filter_by(event_id=event.id, kind="cancel")
    ).all()
    assert sorted(cancels) == sorted(p.email for p in meeting.participants)


# --- the command line ------------------------------------------------------------------------


def test_the_command_waits_by_default_and_can_queue_instead(runner, scheduled, queue):
    queued = runner.invoke(args=["schedule", "publish", "fair", "--no-wait"])
    assert queued.exit_code == 0, queued.output
    assert "Publication #1 queued" in queued.output
    refused = runner.invoke(args=["schedule", "publish", "fair"])
    assert refused.exit_code == 1 and "already going" in refused.output
    assert "Traceback" not in refused.output
    status = runner.invoke(args=["schedule", "status", "fair"])
    assert "latest publication #1 (preliminary): queued" in status.output

    queue.execute(queue.dequeue())
    waited = runner.invoke(args=["schedule", "publish", "fair", "--final"])
    assert waited.exit_code == 0, waited.output
    assert "Published as final; 0 meetings newly published, 6 emails queued." in waited.output
    assert agendas(scheduled.event) == Counter({p.email: 2 for p in scheduled.people})


# --- several workers on one publication's emails ----------------------------------------------


def on_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def test_workers_sharing_the_emails_queue_each_once_and_the_last_ends_the_job(app, scheduled):
    job = publishing.create_publication(scheduled.event, None, "preliminary")
    job_id = job.id

    def worker():  # one that arrives after the end finds nothing to do
        with app.app_context(), writing():
            publishing.share_emails(job_id, batch=1)

    # At once on PostgreSQL; on SQLite, where the app starts no other worker, after the job's
    # own (whose write lock they would wait for anyway).
    threads = [threading.Thread(target=worker) for _ in range(2)]

    def start_others(job):
        if on_postgres():
            for thread in threads:
                thread.start()

    with writing():
        publishing.execute_publication(job_id, batch=1, share=start_others)
        db.session.commit()  # the job's process ends here: SQLite's write lock is free
    for thread in threads:
        if not on_postgres():
            thread.start()
        thread.join()
    db.session.refresh(job)
    assert agendas(scheduled.event) == everyone(scheduled)
    assert job.status == "done" and job.emails_queued == 6 and job.emails_left == 0


def test_a_worker_on_a_job_not_yet_published_or_ended_does_nothing(app, scheduled):
    job = publishing.create_publication(scheduled.event, None, "final")
    assert publishing.share_emails(job.id) is None  # queued: its database part is to come
    publishing.execute_publication(job.id)
    assert publishing.share_emails(job.id) is None  # done
    assert agendas(scheduled.event) == everyone(scheduled)


def dying(*args, **kwargs):
    raise Killed


def test_a_worker_that_dies_on_the_emails_leaves_its_batch_to_the_others(app, scheduled):
    job = publishing.create_publication(scheduled.event, None, "final")
    run_and_die(job.id, "queue_announcements")  # the database part committed, no email yet

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publishing, "announcements_left", dying)
        with pytest.raises(Killed):
            publishing.share_emails(job.id, batch=2)
    db.session.rollback()
    assert agendas(scheduled.event) == Counter()  # its batch was lost with it

    make_silent(app, job)
    publishing.execute_publication(job.id, batch=2)
    db.session.refresh(job)
    assert job.status == "done" and job.emails_queued == 6
    assert agendas(scheduled.event) == everyone(scheduled)


def test_the_job_queues_more_workers_on_postgres_only(scheduled, queue):
    job = operations.start_publication(scheduled.event, None, "final")
    queue.execute(queue.dequeue())  # the job: its database part and its emails
    db.session.refresh(job)
    assert job.status == "done" and job.emails_queued == 6
    shared = [t for t in queue.pending() if t.name.endswith("share_publication_emails")]
    assert len(shared) == (1 if on_postgres() else 0)  # PUBLISH_WORKERS = 2: the job and one
    for _ in shared:
        queue.execute(queue.dequeue())  # finds the job done: nothing queued twice
    assert agendas(scheduled.event) == everyone(scheduled)


def test_the_command_publishes_with_several_processes(runner, scheduled):
    done = runner.invoke(args=["schedule", "publish", "fair", "--workers", "3"])
    assert done.exit_code == 0, done.output
    assert "Published as preliminary; 7 meetings newly published, 6 emails queued." in done.output
    assert agendas(scheduled.event) == everyone(scheduled)
    refused = runner.invoke(args=["schedule", "publish", "fair", "--workers", "0"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
