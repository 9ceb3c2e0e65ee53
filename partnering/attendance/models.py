"""Check-ins (one per participant and event day) and no-show marks on meetings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from partnering.auth.models import Account
from partnering.db_types import UTCDateTime
from partnering.extensions import db
from partnering.meetings.models import Meeting, where
from partnering.registrations.models import Participant
from partnering.states import State, state_type


class CheckInMethod(State):
    """How a participant was checked in."""

    DESK = "desk", "At the desk"
    SELF = "self", "By themselves"


class CheckIn(db.Model):
    """A participant arrived on one day of the event (the day in the event's timezone)."""

    __table_args__ = (UniqueConstraint("participant_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column()
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    method: Mapped[CheckInMethod] = mapped_column(state_type(CheckInMethod, "method"))
    # Set when the participant left early: a re-plan releases their meetings after this.
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    participant: Mapped[Participant] = relationship()
    checked_in_by: Mapped[Account | None] = relationship(foreign_keys=[checked_in_by_id])
    checked_out_by: Mapped[Account | None] = relationship(foreign_keys=[checked_out_by_id])

    @property
    def is_checked_out(self) -> bool:
        return self.checked_out_at is not None

    @validates("method")
    def _known_method(self, _key: str, value: str) -> CheckInMethod:
        return CheckInMethod(value)


class NoShowStatus(State):
    """A no-show mark stands until the person who set it undoes it (the row is kept)."""

    MARKED = "marked", "No-show"
    UNDONE = "undone", "Undone"


class NoShow(db.Model):
    """Somebody said a meeting did not take place in its slot: one of its participants, or an
    organiser. The mark belongs to that slot: once a re-plan gives the meeting a new place, the
    meeting is expected there again."""

    __table_args__ = (
        # One standing mark per meeting and slot, however many people click at once.
        Index(
            "uq_no_show_marked",
            "meeting_id",
            "slot_id",
            unique=True,
            **where(text(f"status = '{NoShowStatus.MARKED}'")),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))
    status: Mapped[NoShowStatus] = mapped_column(
        state_type(NoShowStatus, "status"), default=NoShowStatus.MARKED
    )
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship()
    marked_by: Mapped[Account] = relationship()

    @validates("status")
    def _known_status(self, _key: str, value: str) -> NoShowStatus:
        return NoShowStatus(value)

    @property
    def is_marked(self) -> bool:
        return self.status == NoShowStatus.MARKED
