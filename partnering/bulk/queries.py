"""Reading bulk jobs."""

from __future__ import annotations

from partnering.access import row_of_event_or_404
from partnering.bulk.models import BulkJob
from partnering.events.models import Event


def bulk_job_or_404(event: Event, job_id: int) -> BulkJob:
    return row_of_event_or_404(BulkJob, job_id, event)
