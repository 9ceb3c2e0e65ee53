"""Bulk actions asked by the organiser: each is checked, then queued as a job (see runner)."""

from __future__ import annotations

from collections.abc import Iterable

from partnering.admin.operations import AdminActionRefused, check_decision
from partnering.auth.models import Account
from partnering.bulk.models import BulkJob, BulkKind
from partnering.bulk.runner import BulkRefused, create_job
from partnering.bulk.tasks import run_bulk_job
from partnering.events.models import Event
from partnering.jobs import enqueue

__all__ = ["BulkKind", "BulkRefused", "start_decisions", "start_resend_failed"]


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


def _start(job: BulkJob) -> BulkJob:
    enqueue(run_bulk_job, job.id)
    return job
