"""A scheduler run: who started it, with which parameters, how far it got, and its result.

A run's result is a draft (`done`) until the organiser applies or rejects it; the meetings in the
database are only ever changed by applying.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from partnering.auth.models import Account
from partnering.db_types import UTCDateTime, utcnow
from partnering.events.models import Event, Publication
from partnering.extensions import db
from partnering.meetings.models import where
from partnering.states import State, state_type


class RunStatus(State):
    """queued → running → done (a draft) → applied or rejected; or failed or cancelled."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Draft: ready to review"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
"""A run in one of these holds the event: a second run is refused meanwhile."""
REVIEWABLE_STATUSES = (RunStatus.DONE, RunStatus.APPLIED, RunStatus.REJECTED)
"""A run in one of these has a result to compare with the schedule."""


class ScheduleRun(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    time_limit: Mapped[int] = mapped_column(default=60)
    """Seconds the solver may search."""
    keep_published: Mapped[bool] = mapped_column(default=True)
    """Published meetings stay where they are (they are fixed in the problem)."""
    replan_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """A re-plan of the rest of the event from this instant: meetings in slots that started
    before stay where they are, no-shows are released (see scheduling/replan.py)."""
    absent_cutoff: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """With a re-plan: who had not checked in by then has the rest of that day's meetings
    released; None releases nobody for absence."""
    status: Mapped[RunStatus] = mapped_column(
        state_type(RunStatus, "status"), default=RunStatus.QUEUED
    )
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Last progress report of a running job; one silent for RUN_SILENT_AFTER is failed."""
    phase: Mapped[str] = mapped_column(String(40), default="")
    best: Mapped[float | None] = mapped_column()
    """Scheduled priority of the best schedule found so far."""
    bound: Mapped[float | None] = mapped_column()
    """No schedule can reach more priority than this."""
    elapsed: Mapped[float] = mapped_column(default=0.0)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Figures of the result, of the first-come baseline, and the upper bound; whether the
    organiser stopped the search early ("stopped_early")."""
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The partnering-problem/1 document the run solved."""
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The partnering-schedule/1 document it found (problem ids)."""
    error: Mapped[str] = mapped_column(Text, default="")
    """Why a run failed or was cancelled, for the organiser."""
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    event: Mapped[Event] = relationship()
    created_by: Mapped[Account | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id])

    @validates("status")
    def _known_status(self, key: str, value: str) -> RunStatus:
        return RunStatus(value)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_running(self) -> bool:
        return self.status == RunStatus.RUNNING

    @property
    def is_replan(self) -> bool:
        return self.replan_from is not None

    @property
    def is_draft(self) -> bool:
        """Finished with a result the organiser has not applied or rejected yet."""
        return self.status == RunStatus.DONE

    @property
    def ended_without_result(self) -> bool:
        return self.status in (RunStatus.FAILED, RunStatus.CANCELLED)

    @property
    def has_result(self) -> bool:
        return self.status in REVIEWABLE_STATUSES

    @property
    def stopped_early(self) -> bool:
        """The organiser stopped the search: the result is the best schedule found so far."""
        return bool(self.summary and self.summary.get("stopped_early"))

    @property
    def remaining(self) -> float:
        return max(0.0, self.time_limit - self.elapsed) if self.is_running else 0.0

    @property
    def status_label(self) -> str:
        if self.is_draft and self.stopped_early:
            return "Draft (stopped early): ready to review"
        return self.status.label


class PublishStatus(State):
    """queued → running (the database part, then the emails) → done; or failed."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Publishing"
    DONE = "done", "Published"
    FAILED = "failed", "Failed"


PUBLISH_ACTIVE = (PublishStatus.QUEUED, PublishStatus.RUNNING)
"""A publication in one of these holds the event: a second one is refused meanwhile."""


class PublishJob(db.Model):
    """A publication of the event's schedule, done by a background job in two parts: the
    database part (meetings marked published, the event's state, the announcements to send) in
    one transaction, then the emails, queued in batches."""

    __table_args__ = (
        # One publication at a time per event, whichever process asks.
        Index(
            "uq_publish_job_active",
            "event_id",
            unique=True,
            **where(text(f"status IN ('{PublishStatus.QUEUED}', '{PublishStatus.RUNNING}')")),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    state: Mapped[Publication] = mapped_column(state_type(Publication, "state"))
    """preliminary or final."""
    status: Mapped[PublishStatus] = mapped_column(
        state_type(PublishStatus, "status"), default=PublishStatus.QUEUED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Last sign of life of the job working on it; a silent one is taken over or failed."""
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the database part committed: participants see the schedule from then on."""
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    newly_published: Mapped[int] = mapped_column(default=0)
    emails_queued: Mapped[int] = mapped_column(default=0)
    emails_left: Mapped[int] = mapped_column(default=0)
    """Announcements of the event still to be queued, as of the last batch."""
    error: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship()
    created_by: Mapped[Account | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in PUBLISH_ACTIVE

    @property
    def is_done(self) -> bool:
        return self.status == PublishStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == PublishStatus.FAILED

    @property
    def status_label(self) -> str:
        if self.status == PublishStatus.RUNNING and self.published_at:
            return "Queueing emails"
        return self.status.label

    @validates("status")
    def _known_status(self, _key: str, value: str) -> PublishStatus:
        return PublishStatus(value)

    @validates("state")
    def _known_state(self, _key: str, value: str) -> Publication:
        return Publication(value)
