"""Why a meeting was left out of a schedule, in words an organiser can act on.

For each unscheduled meeting, `reasons` names the first obstacle among: nobody shares an
available slot, the meeting's allowed slots exclude them, a participant is full, no suitable
table is free when everybody is, or the participants are never free together. Where one change
would let the meeting in (one more table, a raised limit, one participant freeing one slot),
the reason carries that `Change`, and its text says so. `explain` gives the texts alone.

Everything per slot and per person is computed once (slot sets as bit masks), so explaining
tens of thousands of meetings stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from scheduler.problem import Meeting, Problem

Placement = Mapping[str, tuple[str, str]]
"""Scheduled meeting id -> (slot id, table id)."""


@dataclass(frozen=True)
class Change:
    """One change after which the meeting fits at `slot` (at `table`, when one exists)."""

    kind: str
    """'add-table': one more table (for the meeting's size) at the slot;
    'raise-limit': `participant` accepts one more meeting;
    'free-slot': `participant` gives up `meeting`, which holds the slot now;
    'free-booth': the booth's other `meeting` moves;
    'fits': nothing needs to change."""
    slot: str
    table: str | None = None
    participant: str | None = None
    meeting: str | None = None


@dataclass(frozen=True)
class Reason:
    text: str
    change: Change | None = None
    obstacle: str = ""
    """What stands in the way, for those who suggest a remedy where `change` is None:
    'no-common-slot', 'not-allowed', 'full', 'never-free', 'booth-too-small', 'booth-taken',
    'tables', or '' (nothing: it fits)."""


def explain(
    problem: Problem, placement: Placement, only: Iterable[str] | None = None
) -> dict[str, str]:
    """A reason for every meeting of `problem` that `placement` leaves out (of those in
    `only`, when given: one person's page needs no reasons for the whole event)."""
    return {mid: reason.text for mid, reason in reasons(problem, placement, only).items()}


def reasons(
    problem: Problem, placement: Placement, only: Iterable[str] | None = None
) -> dict[str, Reason]:
    """Like `explain`, with the change that would let each meeting in, where there is one."""
    occupancy = _Occupancy(problem, placement)
    wanted = None if only is None else set(only)
    return {
        m.id: occupancy.reason(m)
        for m in problem.meetings
        if m.id not in placement and (wanted is None or m.id in wanted)
    }


def without_meeting(
    problem: Problem, scheduled: Iterable[str], why: Mapping[str, str], shown: int = 3
) -> dict[str, str]:
    """Why each participant with an agreed meeting has none in the schedule: the reasons of
    their meetings (`why`, per meeting left out), the first `shown` of them."""
    placed = set(scheduled)
    out = {}
    for pid, mids in problem.meetings_of.items():
        if not mids or any(m in placed for m in mids):
            continue
        listed = "; ".join(f"{m}: {why.get(m, 'not placed')}" for m in mids[:shown])
        more = f"; and {len(mids) - shown} more" if len(mids) > shown else ""
        if len(mids) == 1:
            out[pid] = f"their agreed meeting could not be placed ({listed})"
        else:
            out[pid] = f"none of their {len(mids)} agreed meetings could be placed ({listed}{more})"
    return out


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
        self.placement = placement
        self.table_of = {meeting_id: table for meeting_id, (_, table) in placement.items()}
        for meeting_id, (slot, table) in placement.items():
            for person in problem.meeting_by_id[meeting_id].participants:
                self.busy.setdefault(person, {})[slot] = meeting_id
            self.taken[slot].add(table)
        self.slot_ids = [s.id for s in problem.slots]
        index = problem.slot_index
        self.available = {p.id: _mask(index[s] for s in p.available) for p in problem.participants}
        self.busy_mask = {
            person: _mask(index[s] for s in slots) for person, slots in self.busy.items()
        }
        # Per slot, the free ordinary (non-booth) tables, smallest first; a meeting fits in a
        # slot iff the last of them seats it.
        ordinary = sorted(
            (t for t in problem.tables if t.id not in problem.booth_tables),
            key=lambda t: _seats(t.seats),
        )
        self.free_ordinary = {
            slot: [t for t in ordinary if t.id not in taken] for slot, taken in self.taken.items()
        }
        self.largest_free = {
            slot: _seats(free[-1].seats) if free else 0 for slot, free in self.free_ordinary.items()
        }

    def reason(self, meeting: Meeting) -> Reason:
        problem = self.problem
        people = list(meeting.participants)
        who = people_label(people)
        in_common = -1
        for p in people:
            in_common &= self.available[p]
        if not in_common:
            return Reason(f"{who} share no available slot", obstacle="no-common-slot")
        possible = in_common
        if meeting.allowed_slots is not None:
            possible &= _mask(problem.slot_index[s] for s in meeting.allowed_slots)
        if not possible:
            return Reason(
                f"not allowed in any slot {'both' if len(people) == 2 else 'all'} can attend",
                obstacle="not-allowed",
            )

        busy = 0
        for p in people:
            busy |= self.busy_mask.get(p, 0)
        free_together = self._slots(possible & ~busy)
        fitting = next(
            ((s, t) for s in free_together if (t := self._free_table(meeting, s)) is not None),
            None,
        )
        full = [p for p in people if self._is_full(p)]
        if full:
            text = "; ".join(
                f"{p} is full ({len(self._busy(p))} of "
                f"{problem.participant_by_id[p].max_meetings} meetings)"
                for p in full
            )
            if len(full) == 1 and fitting is not None:
                slot, table = fitting
                return Reason(
                    f"{text}; raising {full[0]}'s limit by one would let it in at "
                    f"{slot_label(problem, slot)}",
                    Change("raise-limit", slot, table, participant=full[0]),
                    "full",
                )
            return Reason(text, obstacle="full")
        if fitting is not None:
            # Nothing stands in the way: the schedule simply did not take it.
            slot, table = fitting
            return Reason(
                f"left out, though {', '.join(people)} and a table are free at "
                f"{slot_label(problem, slot)}",
                Change("fits", slot, table),
            )
        if free_together:
            return self._table_shortage(meeting, free_together[0], who)
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

    def _never_free_together(self, meeting: Meeting, possible: list[str], who: str) -> Reason:
        """The first slot where a single participant giving up a single meeting would let it
        in (that meeting's table is freed as well)."""
        problem = self.problem
        for slot in possible:
            blockers = [
                (p, self._busy(p)[slot]) for p in meeting.participants if slot in self._busy(p)
            ]
            if len(blockers) != 1:
                continue
            person, other_id = blockers[0]
            if problem.meeting_by_id[other_id].fixed is not None:
                continue  # published: not something to suggest moving
            table = self._free_table(meeting, slot, also_free=self.table_of[other_id])
            if table is None:
                continue
            partners = [p for p in problem.meeting_by_id[other_id].participants if p != person]
            return Reason(
                f"{who} are never free at the same time: {person} freeing "
                f"{slot_label(problem, slot)} (now: meeting {other_id} with "
                f"{people_label(partners)}) would let it in",
                Change("free-slot", slot, table, participant=person, meeting=other_id),
                "never-free",
            )
        return Reason(
            f"{who} are never free at the same time in the {len(possible)} "
            f"slot{'s' if len(possible) != 1 else ''} they can all attend",
            obstacle="never-free",
        )

    # --- tables ---

    def _booths(self, meeting: Meeting) -> list[str]:
        people = self.problem.participant_by_id
        return sorted({people[p].booth for p in meeting.participants if people[p].booth})

    def _free_table(self, meeting: Meeting, slot: str, also_free: str | None = None) -> str | None:
        """A table the meeting may use at `slot`, counting `also_free` as free."""
        size = len(meeting.participants)
        booths = self._booths(meeting)
        if booths:
            taken = self.taken[slot]
            return next(
                (b for b in booths if (b not in taken or b == also_free) and self._fits(b, size)),
                None,
            )
        if self.largest_free[slot] >= size:
            return next(t.id for t in self.free_ordinary[slot] if _seats(t.seats) >= size)
        if also_free is not None and also_free not in self.problem.booth_tables:
            return also_free if self._fits(also_free, size) else None
        return None

    def _fits(self, table: str, size: int) -> bool:
        return _seats(self.problem.table_by_id[table].seats) >= size

    def _table_shortage(self, meeting: Meeting, slot: str, who: str) -> Reason:
        """Everybody is free at `slot` but no table they may use is."""
        when = slot_label(self.problem, slot)
        size = len(meeting.participants)
        booths = self._booths(meeting)
        if booths:
            named = " and ".join(booths)
            fitting = [b for b in booths if self._fits(b, size)]
            if not fitting:
                return Reason(
                    f"{who} are free at {when} but booth {named} seats fewer than {size}; "
                    f"a booth table for {size} would let it in",
                    obstacle="booth-too-small",
                )
            movable = sorted(
                m
                for m, (at, table) in self.placement.items()
                if at == slot and table in fitting and self.problem.meeting_by_id[m].fixed is None
            )
            if not movable:
                return Reason(
                    f"{who} are free at {when} but booth {named} is taken", obstacle="booth-taken"
                )
            return Reason(
                f"{who} are free at {when} but booth {named} is taken (meeting {movable[0]}); "
                f"moving that meeting would let it in",
                Change("free-booth", slot, self.table_of[movable[0]], meeting=movable[0]),
                "booth-taken",
            )
        if self.largest_free[slot] > 0:
            shortage, remedy = f"no free table seats {size}", f"one more table for {size}"
        else:
            shortage, remedy = "every table is taken", "one more table"
        return Reason(
            f"{who} are free at {when} but {shortage}; {remedy} at {when} would let it in",
            Change("add-table", slot),
            "tables",
        )


def _seats(seats: int | None) -> float:
    return float("inf") if seats is None else seats


def _mask(indices: Iterable[int]) -> int:
    mask = 0
    for i in indices:
        mask |= 1 << i
    return mask
