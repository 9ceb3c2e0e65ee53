"""Who takes part: organisations and their participants, with profile and availability."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from partnering.auth.models import Account
from partnering.db_types import UTCDateTime, utcnow
from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.states import State, state_type

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


class RegistrationStatus(State):
    """pending → approved or rejected by an organiser; deleted by the participant (their data
    erased). unconfirmed: someone not logged in registered an address that already had an
    account; it counts (becomes pending) only once the address's owner confirms it. invited: an
    organiser imported an address that already had an account; it becomes approved once its
    owner confirms."""

    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    INVITED = "invited", "Invited"
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    DELETED = "deleted", "Deleted"


AWAITING_CONFIRMATION = (RegistrationStatus.UNCONFIRMED, RegistrationStatus.INVITED)
CONFIRMED_STATUS = {
    RegistrationStatus.UNCONFIRMED: RegistrationStatus.PENDING,
    RegistrationStatus.INVITED: RegistrationStatus.APPROVED,
}
DECIDED_STATUSES = (
    RegistrationStatus.PENDING,
    RegistrationStatus.APPROVED,
    RegistrationStatus.REJECTED,
)
"""The registrations an organiser decides on and counts."""
DECISIONS = (RegistrationStatus.APPROVED, RegistrationStatus.REJECTED)
"""What an organiser can decide a registration becomes."""

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
    status: Mapped[RegistrationStatus] = mapped_column(
        state_type(RegistrationStatus, "status"), default=RegistrationStatus.PENDING
    )
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

    @validates("status")
    def _known_status(self, key: str, value: str) -> RegistrationStatus:
        return RegistrationStatus(value)

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
    def is_pending(self) -> bool:
        return self.status == RegistrationStatus.PENDING

    @property
    def is_approved(self) -> bool:
        return self.status == RegistrationStatus.APPROVED

    @property
    def is_rejected(self) -> bool:
        return self.status == RegistrationStatus.REJECTED

    @property
    def is_invited(self) -> bool:
        return self.status == RegistrationStatus.INVITED

    @property
    def awaits_confirmation(self) -> bool:
        return self.status in AWAITING_CONFIRMATION

    @property
    def is_deleted(self) -> bool:
        return self.status == RegistrationStatus.DELETED

    @property
    def is_decidable(self) -> bool:
        """An organiser may approve or reject it (organisers' own registrations excepted)."""
        return self.status in DECIDED_STATUSES and not self.is_organiser

    @property
    def topics(self) -> list[str]:
        return [t for t in self.topics_text.splitlines() if t.strip()]

    @property
    def meeting_limit(self) -> int | None:
        return meeting_limit(self.max_meetings, self.event.max_meetings)

    @property
    def ref(self) -> str:
        return participant_ref(self.id, self.external_ref)

    def __repr__(self) -> str:
        return f"<Participant {self.id} {self.account.email} @{self.event_id}>"


def meeting_limit(own: int | None, event_limit: int | None) -> int | None:
    """The meetings a participant accepts at most: the lower of their own and the event's."""
    limits = [x for x in (own, event_limit) if x is not None]
    return min(limits) if limits else None


def participant_ref(participant_id: int, external_ref: str | None) -> str:
    """The id a participant has in the solver's problem and in exports."""
    return external_ref or f"p{participant_id}"


class Invitation(db.Model):
    """An organiser's invitation of a participant they imported: an email with a login link.
    One per participant (the key), so that the same person is never invited twice, however
    many organisers press "Invite" at once."""

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    invited_by: Mapped[Account | None] = relationship()


class RegistrationDigest(db.Model):
    """Where the organisers' email digest of new registrations of an event stands."""

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), primary_key=True)
    sent_through: Mapped[datetime] = mapped_column(UTCDateTime)
    """Registrations created up to this moment were in a digest (or predate the first one)."""
