"""The secret of a participant's calendar subscription."""

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
