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
