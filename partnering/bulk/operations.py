"""Bulk actions asked by the organiser: each is checked, then queued as a job (see runner)."""

from __future__ import annotations

from collections.abc import Iterable

from partnering.admin.operations import AdminActionRefused, check_decision
from partnering.admin.participant_csv import ParticipantRow
from partnering.auth.models import Account
from partnering.bulk.models import BulkJob, BulkKind
from partnering.bulk.runner import BulkRefused, create_job, execute_job
from partnering.bulk.tasks import run_bulk_job
from partnering.events.models import Event
from partnering.extensions import db
from partnering.jobs import enqueue
from partnering.registrations.models import Participant, RegistrationStatus
from partnering.scheduling.models import ScheduleRun

__all__ = [
    "BulkKind",
    "apply_here",
    "BulkRefused",
    "start_agendas_export",
    "start_apply",
    "start_decisions",
    "start_import",
    "start_resend_failed",
]


def start_decisions(
    event: Event,
    account: Account | None,
    participant_ids: Iterable[int],
    decision: str,
    base_url: str | None = None,
) -> BulkJob:
    """Queue the approval or rejection of the ticked registrations."""
    try:
        ids = check_decision(participant_ids, decision)
    except AdminActionRefused as refused:
        raise BulkRefused(str(refused)) from None
    params = {"ids": ids, "decision": decision, "base_url": base_url}
    return _start(create_job(event, account, BulkKind.DECIDE, params, len(ids)))


def start_resend_failed(
    event: Event, account: Account | None, failed: int, base_url: str | None = None
) -> BulkJob:
    """Queue every failed email of the event again (`failed`: how many the page showed)."""
    if not failed:
        raise BulkRefused("No email of this event has failed: there is nothing to send again.")
    return _start(
        create_job(event, account, BulkKind.RESEND_FAILED, {"base_url": base_url}, failed)
    )


def start_apply(run: ScheduleRun, account: Account | None) -> BulkJob:
    """Queue making a finished run's result the event's schedule (see `operations.apply_run`)."""
    return _start(_apply_job(run, account))


def apply_here(run: ScheduleRun, account: Account | None) -> BulkJob:
    """Apply a run in this process, to the end, as a job (the command line waits for it):
    refused while another apply job runs for the event, or with the job's error."""
    job = _apply_job(run, account)
    execute_job(job.id)
    db.session.refresh(job)
    if not job.is_done:
        raise BulkRefused(job.error)
    return job


def _apply_job(run: ScheduleRun, account: Account | None) -> BulkJob:
    """The apply job of a finished draft; its size is how many meetings the run placed or left
    out, what applying it looks at."""
    if not run.is_draft:
        raise BulkRefused(f"Only a finished draft can be applied; this run is {run.status}.")
    size = len(run.problem["meetings"]) if run.problem else 0
    return create_job(run.event, account, BulkKind.APPLY_RUN, {"run_id": run.id}, size)


def start_import(
    event: Event,
    account: Account | None,
    data: bytes,
    mapping: dict[str, int | None],
    rows: list[ParticipantRow],
    base_url: str | None = None,
) -> BulkJob:
    """Queue the import of an uploaded CSV whose `rows` were checked with `mapping`. The job
    keeps the file's bytes: it may run on another machine."""
    params = {"mapping": mapping, "base_url": base_url}
    return _start(
        create_job(event, account, BulkKind.IMPORT_PARTICIPANTS, params, len(rows), upload=data)
    )


def start_agendas_export(
    event: Event, account: Account | None, base_url: str | None = None
) -> BulkJob:
    """Queue writing every approved participant's agenda into one ZIP kept with the job."""
    people = db.session.scalar(
        db.select(db.func.count(Participant.id)).filter_by(
            event_id=event.id, status=RegistrationStatus.APPROVED
        )
    )
    return _start(
        create_job(event, account, BulkKind.EXPORT_AGENDAS, {"base_url": base_url}, people or 0)
    )


def _start(job: BulkJob) -> BulkJob:
    enqueue(run_bulk_job, job.id)
    return job
