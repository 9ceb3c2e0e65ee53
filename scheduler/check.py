"""Independent validation of a schedule against FORMATS.md's eight hard rules.

Plain Python, sharing nothing with the solver's model: a schedule is trusted only once this
module accepts it. Each violation carries a rule label and the ids it concerns, so a caller
can show it next to the meetings, people, slot or table involved.

Labels: `unknown-reference`, `assigned-twice`, `missing` (rule 1); `participant-double-booked`
(2); `table-double-booked`, `tables-exhausted` (3); `unavailable`, `not-allowed-slot` (4);
`max-meetings` (5); `booth` (6); `fixed` (7); `seats` (8).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.problem import Meeting, Problem, Schedule


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    meetings: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    slot: str | None = None
    table: str | None = None

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class _Placement:
    meeting: Meeting
    slot: str
    table: str | None
    """None for a fixed meeting whose table is left to the solver."""


def check(problem: Problem, schedule: Schedule) -> list[Violation]:
    """Every hard rule the schedule breaks; an empty list means the schedule is valid."""
    violations, placements = _listing(problem, schedule)
    violations += _placement_rules(problem, placements)
    violations += _fixed_kept(problem, placements)
    return violations


def check_fixed(problem: Problem) -> list[Violation]:
    """Hard rules that the problem's fixed meetings break between themselves, so that no
    schedule can keep them all where they are."""
    fixed = [m for m in problem.meetings if m.fixed is not None]
    tables = problem.table_by_id
    violations = [
        Violation(
            "unknown-reference",
            f"meeting {m.id} is fixed to table {m.fixed.table}, which is not in the problem",
            meetings=(m.id,),
            slot=m.fixed.slot,
            table=m.fixed.table,
        )
        for m in fixed
        if m.fixed.table is not None and m.fixed.table not in tables
    ]
    placements = [
        _Placement(m, m.fixed.slot, m.fixed.table)
        for m in fixed
        if m.fixed.table is None or m.fixed.table in tables
    ]
    violations += _placement_rules(problem, placements)
    per_slot = Counter(p.slot for p in placements)
    for slot, count in per_slot.items():
        if count > len(problem.tables):
            meetings = tuple(p.meeting.id for p in placements if p.slot == slot)
            violations.append(
                Violation(
                    "tables-exhausted",
                    f"{count} meetings are fixed in slot {slot} but there are only "
                    f"{len(problem.tables)} tables",
                    meetings=meetings,
                    slot=slot,
                )
            )
    return violations


# --- rule 1: every meeting listed once, every reference known ---------------------------------


def _listing(problem: Problem, schedule: Schedule) -> tuple[list[Violation], list[_Placement]]:
    violations: list[Violation] = []
    placements: list[_Placement] = []
    listed: Counter[str] = Counter()
    for a in schedule.assignments:
        unknown = [
            f"{what} '{ref}'"
            for what, ref, known in (
                ("meeting", a.meeting, problem.meeting_by_id),
                ("slot", a.slot, problem.slot_by_id),
                ("table", a.table, problem.table_by_id),
            )
            if ref not in known
        ]
        if unknown:
            violations.append(
                Violation(
                    "unknown-reference",
                    f"assignment of {a.meeting} names unknown {', '.join(unknown)}",
                    meetings=(a.meeting,),
                    slot=a.slot,
                    table=a.table,
                )
            )
            continue
        listed[a.meeting] += 1
        if listed[a.meeting] == 1:
            placements.append(_Placement(problem.meeting_by_id[a.meeting], a.slot, a.table))
    for u in schedule.unscheduled:
        if u.meeting not in problem.meeting_by_id:
            violations.append(
                Violation(
                    "unknown-reference",
                    f"unscheduled entry names unknown meeting '{u.meeting}'",
                    meetings=(u.meeting,),
                )
            )
            continue
        listed[u.meeting] += 1
    for meeting_id, count in listed.items():
        if count > 1:
            violations.append(
                Violation(
                    "assigned-twice",
                    f"meeting {meeting_id} is listed {count} times (assignments and unscheduled)",
                    meetings=(meeting_id,),
                )
            )
    for m in problem.meetings:
        if m.id not in listed:
            violations.append(
                Violation(
                    "missing",
                    f"meeting {m.id} is neither assigned nor listed as unscheduled",
                    meetings=(m.id,),
                )
            )
    return violations, placements


# --- rules 2, 3, 4, 5, 6, 8: where the placed meetings are -----------------------------------


def _placement_rules(problem: Problem, placements: list[_Placement]) -> list[Violation]:
    return [
        *_double_booked_participants(placements),
        *_double_booked_tables(placements),
        *_availability(problem, placements),
        *_max_meetings(problem, placements),
        *_booths(problem, placements),
        *_seats(problem, placements),
    ]


def _double_booked_participants(placements: Iterable[_Placement]) -> Iterable[Violation]:
    together: dict[tuple[str, str], list[str]] = {}
    for p in placements:
        for person in p.meeting.participants:
            together.setdefault((person, p.slot), []).append(p.meeting.id)
    for (person, slot), meetings in together.items():
        if len(meetings) > 1:
            yield Violation(
                "participant-double-booked",
                f"{person} is in {len(meetings)} meetings in slot {slot}: {', '.join(meetings)}",
                meetings=tuple(meetings),
                participants=(person,),
                slot=slot,
            )


def _double_booked_tables(placements: Iterable[_Placement]) -> Iterable[Violation]:
    together: dict[tuple[str, str], list[str]] = {}
    for p in placements:
        if p.table is not None:
            together.setdefault((p.table, p.slot), []).append(p.meeting.id)
    for (table, slot), meetings in together.items():
        if len(meetings) > 1:
            yield Violation(
                "table-double-booked",
                f"table {table} holds {len(meetings)} meetings in slot {slot}: "
                f"{', '.join(meetings)}",
                meetings=tuple(meetings),
                slot=slot,
                table=table,
            )


def _availability(problem: Problem, placements: Iterable[_Placement]) -> Iterable[Violation]:
    for p in placements:
        m = p.meeting
        absent = tuple(
            person
            for person in m.participants
            if p.slot not in problem.participant_by_id[person].available
        )
        if absent:
            yield Violation(
                "unavailable",
                f"meeting {m.id} is in slot {p.slot} where {', '.join(absent)} "
                f"{'is' if len(absent) == 1 else 'are'} not available",
                meetings=(m.id,),
                participants=absent,
                slot=p.slot,
            )
        if m.allowed_slots is not None and p.slot not in m.allowed_slots:
            yield Violation(
                "not-allowed-slot",
                f"meeting {m.id} is in slot {p.slot}, which is not among its allowed slots",
                meetings=(m.id,),
                participants=m.participants,
                slot=p.slot,
            )


def _max_meetings(problem: Problem, placements: Iterable[_Placement]) -> Iterable[Violation]:
    meetings_of: dict[str, list[str]] = {}
    for p in placements:
        for person in p.meeting.participants:
            meetings_of.setdefault(person, []).append(p.meeting.id)
    for person, meetings in meetings_of.items():
        limit = problem.participant_by_id[person].max_meetings
        if limit is not None and len(meetings) > limit:
            yield Violation(
                "max-meetings",
                f"{person} has {len(meetings)} meetings but accepts at most {limit}",
                meetings=tuple(meetings),
                participants=(person,),
            )


def _booths(problem: Problem, placements: Iterable[_Placement]) -> Iterable[Violation]:
    for p in placements:
        if p.table is None:
            continue
        m = p.meeting
        booths = {
            problem.participant_by_id[person].booth
            for person in m.participants
            if problem.participant_by_id[person].booth is not None
        }
        if booths and p.table not in booths:
            yield Violation(
                "booth",
                f"meeting {m.id} is at table {p.table}, not at its booth "
                f"{' or '.join(sorted(booths))}",
                meetings=(m.id,),
                participants=m.participants,
                slot=p.slot,
                table=p.table,
            )
        elif not booths and p.table in problem.booth_tables:
            yield Violation(
                "booth",
                f"meeting {m.id} uses booth table {p.table} without its holder",
                meetings=(m.id,),
                participants=m.participants,
                slot=p.slot,
                table=p.table,
            )


def _seats(problem: Problem, placements: Iterable[_Placement]) -> Iterable[Violation]:
    for p in placements:
        if p.table is None:
            continue
        seats = problem.table_by_id[p.table].seats
        size = len(p.meeting.participants)
        if seats is not None and size > seats:
            yield Violation(
                "seats",
                f"meeting {p.meeting.id} has {size} people but table {p.table} seats {seats}",
                meetings=(p.meeting.id,),
                slot=p.slot,
                table=p.table,
            )


# --- rule 7: fixed meetings stay where they are -----------------------------------------------


def _fixed_kept(problem: Problem, placements: Iterable[_Placement]) -> Iterable[Violation]:
    placed = {p.meeting.id: p for p in placements}
    for m in problem.meetings:
        if m.fixed is None:
            continue
        p = placed.get(m.id)
        if p is None:
            yield Violation(
                "fixed",
                f"fixed meeting {m.id} is not scheduled",
                meetings=(m.id,),
                slot=m.fixed.slot,
                table=m.fixed.table,
            )
        elif p.slot != m.fixed.slot or (m.fixed.table is not None and p.table != m.fixed.table):
            where = m.fixed.slot + (f" at table {m.fixed.table}" if m.fixed.table else "")
            yield Violation(
                "fixed",
                f"fixed meeting {m.id} moved to slot {p.slot} at table {p.table}; "
                f"it is fixed to slot {where}",
                meetings=(m.id,),
                slot=p.slot,
                table=p.table,
            )
