"""The links of a whole event's rows, one query each: who is in which meeting, which slots a
meeting may take, which slots a person cannot attend. For exports that read an event at once
(its scheduling problem, its backup) rather than row by row."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, select

from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting, meeting_allowed_slot, meeting_participant
from partnering.registrations.models import Participant, unavailable_slot


def members_by_meeting(event: Event) -> dict[int, list[int]]:
    return _grouped(
        select(meeting_participant.c.meeting_id, meeting_participant.c.participant_id)
        .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
        .where(Meeting.event_id == event.id)
    )


def allowed_slots_by_meeting(event: Event) -> dict[int, list[int]]:
    return _grouped(
        select(meeting_allowed_slot.c.meeting_id, meeting_allowed_slot.c.slot_id)
        .join(Meeting, Meeting.id == meeting_allowed_slot.c.meeting_id)
        .where(Meeting.event_id == event.id)
    )


def unavailable_slots_by_participant(event: Event) -> dict[int, list[int]]:
    return _grouped(
        select(unavailable_slot.c.participant_id, unavailable_slot.c.slot_id)
        .join(Participant, Participant.id == unavailable_slot.c.participant_id)
        .where(Participant.event_id == event.id)
    )


def _grouped(query: Select) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for key, value in db.session.execute(query):
        out[key].append(value)
    return out
