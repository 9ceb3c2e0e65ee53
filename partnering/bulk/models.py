"""A bulk action on an event, done by a background job: what was asked, how far it got, and
its result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from partnering.auth.models import Account
from partnering.db_types import UTCDateTime, utcnow
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import where
from partnering.states import State, state_type


class BulkKind(State):
    """The bulk actions that run as jobs; the label names the action for people."""

    DECIDE = "decide", "Registration decisions"
    RESEND_FAILED = "resend_failed", "Resending failed emails"
    APPLY_RUN = "apply_run", "Applying a run"
    IMPORT_PARTICIPANTS = "import_participants", "Importing participants"
    EXPORT_AGENDAS = "export_agendas", "Exporting every agenda"


class BulkStatus(State):
    """queued → running → done; or failed."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Working"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


BULK_ACTIVE = (BulkStatus.QUEUED, BulkStatus.RUNNING)
"""A job in one of these holds its kind for the event: a second one is refused meanwhile."""


class BulkJob(db.Model):
    __table_args__ = (
        # One job of a kind at a time per event, whichever process asks.
        Index(
            "uq_bulk_job_active",
            "event_id",
            "kind",
            unique=True,
            **where(text(f"status IN ('{BulkStatus.QUEUED}', '{BulkStatus.RUNNING}')")),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    kind: Mapped[BulkKind] = mapped_column(state_type(BulkKind, "kind"))
    status: Mapped[BulkStatus] = mapped_column(
        state_type(BulkStatus, "status"), default=BulkStatus.QUEUED
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """What the action needs (e.g. the ticked participants and the decision)."""
    total: Mapped[int] = mapped_column(default=0)
    """How many items the action was asked to handle."""
    changed: Mapped[int] = mapped_column(default=0)
    """How many of them it changed, once done."""
    result: Mapped[str] = mapped_column(Text, default="")
    """The outcome in a sentence, for the organiser."""
    error: Mapped[str] = mapped_column(Text, default="")
    # The files live in the database, not on a disk: the consumer may run on another machine.
    # Deferred: progress pages poll the job and need neither.
    upload: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    """The file the action reads (a participant import's CSV, as uploaded)."""
    download: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    """The file the action made (every agenda in one ZIP); only an event's latest keeps it."""
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Last sign of life of the worker; a silent job is taken over or failed."""
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    created_by: Mapped[Account | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in BULK_ACTIVE

    @property
    def is_done(self) -> bool:
        return self.status == BulkStatus.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == BulkStatus.FAILED

    @validates("status")
    def _known_status(self, _key: str, value: str) -> BulkStatus:
        return BulkStatus(value)

    @validates("kind")
    def _known_kind(self, _key: str, value: str) -> BulkKind:
        return BulkKind(value)
