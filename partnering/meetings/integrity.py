"""Derived columns that let the database itself refuse duplicates and double-bookings.

- `meeting.participants_key`: the participants' ids, sorted. A partial unique index allows one
  active meeting per set of people in an event. The only exception is a problem file that asks
  for the same people to meet again (a follow-up meeting): its n-th repeat is keyed `ids#n`.
- `meeting_participant.slot_id`: the meeting's slot while it is active. A unique index on
  (participant_id, slot_id) puts nobody in two meetings at the same time.

A flush hook keeps both in step with every ORM write, in the same transaction, so a write that
would break a rule fails with an IntegrityError and leaves nothing behind. Bulk Core writes set
them themselves with `participants_key` and `slot_of_members`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from itertools import chain

from flask import Flask
from sqlalchemy import bindparam, event, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from partnering.meetings.models import Meeting, meeting_participant

_PLACE = ("slot", "slot_id", "status", "participants")


def participants_key(participant_ids: Iterable[int], repeat: str = "") -> str:
    key = ",".join(str(i) for i in sorted(participant_ids))
    return f"{key}#{repeat}" if repeat else key


def _repeat(key: str | None) -> str:
    return (key or "").partition("#")[2]


def slot_of_members(meeting: Meeting) -> int | None:
    """The slot the meeting's participants are held in: none once it is cancelled."""
    return meeting.slot_id if meeting.is_active else None


def _changed(meeting: Meeting, new: Collection[object], names: Iterable[str]) -> bool:
    if meeting in new:
        return True
    attrs = inspect(meeting).attrs
    return any(attrs[name].history.has_changes() for name in names)


def keep_derived_columns(session: Session, flush_context) -> None:
    new = session.new  # a fresh set at each access: once per flush, not once per meeting
    meetings = [m for m in chain(new, session.dirty) if isinstance(m, Meeting)]
    regrouped = [m for m in meetings if _changed(m, new, ["participants"])]
    moved = [m for m in meetings if _changed(m, new, _PLACE)]
    connection = session.connection() if moved else None
    if regrouped:
        keys = {
            m: participants_key((p.id for p in m.participants), _repeat(m.participants_key))
            for m in regrouped
        }
        table = Meeting.__table__
        connection.execute(
            update(table)
            .where(table.c.id == bindparam("meeting"))
            # A derived column is no change of the meeting: updated_at (the calendars'
            # LAST-MODIFIED, kept by a restored event) stays, instead of its onupdate.
            .values(participants_key=bindparam("key"), updated_at=table.c.updated_at),
            [{"meeting": m.id, "key": key} for m, key in keys.items()],
        )
        for m, key in keys.items():
            set_committed_value(m, "participants_key", key)  # written behind the ORM's back
    if moved:
        connection.execute(
            update(meeting_participant)
            .where(meeting_participant.c.meeting_id == bindparam("meeting"))
            .values(slot_id=bindparam("slot")),
            [{"meeting": m.id, "slot": slot_of_members(m)} for m in moved],
        )


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_flush", keep_derived_columns):
        event.listen(Session, "after_flush", keep_derived_columns)
