"""The links of a whole event's rows, one query each: who is in which meeting, which slots a
meeting may take, which slots a person cannot attend. For exports that read an event at once
(its scheduling problem, its backup) rather than row by row; `only` (meeting or participant ids)
keeps the links of part of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import Select, select

from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting, meeting_allowed_slot, meeting_participant
from partnering.registrations.models import Participant, unavailable_slot


def members_by_meeting(event: Event, only: Collection[int] | None = None) -> dict[int, list[int]]:
    query = (
        select(meeting_participant.c.meeting_id, meeting_participant.c.participant_id)
        .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
        .where(Meeting.event_id == event.id)
    )
    if only is not None:
        query = query.where(meeting_participant.c.meeting_id.in_(only))
    return _grouped(query)


def allowed_slots_by_meeting(
    event: Event, only: Collection[int] | None = None
) -> dict[int, list[int]]:
    query = (
        select(meeting_allowed_slot.c.meeting_id, meeting_allowed_slot.c.slot_id)
        .join(Meeting, Meeting.id == meeting_allowed_slot.c.meeting_id)
        .where(Meeting.event_id == event.id)
    )
    if only is not None:
        query = query.where(meeting_allowed_slot.c.meeting_id.in_(only))
    return _grouped(query)


def unavailable_slots_by_participant(
    event: Event, only: Collection[int] | None = None
) -> dict[int, list[int]]:
    query = (
        select(unavailable_slot.c.participant_id, unavailable_slot.c.slot_id)
        .join(Participant, Participant.id == unavailable_slot.c.participant_id)
        .where(Participant.event_id == event.id)
    )
    if only is not None:
        query = query.where(unavailable_slot.c.participant_id.in_(only))
    return _grouped(query)


def _grouped(query: Select) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for key, value in db.session.execute(query):
        out[key].append(value)
    return out
