"""Why a meeting was left out of a schedule, in words an organiser can act on.

`explain` looks at the schedule as it stands and, for each unscheduled meeting, names the first
obstacle among: nobody shares an available slot, the meeting's allowed slots exclude them, a
participant is full, no table is free when everybody is, or the participants are never free
together. Where one change would let the meeting in (one more table, a raised limit, one
participant freeing one slot), the reason says so.

Everything per slot and per person is computed once, so explaining tens of thousands of
meetings stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from scheduler.problem import Meeting, Problem

Placement = Mapping[str, tuple[str, str]]
"""Scheduled meeting id -> (slot id, table id)."""

_UNLIMITED = float("inf")


def explain(problem: Problem, placement: Placement) -> dict[str, str]:
    """A reason for every meeting of `problem` that `placement` leaves out."""
    occupancy = _Occupancy(problem, placement)
    return {m.id: occupancy.reason(m) for m in problem.meetings if m.id not in placement}


def slot_label(problem: Problem, slot_id: str) -> str:
    """'10:30 on 24 Jan' in the event's timezone."""
    start = problem.slot_by_id[slot_id].start.astimezone(ZoneInfo(problem.timezone))
    return f"{start:%H:%M} on {start.day} {start:%b}"


def people_label(people: Sequence[str]) -> str:
    """'p3', 'p3 and p9', 'p1, p2 and p3'."""
    if len(people) == 1:
        return people[0]
    return f"{', '.join(people[:-1])} and {people[-1]}"


class _Occupancy:
    """Who meets when, and which tables are taken, under one placement."""

    def __init__(self, problem: Problem, placement: Placement) -> None:
        self.problem = problem
        self.busy: dict[str, dict[str, str]] = {}  # person -> slot -> meeting id
        self.taken: dict[str, set[str]] = {s.id: set() for s in problem.slots}
        self.table_of = {meeting_id: table for meeting_id, (_, table) in placement.items()}
        for meeting_id, (slot, table) in placement.items():
            for person in problem.meeting_by_id[meeting_id].participants:
                self.busy.setdefault(person, {})[slot] = meeting_id
            self.taken[slot].add(table)
        # Slot sets as bit masks (bit i = the i-th slot): intersections stay cheap at any size.
        self.slot_ids = [s.id for s in problem.slots]
        index = problem.slot_index
        self.available = {p.id: _mask(index[s] for s in p.available) for p in problem.participants}
        self.busy_mask = {
            person: _mask(index[s] for s in slots) for person, slots in self.busy.items()
        }
        # The largest free ordinary (non-booth) table per slot decides whether a meeting of a
        # given size still fits there.
        ordinary = [t for t in problem.tables if t.id not in problem.booth_tables]
        self.largest_free: dict[str, float] = {}
        for slot, taken in self.taken.items():
            seats = [
                _UNLIMITED if t.seats is None else t.seats for t in ordinary if t.id not in taken
            ]
            self.largest_free[slot] = max(seats, default=0)

    def reason(self, meeting: Meeting) -> str:
        problem = self.problem
        people = list(meeting.participants)
        who = people_label(people)
        in_common = -1
        for p in people:
            in_common &= self.available[p]
        if not in_common:
            return f"{who} share no available slot"
        possible = in_common
        if meeting.allowed_slots is not None:
            possible &= _mask(problem.slot_index[s] for s in meeting.allowed_slots)
        if not possible:
            return f"not allowed in any slot {'both' if len(people) == 2 else 'all'} can attend"

        busy = 0
        for p in people:
            busy |= self.busy_mask.get(p, 0)
        free_together = self._slots(possible & ~busy)
        with_table = next((s for s in free_together if self._table_free(meeting, s)), None)
        full = [p for p in people if self._is_full(p)]
        if full:
            text = "; ".join(
                f"{p} is full ({len(self._busy(p))} of "
                f"{problem.participant_by_id[p].max_meetings} meetings)"
                for p in full
            )
            if len(full) == 1 and with_table is not None:
                text += (
                    f"; raising {full[0]}'s limit by one would let it in at "
                    f"{slot_label(problem, with_table)}"
                )
            return text
        if with_table is not None:
            # Nothing stands in the way: the schedule simply did not take it.
            when = slot_label(problem, with_table)
            return f"left out, though {', '.join(people)} and a table are free at {when}"
        if free_together:
            when = slot_label(problem, free_together[0])
            shortage, remedy = self._table_shortage(meeting, free_together[0])
            return f"{who} are free at {when} but {shortage}; {remedy} at {when} would let it in"
        return self._never_free_together(meeting, self._slots(possible), who)

    def _slots(self, mask: int) -> list[str]:
        """The slot ids of a mask, in chronological order."""
        out = []
        while mask:
            low = mask & -mask
            out.append(self.slot_ids[low.bit_length() - 1])
            mask ^= low
        return out

    # --- people ---

    def _busy(self, person: str) -> dict[str, str]:
        return self.busy.get(person, {})

    def _is_full(self, person: str) -> bool:
        limit = self.problem.participant_by_id[person].max_meetings
        return limit is not None and len(self._busy(person)) >= limit

    def _never_free_together(self, meeting: Meeting, possible: list[str], who: str) -> str:
        """The slot where a single participant freeing a single meeting would let it in."""
        problem = self.problem
        for slot in possible:
            blockers = [
                (p, self._busy(p)[slot]) for p in meeting.participants if slot in self._busy(p)
            ]
            if len(blockers) != 1:
                continue
            person, other_id = blockers[0]
            other = problem.meeting_by_id[other_id]
            # Moving the other meeting frees its table too, so only the table's fit matters.
            if not self._table_free(meeting, slot, also_free=self.table_of[other_id]):
                continue
            partners = [p for p in other.participants if p != person]
            return (
                f"{who} are never free at the same time: {person} freeing "
                f"{slot_label(problem, slot)} (now: meeting {other_id} with "
                f"{people_label(partners)}) would let it in"
            )
        return (
            f"{who} are never free at the same time in the {len(possible)} "
            f"slot{'s' if len(possible) != 1 else ''} they can all attend"
        )

    # --- tables ---

    def _booths(self, meeting: Meeting) -> list[str]:
        people = self.problem.participant_by_id
        return sorted({people[p].booth for p in meeting.participants if people[p].booth})

    def _table_free(self, meeting: Meeting, slot: str, also_free: str | None = None) -> bool:
        taken = self.taken[slot]
        booths = self._booths(meeting)
        size = len(meeting.participants)
        if booths:
            return any((b not in taken or b == also_free) and self._seats(b, size) for b in booths)
        if self.largest_free[slot] >= size:
            return True
        if also_free is None or also_free in self.problem.booth_tables:
            return False
        return self._seats(also_free, size)

    def _seats(self, table: str, size: int) -> bool:
        seats = self.problem.table_by_id[table].seats
        return seats is None or seats >= size

    def _table_shortage(self, meeting: Meeting, slot: str) -> tuple[str, str]:
        """What is missing at `slot`, and the one change that would provide it."""
        size = len(meeting.participants)
        booths = self._booths(meeting)
        if booths:
            named = " and ".join(booths)
            if not any(self._seats(b, size) for b in booths):
                return f"booth {named} seats fewer than {size}", f"a booth table for {size}"
            return f"booth {named} is taken", "freeing the booth"
        if self.largest_free[slot] > 0:
            return f"no free table seats {size}", f"one more table for {size}"
        return "every table is taken", "one more table"


def _mask(indices) -> int:
    mask = 0
    for i in indices:
        mask |= 1 << i
    return mask
