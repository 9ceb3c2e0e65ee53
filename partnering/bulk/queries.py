"""Reading bulk jobs."""

from __future__ import annotations

from sqlalchemy import select

from partnering.access import row_of_event_or_404
from partnering.bulk.models import BULK_ACTIVE, BulkJob, BulkKind
from partnering.events.models import Event
from partnering.extensions import db


def bulk_job_or_404(event: Event, job_id: int) -> BulkJob:
    return row_of_event_or_404(BulkJob, job_id, event)


def active_bulk_job(event: Event, kind: BulkKind) -> BulkJob | None:
    """The queued or running job of this kind for the event, if any (pages link to it)."""
    return db.session.execute(
        select(BulkJob).where(
            BulkJob.event_id == event.id, BulkJob.kind == kind, BulkJob.status.in_(BULK_ACTIVE)
        )
    ).scalar_one_or_none()


def has_download(job: BulkJob) -> bool:
    """Whether the job keeps a file to download, without loading the file."""
    return bool(
        db.session.scalar(select(BulkJob.download.is_not(None)).where(BulkJob.id == job.id))
    )


def download_of(job: BulkJob) -> bytes | None:
    """The file the job made, if it still keeps it (only an event's latest export does)."""
    return db.session.scalar(select(BulkJob.download).where(BulkJob.id == job.id))


def apply_going(run_id: int, event: Event) -> BulkJob | None:
    """The queued or running job applying this run, if any (the run's page links to it)."""
    job = active_bulk_job(event, BulkKind.APPLY_RUN)
    return job if job is not None and job.params.get("run_id") == run_id else None


def latest_agendas_export(event: Event) -> BulkJob | None:
    """The event's latest export of every agenda, whatever its state."""
    return db.session.execute(
        select(BulkJob)
        .where(BulkJob.event_id == event.id, BulkJob.kind == BulkKind.EXPORT_AGENDAS)
        .order_by(BulkJob.id.desc())
        .limit(1)
    ).scalar_one_or_none()
