"""An index-based view of a `Problem` for the placement stages.

Meetings are placed into slots first; tables are given per slot afterwards (tables.py). That
split is exact when every slot's table demand is bounded by the right capacities:

- general tables (not a booth): a meeting of k people needs a table with at least k seats, so
  for each size k, the meetings of size >= k in a slot are at most the free tables with seats
  >= k (a nested family, for which Hall's condition reduces to these few counts);
- booth tables: a booth meeting takes one of its participants' booths, so for every set of
  booths that some meeting may use, the meetings restricted to it are at most its size;
- a meeting fixed to a table takes that table and is taken out of the pools.

Everything is indexed by position (meeting i, slot s, participant p) so that models and
heuristics work on small ints and tuples instead of ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from scheduler.problem import Problem, Table


@dataclass(frozen=True)
class Capacity:
    """At most `per_slot[s]` of `meetings` may take slot s."""

    label: str
    meetings: tuple[int, ...]
    per_slot: tuple[int, ...]


def _fits(table: Table, size: int) -> bool:
    return table.seats is None or table.seats >= size


class Instance:
    """The problem's meetings, slots and participants as indices, with their capacities."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.slot_ids = [s.id for s in problem.slots]
        self.participant_ids = [p.id for p in problem.participants]
        self.meeting_ids = [m.id for m in problem.meetings]
        slot_at = problem.slot_index
        person_at = {pid: i for i, pid in enumerate(self.participant_ids)}

        self.members: list[tuple[int, ...]] = [
            tuple(person_at[p] for p in m.participants) for m in problem.meetings
        ]
        self.priority: list[int] = [m.priority for m in problem.meetings]
        self.fixed_slot: list[int | None] = [
            slot_at[m.fixed.slot] if m.fixed else None for m in problem.meetings
        ]
        self.fixed_table: list[str | None] = [
            m.fixed.table if m.fixed else None for m in problem.meetings
        ]
        self.max_meetings: list[int | None] = [p.max_meetings for p in problem.participants]
        self.meetings_of: list[list[int]] = [[] for _ in self.participant_ids]
        for i, people in enumerate(self.members):
            for p in people:
                self.meetings_of[p].append(i)

        self.day_of: list[int] = [0] * len(self.slot_ids)
        self.position_in_day: list[int] = [0] * len(self.slot_ids)
        self.days: list[list[int]] = []
        for d, ids in enumerate(problem.days):
            self.days.append([slot_at[s] for s in ids])
            for k, s in enumerate(ids):
                self.day_of[slot_at[s]] = d
                self.position_in_day[slot_at[s]] = k

        self.booth_options: list[tuple[str, ...] | None] = [
            self._booth_options(m.participants, len(m.participants)) for m in problem.meetings
        ]
        self.capacities: list[Capacity] = self._general_capacities() + self._booth_capacities()
        capacities_of: list[list[int]] = [[] for _ in self.meeting_ids]
        for c, cap in enumerate(self.capacities):
            for i in cap.meetings:
                capacities_of[i].append(c)
        self.capacities_of: list[tuple[int, ...]] = [tuple(cs) for cs in capacities_of]
        self.candidates: list[tuple[int, ...]] = [
            self._candidates(i) for i in range(len(self.meeting_ids))
        ]

    # --- construction ------------------------------------------------------------------------

    def _booth_options(self, people: Sequence[str], size: int) -> tuple[str, ...] | None:
        """The booths a meeting may use, or None when it takes a general table."""
        booths = {self.problem.participant_by_id[p].booth for p in people} - {None}
        if not booths:
            return None
        tables = self.problem.table_by_id
        return tuple(sorted(b for b in booths if b is not None and _fits(tables[b], size)))

    def _fixed_occupancy(self, tables: set[str]) -> list[int]:
        """Per slot, how many of `tables` meetings fixed to a table already take."""
        used = [0] * len(self.slot_ids)
        for i, table in enumerate(self.fixed_table):
            if table in tables:
                used[self.fixed_slot[i]] += 1  # type: ignore[index]
        return used

    def _pooled(self, i: int) -> bool:
        return self.fixed_table[i] is None

    def _general_capacities(self) -> list[Capacity]:
        general = [t for t in self.problem.tables if t.id not in self.problem.booth_tables]
        pooled = [
            i
            for i in range(len(self.meeting_ids))
            if self._pooled(i) and self.booth_options[i] is None
        ]
        out = []
        for k in sorted({len(self.members[i]) for i in pooled}):
            tables = {t.id for t in general if _fits(t, k)}
            used = self._fixed_occupancy(tables)
            out.append(
                Capacity(
                    label=f"tables with {k}+ seats",
                    meetings=tuple(i for i in pooled if len(self.members[i]) >= k),
                    per_slot=tuple(max(0, len(tables) - u) for u in used),
                )
            )
        return out

    def _booth_capacities(self) -> list[Capacity]:
        option_sets = {
            frozenset(opts) for i, opts in enumerate(self.booth_options) if opts and self._pooled(i)
        }
        out = []
        for booths in sorted(option_sets, key=lambda b: (len(b), sorted(b))):
            used = self._fixed_occupancy(set(booths))
            out.append(
                Capacity(
                    label="booth " + "/".join(sorted(booths)),
                    meetings=tuple(
                        i
                        for i, opts in enumerate(self.booth_options)
                        if opts and self._pooled(i) and booths.issuperset(opts)
                    ),
                    per_slot=tuple(max(0, len(booths) - u) for u in used),
                )
            )
        return out

    def _candidates(self, i: int) -> tuple[int, ...]:
        """Slots meeting i may take; a fixed meeting takes only its own."""
        if self.fixed_slot[i] is not None:
            return (self.fixed_slot[i],)
        if self.booth_options[i] == ():
            return ()  # every booth it must use is too small
        if any(self.max_meetings[p] == 0 for p in self.members[i]):
            return ()
        at = self.problem.slot_index
        slots = [at[s] for s in self.problem.possible_slots(self.problem.meetings[i])]
        caps = [self.capacities[c].per_slot for c in self.capacities_of[i]]
        return tuple(s for s in slots if all(cap[s] > 0 for cap in caps))

    # --- derived -----------------------------------------------------------------------------

    @cached_property
    def previous_adjacent(self) -> list[int | None]:
        """The slot right before each slot on the same day, if any."""
        out: list[int | None] = [None] * len(self.slot_ids)
        for day in self.days:
            for a, b in zip(day, day[1:], strict=False):
                out[b] = a
        return out

    @property
    def size(self) -> int:
        """Number of (meeting, slot) pairs: the flat placement model's variables."""
        return sum(len(c) for c in self.candidates)
