"""Who of the people without a meeting one change would serve without lowering the priority
sum: an outside check of FORMATS.md's fairness ("nobody who has an agreed meeting is left with
none when that can be avoided"), with priority ranked first.

The changes tried are one of that person's meetings put into a slot all its participants can
attend, either as it is (a free table, nobody busy, nobody at their limit), or in place of
one scheduled meeting that is not fixed, has no higher priority, and whose participants all
keep another meeting (otherwise the change only moves the unfairness). That meeting may be
the one a participant is busy with in that slot, the one a participant at their limit gives up,
or the one on the table it takes. Chains of several changes are not tried, so a person this
finds nothing for may still be servable; one it names certainly is.

Plain Python over a schedule, like `scheduler.metrics`; it shares nothing with the solver.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from scheduler.problem import Assignment, Meeting, Problem, Table


def servable(
    problem: Problem, assignments: Iterable[Assignment], people: Iterable[str]
) -> tuple[str, ...]:
    """Those of `people` (who have no scheduled meeting) one such change would serve."""
    placed = {a.meeting: a for a in assignments}
    world = _World(problem, placed)
    return tuple(
        p
        for p in people
        if any(
            world.fits(problem.meeting_by_id[m]) for m in problem.meetings_of[p] if m not in placed
        )
    )


class _World:
    def __init__(self, problem: Problem, placed: Mapping[str, Assignment]) -> None:
        self.problem = problem
        self.placed = placed
        self.busy: dict[tuple[str, str], str] = {}  # (person, slot) -> meeting id
        self.count: Counter[str] = Counter()
        self.at_table: dict[tuple[str, str], str] = {}  # (slot, table) -> meeting id
        for mid, a in placed.items():
            self.at_table[(a.slot, a.table)] = mid
            for p in problem.meeting_by_id[mid].participants:
                self.busy[(p, a.slot)] = mid
                self.count[p] += 1

    def fits(self, meeting: Meeting) -> bool:
        return any(self._fits_at(meeting, s) for s in self.problem.possible_slots(meeting))

    def _fits_at(self, meeting: Meeting, slot: str) -> bool:
        problem = self.problem
        people = meeting.participants
        in_the_way = {self.busy[(p, slot)] for p in people if (p, slot) in self.busy}
        full = [p for p in people if self._at_limit(p)]
        if len(in_the_way) > 1:
            return False
        tables = [t for t in problem.tables if _may_use(problem, meeting, t)]
        if in_the_way:
            (out,) = in_the_way
            return (
                all(p in problem.meeting_by_id[out].participants for p in full)
                and self._may_give_up(out, meeting)
                and self._table_left(tables, slot, out)
            )
        if not full:
            if self._table_left(tables, slot, None):
                return True
            # A table is freed by taking out the meeting on it.
            return any(
                self._may_give_up(self.at_table[(slot, t.id)], meeting)
                for t in tables
                if (slot, t.id) in self.at_table
            )
        # Someone at their limit gives up one of their meetings, which must be everyone's
        # at their limit, and a table must be left (or be that meeting's, in this slot).
        options = set.intersection(
            *({m for m in problem.meetings_of[p] if m in self.placed} for p in full)
        )
        return any(
            self._may_give_up(out, meeting) and self._table_left(tables, slot, out)
            for out in options
        )

    def _at_limit(self, person: str) -> bool:
        limit = self.problem.participant_by_id[person].max_meetings
        return limit is not None and self.count[person] >= limit

    def _may_give_up(self, out: str, instead: Meeting) -> bool:
        given = self.problem.meeting_by_id[out]
        return (
            given.fixed is None
            and given.priority <= instead.priority
            and all(self.count[p] >= 2 for p in given.participants if p not in instead.participants)
        )

    def _table_left(self, tables: list[Table], slot: str, freed: str | None) -> bool:
        return any(self.at_table.get((slot, t.id), freed) == freed for t in tables)


def _may_use(problem: Problem, meeting: Meeting, table: Table) -> bool:
    """Booth meetings at one of their booths, the others at a general table; enough seats."""
    people = [problem.participant_by_id[p] for p in meeting.participants]
    booths = {p.booth for p in people if p.booth}
    where = table.id in booths if booths else table.id not in problem.booth_tables
    return where and (table.seats is None or table.seats >= len(people))
