"""Publishing the schedule: a background job in two parts.

1. The database part, one transaction under the event's lock: every placed meeting becomes
   published (one UPDATE), the event's state changes, and who must be told what is written as
   announcements (partnering.agenda.notify.plan_publication). Participants see the schedule as
   soon as it commits.
2. The emails: the event's announcements become outbox emails in batches, each batch
   committed together with the deletion of its announcements.

A job that dies in part 1 leaves the event as it was (the transaction rolls back). A job that
dies after it leaves the schedule published and its remaining announcements in the database:
running the job again (a consumer takes over a job silent for RUN_SILENT_AFTER seconds, see
`recover`) queues each missing email once, never twice. When no consumer is left to run it
again, the job is failed, and the next publication of the event queues those emails first.

One publication per event at a time: a partial unique index on the active jobs (see
PublishJob) refuses a second one, whoever asks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from partnering.agenda.models import Announcement
from partnering.agenda.notify import announcements_left, plan_publication, queue_announcements
from partnering.auth.models import Account
from partnering.db_types import utcnow
from partnering.events.models import Event, Publication
from partnering.extensions import db
from partnering.job_claims import claim_job
from partnering.jobs import jobs_running
from partnering.locks import lock_for_writing
from partnering.meetings.models import Meeting, MeetingStatus
from partnering.scheduling.models import PUBLISH_ACTIVE, PublishJob, PublishStatus
from partnering.scheduling.placement import refresh_placement_statistics

log = logging.getLogger(__name__)

PUBLISH_STATES = (Publication.PRELIMINARY, Publication.FINAL)
EMAIL_BATCH = 200
"""Announcements turned into emails per transaction."""


class PublishRefused(Exception):
    """A publication the rules do not allow; the message says why, for the person."""


def _silent_after() -> timedelta:
    return timedelta(seconds=current_app.config["RUN_SILENT_AFTER"])


def _placed(event: Event):
    return (
        Meeting.event_id == event.id,
        Meeting.status == MeetingStatus.ACTIVE,
        Meeting.slot_id.is_not(None),
        Meeting.table_id.is_not(None),
    )


def _going(event: Event) -> PublishJob | None:
    return db.session.execute(
        select(PublishJob).where(
            PublishJob.event_id == event.id, PublishJob.status.in_(PUBLISH_ACTIVE)
        )
    ).scalar_one_or_none()


def latest_publication(event: Event) -> PublishJob | None:
    return (
        db.session.execute(
            select(PublishJob)
            .where(PublishJob.event_id == event.id)
            .order_by(PublishJob.id.desc())
            .limit(1)
        )
        .scalars()
        .first()
    )


def create_publication(event: Event, account: Account | None, state: str) -> PublishJob:
    """A queued publication of the event's schedule, not yet handed to a worker."""
    if state not in PUBLISH_STATES:
        raise PublishRefused("Publish the schedule as preliminary or final.")
    lock_for_writing(event)
    going = _going(event)
    if going is not None and recover(going):
        lock_for_writing(event)  # recovering committed: read again under the lock
        going = _going(event)
    if going is not None:
        raise _already(going)
    placed = db.session.scalar(select(func.count()).select_from(Meeting).where(*_placed(event)))
    if not placed:
        raise PublishRefused("There is no scheduled meeting to publish: run the scheduler first.")
    job = PublishJob(event_id=event.id, state=state, created_by=account)
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # another process's publication won the index meanwhile
        db.session.rollback()
        raise _already(_going(event)) from None
    return job


def _already(going: PublishJob | None) -> PublishRefused:
    number = f" (#{going.id})" if going is not None else ""
    return PublishRefused(
        f"A publication{number} is already going for this event: wait for it to finish."
    )


def active_publication(event: Event) -> PublishJob | None:
    """The publication that holds the event, if any, after recovering a silent one."""
    going = _going(event)
    if going is not None and recover(going):
        going = _going(event)
    return going


def _silent():
    """Whether a job gave no sign of life for RUN_SILENT_AFTER seconds, as SQL."""
    last_sign = func.coalesce(PublishJob.heartbeat_at, PublishJob.created_at)
    return last_sign < utcnow() - _silent_after()


def silent_publications() -> list[int]:
    """The ids of running jobs whose worker went silent: a consumer's periodic task runs them
    again (`execute_publication` takes each over)."""
    return list(
        db.session.execute(
            select(PublishJob.id).where(PublishJob.status == PublishStatus.RUNNING, _silent())
        ).scalars()
    )


