"""The bulk jobs' runner: create one, run it, take over or fail a silent one.

Each action's work is ONE transaction, committed together with the job's result: a job that
dies leaves the event as it was. While the action runs, its worker stamps the job's heartbeat
from a connection of its own; a job silent for RUN_SILENT_AFTER seconds lost its worker, and
a consumer's periodic task takes it over and does the whole action again (nothing of the first
attempt was committed). A copy that still comes second (a worker that was only stalled) finds
the rules refusing a second apply or import, and its failure does not overwrite the finished
job. When no consumer is alive to run it again, the job is failed and nothing of it was
written.

One job of a kind per event at a time: a partial unique index on the active jobs (see BulkJob)
refuses a second one, whoever asks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from partnering.admin.operations import AdminActionRefused, apply_decisions, write_participants
from partnering.admin.participant_csv import check_rows, read_csv
from partnering.agenda.export import agendas_zip
from partnering.auth.models import Account
from partnering.bulk.models import BULK_ACTIVE, BulkJob, BulkKind, BulkStatus
from partnering.db_types import utcnow
from partnering.events.models import Event
from partnering.extensions import db
from partnering.job_claims import claim_job
from partnering.jobs import jobs_running
from partnering.locks import lock_for_writing
from partnering.outbox.operations import deliver_soon, requeue_failed
from partnering.public_urls import public_urls
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.operations import ScheduleRefused, place_run
from partnering.scheduling.placement import refresh_placement_statistics
from partnering.wording import counted

log = logging.getLogger(__name__)


class BulkRefused(Exception):
    """A bulk action the rules do not allow; the message says why, for the person."""


def _silent_after() -> timedelta:
    return timedelta(seconds=current_app.config["RUN_SILENT_AFTER"])


def _silent():
    """Whether a job gave no sign of life for RUN_SILENT_AFTER seconds, as SQL."""
    return func.coalesce(BulkJob.heartbeat_at, BulkJob.created_at) < utcnow() - _silent_after()


def _going(event: Event, kind: BulkKind) -> BulkJob | None:
    return db.session.execute(
        select(BulkJob).where(
            BulkJob.event_id == event.id, BulkJob.kind == kind, BulkJob.status.in_(BULK_ACTIVE)
        )
    ).scalar_one_or_none()


def create_job(
    event: Event,
    account: Account | None,
    kind: BulkKind,
    params: dict,
    total: int,
    *,
    upload: bytes | None = None,
) -> BulkJob:
    lock_for_writing(event)
    going = _going(event, kind)
    if going is not None and recover(going):
        lock_for_writing(event)  # recovering committed: read again under the lock
        going = _going(event, kind)
    if going is not None:
        raise _already(going)
    job = BulkJob(
        event_id=event.id,
        kind=kind,
        params=params,
        total=total,
        created_by=account,
        upload=upload,
    )
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # another process's job of this kind won the index meanwhile
        db.session.rollback()
        raise _already(_going(event, kind)) from None
    return job


def _already(going: BulkJob | None) -> BulkRefused:
    number = f" (#{going.id})" if going is not None else ""
    what = going.kind.label.lower() if going is not None else "job"
    return BulkRefused(f"A job of {what}{number} is already going for this event: wait for it.")


def recover(job: BulkJob) -> bool:
    """Fail a job whose worker is gone while no consumer is alive to take it over; True when
    it was failed now (and committed). Nothing of a failed job was written."""
    last_sign = job.heartbeat_at or job.created_at
    if not job.is_active or last_sign >= utcnow() - _silent_after() or jobs_running():
        return False
    seconds = round(_silent_after().total_seconds())
    failed = db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job.id, BulkJob.status.in_(BULK_ACTIVE), _silent())
        .values(
            status=BulkStatus.FAILED,
            finished_at=utcnow(),
            upload=None,
            error=(
                f"The worker stopped or never started: no job consumer worked on this job for "
                f"{seconds} s. Nothing was changed; start one and try again."
            ),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return failed.rowcount == 1


def silent_jobs() -> list[int]:
    """The ids of running jobs whose worker went silent, for a consumer to run again."""
    return list(
        db.session.execute(
            select(BulkJob.id).where(BulkJob.status == BulkStatus.RUNNING, _silent())
        ).scalars()
    )


def _claim(job_id: int) -> BulkJob | None:
    """Take the job: queued, or running but silent (its worker died). Only one process wins."""
    return claim_job(
        BulkJob, job_id, queued=BulkStatus.QUEUED, running=BulkStatus.RUNNING, silent=_silent()
    )


def _decide(job: BulkJob) -> tuple[int, str]:
    decision = job.params["decision"]
    changed = apply_decisions(job.event, job.params["ids"], decision)
    # The decision is a RegistrationStatus value, which reads as the past participle.
    return changed, f"{counted(changed, 'registration')} {decision}."


def _resend_failed(job: BulkJob) -> tuple[int, str]:
    lock_for_writing(job.event)  # one writer of the event's outbox rows at a time
    requeued, unbuilt = requeue_failed(job.event_id)
    result = f"{counted(requeued, 'email')} queued again."
    if unbuilt:
        result += (
            f" {counted(unbuilt, 'email')} could not be built and stay failed: correct what "
            "each one's error names, then repeat the action that sent it."
        )
    return requeued, result


def _apply_run(job: BulkJob) -> tuple[int, str]:
    run = db.session.get(ScheduleRun, job.params["run_id"])
    if run is None or run.event_id != job.event_id:
        raise ScheduleRefused("This run is gone: nothing was applied.")
    changed = place_run(run, job.created_by)
    return changed, (
        f"Applied: {counted(changed, 'meeting')} changed place. Review the grid, then publish."
    )


SHOWN_PROBLEMS = 20
"""How many of an import's problems its failed job names (the upload page shows them all)."""


