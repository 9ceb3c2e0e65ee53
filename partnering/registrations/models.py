"""Who takes part: organisations and their participants, with profile and availability."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnering.auth.models import Account
from partnering.db_types import UTCDateTime, utcnow
from partnering.events.models import Event, Slot, Table
from partnering.extensions import db

ORGANISATION_TYPES = [
    ("sme", "SME / start-up"),
    ("pharma", "Pharma / large company"),
    ("investor", "Investor"),
    ("academia", "Academia / research"),
    ("cluster", "Cluster / agency"),
    ("service", "Service provider"),
    ("other", "Other"),
]
ORGANISATION_TYPE_LABELS = dict(ORGANISATION_TYPES)

ROLES = ("participant", "organiser")
STATUSES = ("unconfirmed", "invited", "pending", "approved", "rejected", "deleted")
"""unconfirmed: someone not logged in registered an address that already had an account; it
counts (becomes pending) only once the address's owner confirms it. invited: an organiser
imported an address that already had an account; it becomes approved once its owner confirms.
deleted: the participant deleted their registration and their data was erased."""
AWAITING_CONFIRMATION = ("unconfirmed", "invited")
CONFIRMED_STATUS = {"unconfirmed": "pending", "invited": "approved"}
DECIDED_STATUSES = ("pending", "approved", "rejected")
"""The registrations an organiser decides on and counts."""

unavailable_slot = db.Table(
    "unavailable_slot",
    Column("participant_id", ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True),
    Column("slot_id", ForeignKey("slot.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(db.Model):
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="other")
    country: Mapped[str] = mapped_column(String(100), default="")
    external_ref: Mapped[str | None] = mapped_column(String(100))

    participants: Mapped[list[Participant]] = relationship(back_populates="organisation")

    @property
    def kind_label(self) -> str:
        return ORGANISATION_TYPE_LABELS.get(self.kind, self.kind)


class Participant(db.Model):
    """A person's registration for one event."""

    __table_args__ = (UniqueConstraint("event_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="participant")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    topics_text: Mapped[str] = mapped_column(Text, default="")
    """Chosen topics from the event's list, one per line."""
    offer: Mapped[str] = mapped_column(Text, default="")
    seek: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    show_profile: Mapped[bool] = mapped_column(default=False)
    """Consent to show the profile to other participants."""
    booth_table_id: Mapped[int | None] = mapped_column(ForeignKey("table.id"))
    max_meetings: Mapped[int | None] = mapped_column()
    """This person's own limit, when lower than the event's."""
    external_ref: Mapped[str | None] = mapped_column(String(100))
    privacy_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When they agreed to the event's privacy note; None: never asked (imported)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    account: Mapped[Account] = relationship()
    organisation: Mapped[Organisation | None] = relationship(back_populates="participants")
    booth: Mapped[Table | None] = relationship()
    unavailable_slots: Mapped[list[Slot]] = relationship(secondary=unavailable_slot)

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def email(self) -> str:
        return self.account.email

    @property
    def is_organiser(self) -> bool:
        return self.role == "organiser"

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"

    @property
    def awaits_confirmation(self) -> bool:
        return self.status in AWAITING_CONFIRMATION

    @property
    def is_deleted(self) -> bool:
        return self.status == "deleted"

    @property
    def topics(self) -> list[str]:
        return [t for t in self.topics_text.splitlines() if t.strip()]

    @property
    def meeting_limit(self) -> int | None:
        limits = [x for x in (self.max_meetings, self.event.max_meetings) if x is not None]
        return min(limits) if limits else None

    @property
    def ref(self) -> str:
        return self.external_ref or f"p{self.id}"

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.account.email} @{self.event_id}>"