def recover(job: PublishJob) -> bool:
    """Fail a job whose worker is gone while no job consumer is alive to take it over; True
    when it was failed now (and committed).

    Gone means running, or queued, with no sign of life for RUN_SILENT_AFTER seconds. While a
    consumer is alive, a silent running job is left to it (its periodic task takes the job
    over and finishes it) and a queued one waits its turn. Failed, a job whose database part
    had not committed published nothing; one whose database part had committed leaves the
    schedule published and its emails not yet queued to the next publication."""
    last_sign = job.heartbeat_at or job.created_at
    if not job.is_active or last_sign >= utcnow() - _silent_after() or jobs_running():
        return False
    seconds = round(_silent_after().total_seconds())
    if job.published_at is None:
        error = (
            f"The worker stopped or never started: no job consumer worked on this publication "
            f"for {seconds} s. Nothing was published; start one and publish again."
        )
    else:
        error = (
            "The worker stopped after the schedule was published, before all its emails were "
            f"queued ({job.emails_left} left). They are queued by the next publication."
        )
    failed = db.session.execute(
        update(PublishJob)
        .where(PublishJob.id == job.id, PublishJob.status.in_(PUBLISH_ACTIVE), _silent())
        .values(status=PublishStatus.FAILED, error=error, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return failed.rowcount == 1


def _claim(job_id: int) -> PublishJob | None:
    """Take the job: queued, or running but silent (its worker died). Only one process wins."""
    return claim_job(
        PublishJob,
        job_id,
        queued=PublishStatus.QUEUED,
        running=PublishStatus.RUNNING,
        silent=_silent(),
    )


def execute_publication(
    job_id: int,
    *,
    batch: int = EMAIL_BATCH,
    share: Callable[[PublishJob], None] | None = None,
) -> PublishJob | None:
    """The job's body: the database part unless it committed already, then the emails.
    `share(job)`, once the database part has committed, may start other workers on the emails
    (`share_emails`). Returns the job, or None when another worker has it or it has ended."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        if job.published_at is None:
            _publish_in_database(job)
        if share is not None:
            share(job)
        _queue_emails(job, batch)
        _finish_when_all_queued(job)
    except PublishRefused as refused:
        db.session.rollback()
        _end_failed(job, str(refused))
    except Exception as exc:  # noqa: BLE001 - any failure must end the job, not the consumer
        log.exception("publication %s failed", job_id)
        db.session.rollback()
        db.session.refresh(job)
        if job.published_at is None:
            error = f"Publishing failed: {exc}. Nothing was published."
        else:
            error = (
                f"The schedule is published, but queueing its emails failed: {exc}. The "
                "emails not yet queued are queued by the next publication."
            )
        _end_failed(job, error)
    return job  # expired by the commits: read again when used


def share_emails(job_id: int, *, batch: int = EMAIL_BATCH) -> PublishJob | None:
    """Another worker on a running publication's emails, beside the job's own: it queues
    batches the others have not taken (each batch's announcements are locked, skipping those
    another worker holds) until none is left. Whichever worker queues the last batch ends the
    job. Returns the job, or None when it is not running with its database part committed.

    A worker that dies loses only its open batch, queued by the others or, when they have
    ended, by the job's take-over once it is silent. Only PostgreSQL has the skip-locked
    batches that make this worthwhile; on SQLite the workers would merely take turns."""
    job = db.session.get(PublishJob, job_id)
    if job is None or job.status != PublishStatus.RUNNING or job.published_at is None:
        return None
    try:
        _queue_emails(job, batch)
        _finish_when_all_queued(job)
    except Exception:  # noqa: BLE001 - the job's own worker (or its take-over) ends the job
        log.exception("a worker on publication %s's emails failed", job_id)
        db.session.rollback()
    return job  # expired by the commits: read again when used


def _queue_emails(job: PublishJob, batch: int) -> None:
    """Batches of the event's announcements become emails, each committed with the job's
    progress (added in SQL: several workers may share the job) until none is left to take."""
    while queued := queue_announcements(job.event, batch):
        db.session.execute(
            update(PublishJob)
            .where(PublishJob.id == job.id)
            .values(
                emails_queued=PublishJob.emails_queued + queued,
                emails_left=announcements_left(job.event),
                heartbeat_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def _finish_when_all_queued(job: PublishJob) -> None:
    """The job is done once no announcement of its event is left: the worker whose batch was
    the last to commit sees that, and only one worker's UPDATE finds the job still running."""
    left = exists().where(Announcement.event_id == job.event_id)
    db.session.execute(
        update(PublishJob)
        .where(PublishJob.id == job.id, PublishJob.status == PublishStatus.RUNNING, ~left)
        .values(status=PublishStatus.DONE, finished_at=utcnow(), emails_left=0)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _publish_in_database(job: PublishJob) -> None:
    """Part 1, in one transaction: placed meetings published, the event's state, the
    announcements. Refused when nothing is placed."""
    event = job.event
    lock_for_writing(event, job)
    if job.state not in PUBLISH_STATES:
        raise PublishRefused("Publish the schedule as preliminary or final.")
    placed = db.session.scalar(select(func.count()).select_from(Meeting).where(*_placed(event)))
    if not placed:
        raise PublishRefused("There is no scheduled meeting to publish: run the scheduler first.")
    now = utcnow()
    fresh = publish_and_plan(event, job.state, now)
    job.newly_published, job.published_at, job.heartbeat_at = fresh, now, now
    job.emails_left = announcements_left(event)
    db.session.commit()
    refresh_placement_statistics()


def publish_and_plan(event: Event, state: str, now: datetime) -> int:
    """In the caller's transaction: every placed meeting published, the event's state, and
    who is told what (the announcements). Returns how many meetings were newly published.
    The publication commits it; its preview (publish_preview) rolls it back."""
    fresh = db.session.execute(
        update(Meeting)
        .where(*_placed(event), Meeting.published_at.is_(None))
        .values(published_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    state_changed = event.schedule_state != state
    event.schedule_state, event.published_at = state, now
    plan_publication(event, state_changed=state_changed)
    return fresh


def placed_meetings(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting).where(*_placed(event)))


def _end_failed(job: PublishJob, error: str) -> None:
    # Unless another worker sharing the emails has finished the job meanwhile.
    db.session.execute(
        update(PublishJob)
        .where(PublishJob.id == job.id, PublishJob.status.in_(PUBLISH_ACTIVE))
        .values(status=PublishStatus.FAILED, error=error, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
