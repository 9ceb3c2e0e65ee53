"""Emails waiting to be sent, being retried, sent or given up on. Nothing is sent directly:
an email is a row first, so an SMTP outage loses nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from partnering.db_types import UTCDateTime, utcnow
from partnering.extensions import db
from partnering.states import State, state_type


class OutboxStatus(State):
    """waiting → sending (claimed by a sender) → sent, or back to waiting for a retry, or
    failed once the attempts are used up; an organiser can put a failed one back to waiting.
    With no mail server configured, an email is written to the log instead: logged, never
    called sent."""

    WAITING = "waiting", "Waiting"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    LOGGED = "logged", "Written to the log (no mail server)"
    FAILED = "failed", "Failed"


FILTERS = (OutboxStatus.WAITING, OutboxStatus.SENT, OutboxStatus.LOGGED, OutboxStatus.FAILED)
"""The states the organiser's overview filters by."""
BADGES = {
    OutboxStatus.WAITING: "pending",
    OutboxStatus.SENDING: "pending",
    OutboxStatus.SENT: "ok",
    OutboxStatus.LOGGED: "logged",
    OutboxStatus.FAILED: "failed",
}
"""The badge style each state is shown with."""


class OutboxMessage(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="notice")
    """login, agenda, update, cancel, notice: for the organiser's overview."""
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    """The whole MIME message, built when queued: what is sent is what was decided then."""
    status: Mapped[OutboxStatus] = mapped_column(
        state_type(OutboxStatus, "status"), default=OutboxStatus.WAITING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @validates("status")
    def _known_status(self, key: str, value: str) -> OutboxStatus:
        return OutboxStatus(value)

    @property
    def badge(self) -> str:
        return BADGES[self.status]

    @property
    def is_waiting(self) -> bool:
        return self.status == OutboxStatus.WAITING

    @property
    def is_logged(self) -> bool:
        """Written to the log because no mail server is configured, not sent."""
        return self.status == OutboxStatus.LOGGED

    @property
    def can_be_resent(self) -> bool:
        """A failed email can go back in the queue, a sent (or logged) one can be sent again as
        a copy; one that could not even be built has nothing to send."""
        return self.status in RESENDABLE and bool(self.raw)


RESENDABLE = (OutboxStatus.FAILED, OutboxStatus.SENT, OutboxStatus.LOGGED)
