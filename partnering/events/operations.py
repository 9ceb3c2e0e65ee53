"""Writes on events: creation, sessions and the slots generated from them, tables.

Edits never delete an agreed meeting's place silently: a change that would remove a slot or a
table holding an active meeting raises EventEditRefused naming those meetings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from partnering.events.models import Event, Session, Slot, Table
from partnering.extensions import db
from partnering.meetings.models import (
    Meeting,
    MeetingStatus,
    meeting_allowed_slot,
    meeting_participant,
)
from partnering.registrations.models import Participant, unavailable_slot


@dataclass(frozen=True)
class SessionSpec:
    day: date
    start: time
    end: time


def slot_times(
    event: Event, spec: SessionSpec, minutes: int | None = None
) -> list[tuple[datetime, datetime]]:
    """The slots that fit in a session (of `minutes`, by default the event's slot length), as
    aware instants in the event's time zone; a remainder shorter than a slot is left unused.

    Counted in elapsed time (in UTC): arithmetic on local times would, across a
    daylight-saving change, give slots an hour long or two slots at one instant."""
    length = timedelta(minutes=minutes or event.slot_minutes)
    tz = event.tz
    start = datetime.combine(spec.day, spec.start, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(spec.day, spec.end, tzinfo=tz).astimezone(UTC)
    out = []
    while start + length <= end:
        out.append((start.astimezone(tz), (start + length).astimezone(tz)))
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
    """Numbered tables after the existing ones (not committed); numbers whose name is already
    taken are skipped."""
    taken = {table.name for table in event.tables}
    number = len(event.tables)
    position = max((table.position for table in event.tables), default=0)
    tables: list[Table] = []
    while len(tables) < count:
        number += 1
        name = f"{prefix}{number:02d}"
        if name not in taken:
            position += 1
            tables.append(Table(event=event, name=name, seats=seats, position=position))
    db.session.add_all(tables)
    db.session.flush()
    return tables


class EventEditRefused(Exception):
    """An edit that would lose or corrupt agreed meetings; the message says which."""


@dataclass(frozen=True)
class TableEdit:
    """The wanted state of an existing table; remove=True deletes it."""

    id: int
    name: str
    seats: int | None
    hidden: bool
    remove: bool = False


def describe_meeting(meeting: Meeting) -> str:
    """A meeting as an organiser recognises it: who, when and where, in the event's time."""
    who = " & ".join(p.name for p in meeting.participants) or meeting.ref
    where = []
    if meeting.slot is not None:
        where.append(meeting.event.local(meeting.slot.start).strftime("%a %d %b %H:%M"))
    if meeting.table is not None:
        where.append(meeting.table.label)
    return f"{who} ({', '.join(where)})" if where else who


def _active_meetings_on(column, ids: Iterable[int]) -> list[Meeting]:
    ids = list(ids)
    if not ids:
        return []
    return list(
        db.session.execute(
            db.select(Meeting)
            .where(column.in_(ids), Meeting.status == MeetingStatus.ACTIVE)
            .order_by(Meeting.id)
        ).scalars()
    )


def _refuse_if_held(meetings: list[Meeting], what: str) -> None:
    if not meetings:
        return
    shown = [describe_meeting(m) for m in meetings[:10]]
    more = f" and {len(meetings) - 10} more" if len(meetings) > 10 else ""
    raise EventEditRefused(
        f"This change would remove {what} holding {len(meetings)} meeting"
        f"{'s' if len(meetings) > 1 else ''}: {'; '.join(shown)}{more}. "
        "Move or cancel these meetings first."
    )


def _wanted_slots(
    event: Event, specs: list[SessionSpec], minutes: int
) -> dict[datetime, tuple[SessionSpec, datetime]]:
    """Start instant -> (its session, end) for the slots the new sessions generate."""
    wanted = {}
    for spec in specs:
        for start, end in slot_times(event, spec, minutes):
            wanted[start.astimezone(UTC)] = (spec, end)
    return wanted


def replace_sessions(
    event: Event, specs: Iterable[SessionSpec], *, slot_minutes: int | None = None
) -> None:
    """Set the event's sessions (and slot length), regenerating its slots (not committed).

    A slot whose start still exists is kept, so the meetings, availability and allowed slots
    attached to it stay; a slot that disappears may hold no active meeting, or the whole change
    is refused before anything is written."""
    specs = sorted(set(specs), key=lambda s: (s.day, s.start))
    minutes = slot_minutes or event.slot_minutes
    wanted = _wanted_slots(event, specs, minutes)
    existing = {slot.start: slot for slot in event.slots}
    removed = [slot for start, slot in existing.items() if start not in wanted]
    _refuse_if_held(_active_meetings_on(Meeting.slot_id, [s.id for s in removed]), "slots")

    event.slot_minutes = minutes

    sessions = {(s.day, s.start, s.end): s for s in event.sessions}
    for spec in specs:
        if (spec.day, spec.start, spec.end) not in sessions:
            session = Session(event=event, day=spec.day, start=spec.start, end=spec.end)
            db.session.add(session)
            sessions[(spec.day, spec.start, spec.end)] = session
    for start, (spec, end) in wanted.items():
        session = sessions[(spec.day, spec.start, spec.end)]
        slot = existing.get(start)
        if slot is None:
            db.session.add(Slot(event=event, session=session, start=start, end=end))
        else:
            slot.session, slot.end = session, end
    _delete_slots(removed)
    wanted_keys = {(s.day, s.start, s.end) for s in specs}
    for key, session in sessions.items():
        if key not in wanted_keys:
            db.session.delete(session)
    db.session.flush()
    db.session.expire(event, ["sessions", "slots"])


def _delete_slots(slots: list[Slot]) -> None:
    """Delete slots and what points to them; cancelled meetings keep their history but lose
    the slot (SQLite does not enforce ON DELETE CASCADE, so the link rows go explicitly)."""
    ids = [slot.id for slot in slots]
    if not ids:
        return
    db.session.execute(
        db.update(Meeting).where(Meeting.slot_id.in_(ids)).values(slot_id=None),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        db.update(meeting_participant)
        .where(meeting_participant.c.slot_id.in_(ids))
        .values(slot_id=None)
    )
    db.session.execute(db.delete(unavailable_slot).where(unavailable_slot.c.slot_id.in_(ids)))
    db.session.execute(
        db.delete(meeting_allowed_slot).where(meeting_allowed_slot.c.slot_id.in_(ids))
    )
    for slot in slots:
        db.session.delete(slot)


def update_tables(
    event: Event, edits: Iterable[TableEdit], *, add: int = 0, add_seats: int | None = None
) -> list[Table]:
    """Rename, resize, hide or remove tables and add numbered ones (not committed).

    Refused, before any write, when a name repeats or a removed table holds an active meeting
    or is someone's booth."""
    edits = list(edits)
    tables = {table.id: table for table in event.tables}
    unknown = [edit.id for edit in edits if edit.id not in tables]
    if unknown:
        raise EventEditRefused(f"Unknown table ids: {unknown}.")
    removed = [tables[edit.id] for edit in edits if edit.remove]
    kept_names = [edit.name.strip() for edit in edits if not edit.remove]
    kept_names += [t.name for t in tables.values() if t.id not in {e.id for e in edits}]
    if any(not name for name in kept_names):
        raise EventEditRefused("Every table needs a name.")
    duplicates = sorted({name for name in kept_names if kept_names.count(name) > 1})
    if duplicates:
        raise EventEditRefused(f"Table names must differ: {', '.join(duplicates)} repeated.")
    removed_ids = [t.id for t in removed]
    _refuse_if_held(_active_meetings_on(Meeting.table_id, removed_ids), "tables")
    booths = _booth_holders(removed_ids)
    if booths:
        names = "; ".join(f"{p.name} at {p.booth.name}" for p in booths)
        raise EventEditRefused(f"These tables are booths: {names}. Clear the booths first.")

    for edit in edits:
        table = tables[edit.id]
        if not edit.remove:
            table.name, table.seats, table.hidden = edit.name.strip(), edit.seats, edit.hidden
    if removed_ids:
        db.session.execute(
            db.update(Meeting).where(Meeting.table_id.in_(removed_ids)).values(table_id=None),
            execution_options={"synchronize_session": False},
        )
        for table in removed:
            db.session.delete(table)
    db.session.flush()
    db.session.expire(event, ["tables"])
    return add_tables(event, add, seats=add_seats) if add else []


def _booth_holders(table_ids: list[int]) -> list[Participant]:
    if not table_ids:
        return []
    return list(
        db.session.execute(
            db.select(Participant).where(Participant.booth_table_id.in_(table_ids))
        ).scalars()
    )
