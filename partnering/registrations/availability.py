"""A participant's availability shown as the event's sessions, each with its slots, and the
meetings that hold slots they untick (each to be kept or freed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.meetings.loading import meeting_details
from partnering.meetings.models import Meeting, MeetingStatus, meeting_participant
from partnering.registrations.models import Participant

DECISION_FIELD = "meeting-"
"""Form fields `meeting-<id>` carry the answer for a meeting in an unticked slot."""


class HeldSlot(StrEnum):
    """What to do with a meeting in a slot its participant is no longer available in."""

    KEEP = "keep"
    """The meeting stays; the slot stays available for it."""
    FREE = "free"
    """The meeting goes back to unscheduled; the others are told."""


DECISIONS = {decision.value for decision in HeldSlot}


@dataclass(frozen=True)
class SlotGroup:
    """The slots of one session (or of one day, for slots outside any session)."""

    key: str
    slots: list[Slot]

    @property
    def start(self):
        return self.slots[0].start

    @property
    def end(self):
        return self.slots[-1].end


def slot_groups(event: Event) -> list[SlotGroup]:
    groups: dict[str, list[Slot]] = {}
    for slot in event.slots:
        key = (
            f"session-{slot.session_id}"
            if slot.session_id is not None
            else f"day-{event.local(slot.start).date().isoformat()}"
        )
        groups.setdefault(key, []).append(slot)
    return sorted((SlotGroup(k, v) for k, v in groups.items()), key=lambda g: g.start)


def available_slot_ids(participant: Participant) -> set[int]:
    blocked = {s.id for s in participant.unavailable_slots}
    return {s.id for s in participant.event.slots if s.id not in blocked}


def chosen_slot_ids(groups: list[SlotGroup], sessions: list[str], slots: list[str]) -> set[int]:
    """The slots ticked in the form: a slot counts only when its session is ticked too, so
    unticking a session frees the whole session even without the page's script."""
    ticked_slots = {int(s) for s in slots if s.isdecimal()}
    ticked_sessions = set(sessions)
    return {
        slot.id
        for group in groups
        if group.key in ticked_sessions
        for slot in group.slots
        if slot.id in ticked_slots
    }


def meetings_held_in(participant: Participant, slot_ids: Iterable[int]) -> list[Meeting]:
    """The participant's active meetings placed in any of these slots, in time order."""
    ids = list(slot_ids)
    if not ids:
        return []
    rows = db.session.execute(
        db.select(Meeting)
        .join(meeting_participant, meeting_participant.c.meeting_id == Meeting.id)
        .where(
            meeting_participant.c.participant_id == participant.id,
            Meeting.status == MeetingStatus.ACTIVE,
            Meeting.slot_id.in_(ids),
        )
        .options(*meeting_details())
    ).scalars()
    return sorted(rows, key=lambda m: (m.slot.start, m.id))


def chosen_decisions(form: Mapping[str, str]) -> dict[int, HeldSlot]:
    """Meeting id -> keep or free, from the form's `meeting-<id>` fields; anything else is
    ignored (the operation asks again about a meeting left without a valid answer)."""
    decisions = {}
    for name, value in form.items():
        number = name.removeprefix(DECISION_FIELD)
        if name.startswith(DECISION_FIELD) and number.isdecimal() and value in DECISIONS:
            decisions[int(number)] = HeldSlot(value)
    return decisions
