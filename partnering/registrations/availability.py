"""A participant's availability shown as the event's sessions, each with its slots."""

from __future__ import annotations

from dataclasses import dataclass

from partnering.events.models import Event, Slot
from partnering.registrations.models import Participant


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
