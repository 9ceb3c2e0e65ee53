"""The two documents of FORMATS.md as frozen dataclasses.

`Problem` is everything the solver knows about an event; `Schedule` is what it decided.
Their JSON form is read and written by `scheduler.problem_json`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo


class FormatError(ValueError):
    """A document that breaks FORMATS.md; the message names the item."""


@dataclass(frozen=True)
class Slot:
    id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Table:
    id: str
    seats: int | None = None


@dataclass(frozen=True)
class Participant:
    id: str
    available: frozenset[str]
    """Slot ids this person can meet in (already resolved: all slots minus `unavailable`)."""
    organisation: str | None = None
    max_meetings: int | None = None
    booth: str | None = None


@dataclass(frozen=True)
class Fixed:
    slot: str
    table: str | None = None


@dataclass(frozen=True)
class Meeting:
    id: str
    participants: tuple[str, ...]
    priority: int = 1
    allowed_slots: frozenset[str] | None = None
    fixed: Fixed | None = None


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    tables: tuple[Table, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    name: str = ""
    timezone: str = "UTC"

    @cached_property
    def slot_by_id(self) -> dict[str, Slot]:
        return {s.id: s for s in self.slots}

    @cached_property
    def slot_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.slots)}

    @cached_property
    def table_by_id(self) -> dict[str, Table]:
        return {t.id: t for t in self.tables}

    @cached_property
    def participant_by_id(self) -> dict[str, Participant]:
        return {p.id: p for p in self.participants}

    @cached_property
    def meeting_by_id(self) -> dict[str, Meeting]:
        return {m.id: m for m in self.meetings}

    @cached_property
    def slot_day(self) -> dict[str, date]:
        """The calendar day of each slot in the event's timezone."""
        tz = ZoneInfo(self.timezone)
        return {s.id: s.start.astimezone(tz).date() for s in self.slots}

    @cached_property
    def days(self) -> tuple[tuple[str, ...], ...]:
        """Slot ids grouped by day, in order; consecutive ids within a day are adjacent."""
        groups: dict[date, list[str]] = {}
        for s in self.slots:
            groups.setdefault(self.slot_day[s.id], []).append(s.id)
        return tuple(tuple(ids) for ids in groups.values())

    @cached_property
    def booth_tables(self) -> frozenset[str]:
        return frozenset(p.booth for p in self.participants if p.booth)

    @cached_property
    def meetings_of(self) -> dict[str, tuple[str, ...]]:
        """Meeting ids of each participant."""
        out: dict[str, list[str]] = {p.id: [] for p in self.participants}
        for m in self.meetings:
            for pid in m.participants:
                out[pid].append(m.id)
        return {pid: tuple(ids) for pid, ids in out.items()}

    def meetings_among(self, meeting_ids: Iterable[str]) -> dict[str, list[str]]:
        """Meeting ids of each participant among `meeting_ids`, in their order; only people
        with one of them, in the order they first appear."""
        out: dict[str, list[str]] = {}
        for mid in meeting_ids:
            for pid in self.meeting_by_id[mid].participants:
                out.setdefault(pid, []).append(mid)
        return out

    def possible_slots(self, meeting: Meeting) -> list[str]:
        """Slots where every participant is available and the meeting is allowed, in order."""
        allowed = meeting.allowed_slots
        people = [self.participant_by_id[p] for p in meeting.participants]
        return [
            s.id
            for s in self.slots
            if (allowed is None or s.id in allowed) and all(s.id in p.available for p in people)
        ]


@dataclass(frozen=True)
class Assignment:
    meeting: str
    slot: str
    table: str


@dataclass(frozen=True)
class Unscheduled:
    meeting: str
    reason: str


@dataclass(frozen=True)
class Schedule:
    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Unscheduled, ...] = ()
    stats: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def assignment_of(self) -> dict[str, Assignment]:
        return {a.meeting: a for a in self.assignments}
