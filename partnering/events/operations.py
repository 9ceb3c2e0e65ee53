"""Writes on events: creation, sessions and the slots generated from them, tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from partnering.events.models import Event, Session, Slot, Table
from partnering.extensions import db


@dataclass(frozen=True)
class SessionSpec:
    day: date
    start: time
    end: time


def slot_times(event: Event, spec: SessionSpec) -> list[tuple[datetime, datetime]]:
    """The slots that fit in a session, as aware instants; a remainder shorter than a slot
    is left unused."""
    length = timedelta(minutes=event.slot_minutes)
    start = datetime.combine(spec.day, spec.start, tzinfo=event.tz)
    end = datetime.combine(spec.day, spec.end, tzinfo=event.tz)
    out = []
    while start + length <= end:
        out.append((start, start + length))
        start += length
    return out


def create_event(*, slug: str, name: str, timezone: str = "UTC", **fields) -> Event:
    """A new event (not committed)."""
    event = Event(slug=slug, name=name, timezone=timezone, **fields)
    db.session.add(event)
    db.session.flush()
    return event


def add_sessions(event: Event, specs: Iterable[SessionSpec]) -> list[Slot]:
    """Add meeting sessions and generate their slots (not committed)."""
    created = []
    for spec in specs:
        session = Session(event=event, day=spec.day, start=spec.start, end=spec.end)
        db.session.add(session)
        for start, end in slot_times(event, spec):
            slot = Slot(event=event, session=session, start=start, end=end)
            db.session.add(slot)
            created.append(slot)
    db.session.flush()
    return created


def add_tables(
    event: Event, count: int, *, seats: int | None = None, prefix: str = "T"
) -> list[Table]:
    """Numbered tables after the existing ones (not committed)."""
    first = len(event.tables) + 1
    tables = [
        Table(event=event, name=f"{prefix}{n:02d}", seats=seats, position=n)
        for n in range(first, first + count)
    ]
    db.session.add_all(tables)
    db.session.flush()
    return tables
