"""The secret of a participant's calendar subscription, and the announcements a publication
decided and has not yet turned into emails."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnering.db_types import UTCDateTime, utcnow
from partnering.extensions import db
from partnering.registrations.models import Participant

TOKEN_BYTES = 24
"""192 random bits: the feed URL is the only key to the agenda."""


def new_feed_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class FeedToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), unique=True
    )
    secret: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_secret)
    """Kept readable so the agenda page can show the link again; compared in constant time."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship()


ANNOUNCEMENT_KINDS = ("agenda", "update", "cancel")


class Announcement(db.Model):
    """One email a publication decided to send (an agenda to a participant, or an update or a
    cancellation of one meeting to one of its participants), waiting to be built and queued in
    the outbox. Written in the publication's transaction, deleted in the transaction that
    queues its email: a publication that dies in between leaves each of its emails here
    exactly once, for the next pass to queue (partnering.agenda.notify)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    """The meeting of an update or a cancellation; None for an agenda."""
