"""The figures that say how good a schedule is (FORMATS.md, "What makes one valid schedule
better than another"): priority, fairness, idle gaps and table changes.

Plain Python over a `Schedule`; it assumes nothing about how the schedule was made. Assignments
that name an unknown meeting or slot are ignored here (`scheduler.check` reports them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from scheduler.problem import Assignment, Meeting, Problem, Schedule
from scheduler.servable import servable


@dataclass(frozen=True)
class Figures:
    meetings_scheduled: int
    meetings_total: int
    priority_sum: int
    priority_total: int
    """The priority of every meeting of the problem: what scheduling all of them would give."""
    idle_gaps: int
    gaps_by_participant: Mapping[str, int]
    """Idle gaps of every participant with at least one scheduled meeting."""
    table_changes: int
    fewest_meetings: int | None
    """Fewest scheduled meetings of anyone with a placeable agreed meeting (one that some
    schedule could place, see `cannot_meet`); None if nobody has one."""
    without_meeting: tuple[str, ...]
    """Participants with an agreed meeting but none scheduled."""
    cannot_meet: tuple[str, ...] = ()
    """Those of `without_meeting` whom no schedule could give a meeting: they accept none, or
    none of their meetings has a slot all its participants can attend."""
    servable_without_meeting: tuple[str, ...] = ()
    """Those of `without_meeting` whom one change serves while keeping the priority sum
    (`scheduler.servable`): certainly avoidable under FORMATS.md's order."""
    scheduled_by_participant: Mapping[str, int] = field(default_factory=dict)
    """Scheduled meetings of everyone with an agreed meeting: what `fewest_meetings` and
    `without_meeting` are read from, and what a chart of meetings per participant counts."""

    @property
    def avoidably_without_meeting(self) -> tuple[str, ...]:
        """Those of `without_meeting` whom some schedule could give a meeting (judged for
        each person alone: a stricter test than FORMATS.md's, which keeps the priority sum)."""
        unavoidable = set(self.cannot_meet)
        return tuple(p for p in self.without_meeting if p not in unavoidable)

    @property
    def avoidably_without(self) -> int:
        """How many of `without_meeting` one change would serve without lowering the priority
        sum (`servable_without_meeting`)."""
        return len(self.servable_without_meeting)

    @property
    def gap_spread(self) -> int:
        """Most minus fewest idle gaps among participants with a scheduled meeting."""
        gaps = self.gaps_by_participant.values()
        return max(gaps) - min(gaps) if gaps else 0


def gaps_in_day(busy: Iterable[int]) -> int:
    """Idle gaps of one person on one day, busy at the positions `busy` of that day's slots
    (adjacent slots have consecutive positions): every maximal run of free positions between
    two busy ones counts once. The one count of idle gaps: every other count and every model
    of them agrees with it (tests/scheduler/test_gap_count.py)."""
    ordered = sorted(set(busy))
    return sum(1 for a, b in zip(ordered, ordered[1:], strict=False) if b - a > 1)


def person_gaps(busy: Iterable[tuple[int, int]]) -> int:
    """Idle gaps of one person busy at these (day, position within the day) pairs."""
    by_day: dict[int, list[int]] = {}
    for day, position in busy:
        by_day.setdefault(day, []).append(position)
    return sum(gaps_in_day(positions) for positions in by_day.values())


def idle_gaps(problem: Problem, slots_by_person: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Idle gaps of each person in `slots_by_person` (the slot ids where they meet).

    Per person and day, every maximal run of free slots between two of their meetings counts
    once. Consecutive entries of a day in `problem.days` are adjacent, so a break between two
    sessions (no slot in between) is not a gap.
    """
    position = _position_in_day(problem)
    return {
        person: person_gaps(position[sid] for sid in slot_ids)
        for person, slot_ids in slots_by_person.items()
    }


def table_changes(problem: Problem, assignments: Iterable[Assignment]) -> int:
    """Times a person moves to a different table between consecutive meetings of one day."""
    position = _position_in_day(problem)
    agenda: dict[str, list[tuple[tuple[int, int], str]]] = {}
    for a in _known(problem, assignments):
        for person in problem.meeting_by_id[a.meeting].participants:
            agenda.setdefault(person, []).append((position[a.slot], a.table))
    changes = 0
    for entries in agenda.values():
        entries.sort()
        for (when_a, table_a), (when_b, table_b) in zip(entries, entries[1:], strict=False):
            if when_a[0] == when_b[0] and table_a != table_b:
                changes += 1
    return changes


def figures(problem: Problem, schedule: Schedule) -> Figures:
    assignments = list(_known(problem, schedule.assignments))
    scheduled_ids = {a.meeting for a in assignments}
    slots_by_person: dict[str, list[str]] = {}
    for a in assignments:
        for person in problem.meeting_by_id[a.meeting].participants:
            slots_by_person.setdefault(person, []).append(a.slot)
    with_agreed = [p for p, ids in problem.meetings_of.items() if ids]
    served = {p: len(slots_by_person.get(p, ())) for p in with_agreed}
    gaps = idle_gaps(problem, slots_by_person)
    without = tuple(p for p in with_agreed if served[p] == 0)
    cannot_meet = tuple(p for p in without if not _could_meet(problem, p))
    placeable = [served[p] for p in with_agreed if served[p] or p not in cannot_meet]
    return Figures(
        meetings_scheduled=len(scheduled_ids),
        meetings_total=len(problem.meetings),
        priority_sum=sum(problem.meeting_by_id[m].priority for m in scheduled_ids),
        priority_total=sum(m.priority for m in problem.meetings),
        idle_gaps=sum(gaps.values()),
        gaps_by_participant=gaps,
        table_changes=table_changes(problem, assignments),
        fewest_meetings=min(placeable, default=None),
        without_meeting=without,
        cannot_meet=cannot_meet,
        servable_without_meeting=servable(
            problem, assignments, (p for p in without if p not in cannot_meet)
        ),
        scheduled_by_participant=served,
    )


def _could_meet(problem: Problem, person: str) -> bool:
    """Whether some schedule could give `person` one meeting (ignoring everybody else): one of
    their meetings has a slot all can attend, everyone in it accepts meetings, and a table
    they may use seats them."""
    return any(
        _could_happen(problem, problem.meeting_by_id[m]) for m in problem.meetings_of[person]
    )


def _could_happen(problem: Problem, meeting: Meeting) -> bool:
    people = [problem.participant_by_id[p] for p in meeting.participants]
    if any(p.max_meetings == 0 for p in people) or not problem.possible_slots(meeting):
        return False
    booths = {p.booth for p in people if p.booth}
    return any(
        (t.id in booths if booths else t.id not in problem.booth_tables)
        and (t.seats is None or t.seats >= len(people))
        for t in problem.tables
    )


def _position_in_day(problem: Problem) -> dict[str, tuple[int, int]]:
    """Slot id -> (day number, index within that day)."""
    return {sid: (d, i) for d, day in enumerate(problem.days) for i, sid in enumerate(day)}


def _known(problem: Problem, assignments: Iterable[Assignment]) -> Iterable[Assignment]:
    """Assignments naming a known meeting and slot, each meeting once (the first one)."""
    seen: set[str] = set()
    for a in assignments:
        if a.meeting in problem.meeting_by_id and a.slot in problem.slot_by_id:
            if a.meeting not in seen:
                seen.add(a.meeting)
                yield a
