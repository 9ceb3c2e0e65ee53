"""Meeting requests between participants, and the agreed meetings they become."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from partnering.db_types import UTCDateTime, utcnow
from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.registrations.models import Participant
from partnering.states import State, state_type

PRIORITIES = {1: "Would like to meet", 2: "Must meet"}
MUST_MEET = 2
"""The priority from which a meeting is a must: it counts double in the schedule."""


class MeetingStatus(State):
    """An agreed meeting is active until cancelled; a cancelled meeting is kept, never deleted."""

    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"


class RequestStatus(State):
    """A request waits for the recipient's answer until it is accepted (it becomes a meeting),
    declined or withdrawn."""

    PENDING = "pending", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"
    """Allowed (backups may hold it) but set by nothing yet."""


REQUEST_HISTORY = (RequestStatus.DECLINED, RequestStatus.WITHDRAWN, RequestStatus.EXPIRED)
"""Requests that ended without a meeting."""

ACTIVE = text(f"status = '{MeetingStatus.ACTIVE}'")
PENDING = text(f"status = '{RequestStatus.PENDING}'")


def where(condition):
    """A partial index's condition, for both databases we run on."""
    return {"sqlite_where": condition, "postgresql_where": condition}


meeting_participant = db.Table(
    "meeting_participant",
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True),
    Column("slot_id", ForeignKey("slot.id"), nullable=True),
    # The slot of the meeting while it is active (kept by partnering.meetings.integrity): nobody
    # can be in two meetings at the same time.
    Index("uq_meeting_participant_participant_slot", "participant_id", "slot_id", unique=True),
)

meeting_allowed_slot = db.Table(
    "meeting_allowed_slot",
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("slot_id", ForeignKey("slot.id", ondelete="CASCADE"), primary_key=True),
)


def new_uid() -> str:
    """A calendar UID fixed at creation, never derived from slot or table."""
    return f"{uuid.uuid4()}@partnering"


class Meeting(db.Model):
    """An agreed meeting. Placed once it has both a slot and a table."""

    __table_args__ = (
        # One active meeting per set of people, and per table and slot.
        Index(
            "uq_meeting_active_people", "event_id", "participants_key", unique=True, **where(ACTIVE)
        ),
        Index("uq_meeting_active_place", "slot_id", "table_id", unique=True, **where(ACTIVE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True, default=new_uid)
    priority: Mapped[int] = mapped_column(default=1)
    status: Mapped[MeetingStatus] = mapped_column(
        state_type(MeetingStatus, "status"), default=MeetingStatus.ACTIVE
    )
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id"), index=True)
    table_id: Mapped[int | None] = mapped_column(ForeignKey("table.id"), index=True)
    locked: Mapped[bool] = mapped_column(default=False)
    """Kept where it is by later scheduler runs (set by hand or by publishing)."""
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When its current slot and table were last published; None: participants never saw it."""
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    sequence: Mapped[int] = mapped_column(default=0)
    """Calendar SEQUENCE: raised whenever time, table or status changes."""
    announced_sequence: Mapped[int | None] = mapped_column()
    """The SEQUENCE its participants were last emailed; None: never announced to them."""
    external_ref: Mapped[str | None] = mapped_column(String(100))
    participants_key: Mapped[str | None] = mapped_column(String(255))
    """The participants' ids, sorted (kept by partnering.meetings.integrity)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    participants: Mapped[list[Participant]] = relationship(
        secondary=meeting_participant, order_by="Participant.id"
    )
    allowed_slots: Mapped[list[Slot]] = relationship(secondary=meeting_allowed_slot)
    slot: Mapped[Slot | None] = relationship()
    table: Mapped[Table | None] = relationship()
    requests: Mapped[list[MeetingRequest]] = relationship(back_populates="meeting")

    @validates("status")
    def _known_status(self, key: str, value: str) -> MeetingStatus:
        return MeetingStatus(value)

    @property
    def is_active(self) -> bool:
        return self.status == MeetingStatus.ACTIVE

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_placed(self) -> bool:
        return self.slot_id is not None and self.table_id is not None

    @property
    def ref(self) -> str:
        return meeting_ref(self.id, self.external_ref)

    @property
    def is_must_meet(self) -> bool:
        return self.priority >= MUST_MEET

    def others(self, participant: Participant) -> list[Participant]:
        return [p for p in self.participants if p.id != participant.id]


class MeetingRequest(db.Model):
    __table_args__ = (
        # One open request per ordered pair.
        Index(
            "uq_meeting_request_pending", "sender_id", "recipient_id", unique=True, **where(PENDING)
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(default=1)
    status: Mapped[RequestStatus] = mapped_column(
        state_type(RequestStatus, "status"), default=RequestStatus.PENDING
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    sender: Mapped[Participant] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[Participant] = relationship(foreign_keys=[recipient_id])
    meeting: Mapped[Meeting | None] = relationship(back_populates="requests")

    @validates("status")
    def _known_status(self, key: str, value: str) -> RequestStatus:
        return RequestStatus(value)

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def is_accepted(self) -> bool:
        return self.status == RequestStatus.ACCEPTED

    @property
    def priority_label(self) -> str:
        return PRIORITIES.get(self.priority, str(self.priority))

    @property
    def is_must_meet(self) -> bool:
        return self.priority >= MUST_MEET


def meeting_ref(meeting_id: int, external_ref: str | None) -> str:
    """The id a meeting has in the solver's problem and in exports."""
    return external_ref or f"m{meeting_id}"
