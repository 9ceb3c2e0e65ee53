"""An event, its meeting sessions, the slots generated from them, and its tables."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from partnering.db_types import UTCDateTime, utcnow
from partnering.extensions import db
from partnering.states import State, state_type


class Publication(State):
    """What participants see of the schedule: nothing yet, a preliminary one (times and tables
    may still change) or the final one."""

    UNPUBLISHED = "unpublished", "Unpublished"
    PRELIMINARY = "preliminary", "Preliminary"
    FINAL = "final", "Final"


CONTACT_VISIBILITY = {
    "meeting": "Only people who have an accepted meeting together",
    "participants": "Every approved participant who can see the profile",
    "organisers": "Nobody but the organisers",
}
"""Who sees a participant's contact details (email), by the event's setting."""

DEFAULT_PRIVACY_NOTE = (
    "The organisers of this event store what you enter here (your name, email address, "
    "organisation and profile), your availability and your meeting requests, to run the "
    "event's meetings. Other participants see your profile only if you choose to show it, and "
    "your email address only as the event's settings say. You can download your data and "
    "delete your registration at any time from your profile page."
)
"""Shown at registration when the organiser wrote no privacy note of their own."""


class Event(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    slot_minutes: Mapped[int] = mapped_column(default=30)
    topics_text: Mapped[str] = mapped_column(Text, default="")
    """The event's topic list, one per line."""
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_meetings: Mapped[int | None] = mapped_column()
    """Most meetings per participant; None: no limit beyond the slots."""
    max_pending_requests: Mapped[int | None] = mapped_column()
    """Most requests a participant may have waiting for an answer at once."""
    cancellation_cutoff: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Until then participants may cancel a published meeting; organisers always can."""
    schedule_state: Mapped[Publication] = mapped_column(
        state_type(Publication, "schedule_state"), default=Publication.UNPUBLISHED
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    privacy_note: Mapped[str] = mapped_column(Text, default="")
    """What registrants consent to; empty: DEFAULT_PRIVACY_NOTE."""
    contact_visibility: Mapped[str] = mapped_column(String(20), default="meeting")
    """Who sees participants' email addresses: a key of CONTACT_VISIBILITY."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list[Session]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Session.day, Session.start"
    )
    slots: Mapped[list[Slot]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Slot.start"
    )
    tables: Mapped[list[Table]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Table.position"
    )

    @validates("schedule_state")
    def _known_state(self, key: str, value: str) -> Publication:
        return Publication(value)

    @property
    def is_published(self) -> bool:
        """Participants see the schedule (preliminary or final)."""
        return self.schedule_state != Publication.UNPUBLISHED

    @property
    def is_preliminary(self) -> bool:
        return self.schedule_state == Publication.PRELIMINARY

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def topics(self) -> list[str]:
        return [t.strip() for t in self.topics_text.splitlines() if t.strip()]

    @property
    def privacy_text(self) -> str:
        return self.privacy_note.strip() or DEFAULT_PRIVACY_NOTE

    @property
    def days(self) -> list[date]:
        return sorted({s.day for s in self.sessions})

    def local(self, instant: datetime) -> datetime:
        """An instant in the event's timezone, for display."""
        return instant.astimezone(self.tz)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class Session(db.Model):
    """A day's meeting window in the event's local time, e.g. 09:00-12:30."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    day: Mapped[date] = mapped_column()
    start: Mapped[time] = mapped_column()
    end: Mapped[time] = mapped_column()

    event: Mapped[Event] = relationship(back_populates="sessions")
    slots: Mapped[list[Slot]] = relationship(back_populates="session", order_by="Slot.start")


class Slot(db.Model):
    __table_args__ = (UniqueConstraint("event_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.id"), index=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    external_ref: Mapped[str | None] = mapped_column(String(100))
    """The id this slot had in an imported problem file."""

    event: Mapped[Event] = relationship(back_populates="slots")
    session: Mapped[Session | None] = relationship(back_populates="slots")

    @property
    def ref(self) -> str:
        return self.external_ref or f"s{self.id}"


class Table(db.Model):
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    seats: Mapped[int | None] = mapped_column()
    hidden: Mapped[bool] = mapped_column(default=False)
    """Hidden tables are kept (and keep their meetings) but get no new ones."""
    position: Mapped[int] = mapped_column(default=0)
    external_ref: Mapped[str | None] = mapped_column(String(100))

    event: Mapped[Event] = relationship(back_populates="tables")

    @property
    def ref(self) -> str:
        return self.external_ref or self.name

    @property
    def label(self) -> str:
        return table_label(self.name)


def table_label(name: str) -> str:
    """How people read a table's name: a bare number or code ("12", "T01") becomes "Table
    12"; a name that says what it is ("Booth A", "Table 3", "Lounge") is shown as it is."""
    name = name.strip()
    is_code = " " not in name and any(c.isdigit() for c in name)
    return f"Table {name}" if is_code and not name.lower().startswith("table") else name
