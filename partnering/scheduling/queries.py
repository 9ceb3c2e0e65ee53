"""Runs and publications as the organiser's scheduling pages read them."""

from __future__ import annotations

from partnering.access import row_of_event_or_404
from partnering.events.models import Event
from partnering.extensions import db
from partnering.scheduling.models import PublishJob, ScheduleRun


def run_or_404(event: Event, run_id: int) -> ScheduleRun:
    return row_of_event_or_404(ScheduleRun, run_id, event)


def publication_or_404(event: Event, job_id: int) -> PublishJob:
    return row_of_event_or_404(PublishJob, job_id, event)


def recent_runs(event: Event, limit: int = 10) -> list[ScheduleRun]:
    """The event's latest runs, newest first."""
    return list(
        db.session.scalars(
            db.select(ScheduleRun)
            .filter_by(event_id=event.id)
            .order_by(ScheduleRun.id.desc())
            .limit(limit)
        )
    )
