"""A run's changes against the current schedule as the organiser reads them: grouped by kind
of change (moved, newly placed, removed), by person or by time, and sorted by time or by name,
so that 800 changes read as a list of short lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from partnering.events.models import Event
from partnering.scheduling.review import Diff, Move

GROUPINGS = {"change": "kind of change", "person": "person", "time": "time"}
SORTS = {"time": "time", "name": "name"}
KINDS = (("moved", "Moved"), ("added", "Newly placed"), ("removed", "Removed from the schedule"))


@dataclass(frozen=True)
class Change:
    kind: str
    """"moved", "added" or "removed"."""
    move: Move

    @property
    def label(self) -> str:
        return dict(KINDS)[self.kind]

    @property
    def when(self) -> datetime:
        """Where it will be, or for a removed meeting where it was."""
        place = self.move.after or self.move.before
        return place[0].start if place is not None else datetime.max

    @property
    def names(self) -> str:
        return " & ".join(p.name for p in self.move.meeting.participants)


@dataclass(frozen=True)
class ChangeGroup:
    title: str
    changes: list[Change]


def group_changes(
    event: Event, diff: Diff, by: str = "change", sort: str = "time"
) -> list[ChangeGroup]:
    """The diff's changes in groups (by `GROUPINGS`), each sorted (by `SORTS`); unknown values
    fall back to the defaults."""
    changes = [
        Change(kind, move)
        for kind, moves in (("moved", diff.moved), ("added", diff.added), ("removed", diff.removed))
        for move in moves
    ]
    if sort == "name":
        changes.sort(key=lambda c: (c.names.casefold(), c.when))
    else:
        changes.sort(key=lambda c: (c.when, c.names.casefold()))
    groups: dict[str, list[Change]] = {}
    if by == "person":
        for change in changes:
            for person in change.move.meeting.participants:
                groups.setdefault(person.name, []).append(change)
        order = sorted(groups, key=str.casefold)
    elif by == "time":
        for change in changes:
            groups.setdefault(_slot_title(event, change), []).append(change)
        order = sorted(groups, key=lambda title: groups[title][0].when)
    else:
        for change in changes:
            groups.setdefault(change.label, []).append(change)
        order = [label for _, label in KINDS if label in groups]
    return [ChangeGroup(title, groups[title]) for title in order]


def _slot_title(event: Event, change: Change) -> str:
    place = change.move.after or change.move.before
    if place is None:
        return "No time"
    return event.local(place[0].start).strftime("%a %d %b %H:%M")