def _import_participants(job: BulkJob) -> tuple[int, str]:
    # Checked in the request already; checked again against the event as it is now (a table
    # may have gone meanwhile), and nothing is written unless every row still passes.
    rows, problems = check_rows(job.event, read_csv(job.upload or b""), job.params["mapping"])
    if problems:
        raise AdminActionRefused(
            "Nothing was imported: the event changed since the file was checked. "
            + " ".join(problems[:SHOWN_PROBLEMS])
            + (
                f" And {len(problems) - SHOWN_PROBLEMS} more."
                if len(problems) > SHOWN_PROBLEMS
                else ""
            )
            + " Upload the file again."
        )
    try:
        done = write_participants(job.event, rows)
    except AdminActionRefused as refused:
        raise AdminActionRefused(f"Nothing was imported: {refused}") from None
    return len(rows), (
        f"Imported {counted(len(rows), 'row')}: {counted(done.created, 'participant')} "
        f"created, {done.updated} updated, {done.invited} invited (these addresses already "
        "had an account: they take part once they confirm the emailed link). Those created "
        "are not told yet: invite them from the registrations page."
    )


def _export_agendas(job: BulkJob) -> tuple[int, str]:
    job.download, count = agendas_zip(job.event)
    # Only the latest export keeps its file: an agenda file is out of date once it is replaced.
    db.session.execute(
        update(BulkJob)
        .where(
            BulkJob.event_id == job.event_id,
            BulkJob.kind == BulkKind.EXPORT_AGENDAS,
            BulkJob.id != job.id,
            BulkJob.download.is_not(None),
        )
        .values(download=None)
        .execution_options(synchronize_session=False)
    )
    return count, f"{counted(count, 'agenda')} in one ZIP file, with index.csv listing them."


ACTIONS: dict[BulkKind, Callable[[BulkJob], tuple[int, str]]] = {
    BulkKind.DECIDE: _decide,
    BulkKind.RESEND_FAILED: _resend_failed,
    BulkKind.APPLY_RUN: _apply_run,
    BulkKind.IMPORT_PARTICIPANTS: _import_participants,
    BulkKind.EXPORT_AGENDAS: _export_agendas,
}
"""Each kind's work: writes in the session without committing; returns (changed, result)."""

EMAILING = {BulkKind.DECIDE, BulkKind.RESEND_FAILED, BulkKind.IMPORT_PARTICIPANTS}
"""The kinds whose work queues emails: the sender is woken once they are committed."""

REFUSALS = (AdminActionRefused, ScheduleRefused)
"""What an action raises when the rules forbid it: the job fails with the message as it is."""


BEATS_PER_SILENCE = 4
"""Heartbeats a job's worker stamps within RUN_SILENT_AFTER while its one transaction runs,
so that a long action (applying or exporting at convention size) is not taken over as if its
worker had died."""


@contextmanager
def beating(job_id: int) -> Iterator[None]:
    """While the block runs, stamp the job's heartbeat BEATS_PER_SILENCE times per
    RUN_SILENT_AFTER over a connection of its own (the action's transaction commits only at
    its end). PostgreSQL only: there every consumer on every machine may take a silent job
    over; SQLite's single writer would only make the stamp wait for the action."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        yield
        return
    stop = threading.Event()
    every = _silent_after().total_seconds() / BEATS_PER_SILENCE

    def stamp() -> None:
        while not stop.wait(every):
            try:
                with engine.begin() as connection:
                    # The action may hold the job's row (an export writes its file there).
                    connection.execute(text("SET LOCAL lock_timeout = '2s'"))
                    connection.execute(
                        update(BulkJob)
                        .where(BulkJob.id == job_id, BulkJob.status == BulkStatus.RUNNING)
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # noqa: BLE001 - a missed beat only risks a take-over later
                log.warning("cannot stamp bulk job %s's heartbeat", job_id, exc_info=True)

    beater = threading.Thread(target=stamp, name=f"bulk-job-{job_id}-heartbeat", daemon=True)
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join()


def execute_job(job_id: int) -> BulkJob | None:
    """The job's body: the action and the job's result in one transaction. Returns the job,
    or None when another worker has it or it has ended."""
    job = _claim(job_id)
    if job is None:
        return None
    try:
        with beating(job.id), public_urls(job.params.get("base_url")):
            changed, result = ACTIONS[job.kind](job)
        job.status, job.finished_at = BulkStatus.DONE, utcnow()
        job.changed, job.result = changed, result
        job.upload = None  # an ended job's file (people's names and addresses) is not kept
        db.session.commit()
    except REFUSALS as refused:
        db.session.rollback()
        _end_failed(job, f"{refused}")
    except Exception as exc:  # noqa: BLE001 - any failure must end the job, not the consumer
        log.exception("bulk job %s failed", job_id)
        db.session.rollback()
        _end_failed(job, f"The job failed: {exc}. Nothing was changed.")
    else:
        if job.changed and job.kind in EMAILING:
            deliver_soon()
        if job.changed and job.kind == BulkKind.APPLY_RUN:
            refresh_placement_statistics()
    return job


def _end_failed(job: BulkJob, error: str) -> None:
    """Fail the job unless it has ended meanwhile: a copy taken over from a worker thought
    dead must not turn that worker's finished job into a failure."""
    db.session.execute(
        update(BulkJob)
        .where(BulkJob.id == job.id, BulkJob.status.in_(BULK_ACTIVE))
        .values(status=BulkStatus.FAILED, error=error, finished_at=utcnow(), upload=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(job)
