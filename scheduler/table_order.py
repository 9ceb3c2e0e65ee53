"""Fewer table changes by reordering agendas, after neighbourhood search: a meeting moves to
another slot, or two meetings of one person exchange slots, when that leaves fewer idle gaps,
or as many and fewer table changes (FORMATS.md's order), never more gaps for anyone touched
nor more moves against a previous schedule.

Which slots meetings take decides how few table changes any choice of tables can have. Every
table change is a person's step between two consecutive meetings of a day, and a meeting
hands its table on to at most one meeting of the next slot: when two people of one meeting
both meet again in the next slot, one of them changes table. The steps that keep their table
between two adjacent slots form a matching (table_links.py), so the estimate of a person's
changes is their steps (meetings of each day less one) less those a largest matching keeps.
It tracks what the table stage reaches closely, since a day's tables then run in chains.
A move recounts only the people it touches and the meetings linked by steps to theirs,
which keeps the pass incremental and pure Python. The set of meetings never changes
(priority and fairness stay), and no touched person's idle gaps nor the moves against a
previous schedule rise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from scheduler.instance import Instance
from scheduler.model import Placement
from scheduler.polish import Agendas, sweep
from scheduler.table_bound import table_options
from scheduler.table_links import handovers


class _Staying:
    """Steps between adjacent slots that can keep their table, as in table_bound.py but only
    for adjacent slots of a day: a meeting hands its table to at most one meeting of the next
    slot, and takes it from at most one of the slot before."""

    def __init__(self, inst: Instance, agendas: Agendas) -> None:
        self.inst = inst
        self.agendas = agendas
        self.options = [table_options(inst, i) for i in range(len(inst.meeting_ids))]
        self.next: list[int | None] = [None] * len(inst.slot_ids)
        for day in inst.days:
            for a, b in zip(day, day[1:], strict=False):
                self.next[a] = b
        self.by_slot: list[set[int]] = [set() for _ in inst.slot_ids]
        for i, s in agendas.slot_of.items():
            self.by_slot[s].add(i)

    def leave(self, i: int, s: int) -> None:
        self.by_slot[s].discard(i)

    def take(self, i: int, s: int) -> None:
        self.by_slot[s].add(i)

    def pairs_around(self, slots: set[int]) -> set[int]:
        """The first slots of the adjacent pairs that contain one of `slots`."""
        prev = self.inst.previous_adjacent
        return {
            a for s in slots for a in (prev[s], s) if a is not None and self.next[a] is not None
        }

    def staying(self, firsts: set[int], people: set[int] | None = None) -> int:
        """People whose step from a slot of `firsts` to the next keeps its table, at most.
        With `people`, only in the groups of meetings linked by steps to theirs: a move of
        their meetings changes no other group, so comparing these counts is enough."""
        total = 0
        for a in firsts:
            b = self.next[a]
            assert b is not None
            first = self.by_slot[a] if people is None else self._linked(a, b, people)
            total += handovers(self.inst.members, self.options, first, self.agendas.at, b)[1]
        return total

    def _linked(self, a: int, b: int, people: set[int]) -> list[int]:
        """The meetings of slot a reached from `people`'s meetings in slots a and b through
        people who step from one to the other."""
        at, members = self.agendas.at, self.inst.members
        todo = [m for p in people for m in (at[p].get(a), at[p].get(b)) if m is not None]
        seen = set(todo)
        while todo:
            m = todo.pop()
            for q in members[m]:
                for n in (at[q].get(a), at[q].get(b)):
                    if n is not None and n not in seen:
                        seen.add(n)
                        todo.append(n)
        return [m for m in seen if m in self.by_slot[a]]


def order_for_tables(
    inst: Instance,
    placement: Placement,
    previous: Mapping[int, int],
    *,
    seconds: float,
    seed: int = 0,
    tick: Callable[[], bool | None] | None = None,
) -> Placement:
    """The same meetings with fewer idle gaps or, as many, fewer estimated table changes,
    within `seconds`; fixed meetings stay. `tick` is called every TICK_SECONDS; when it
    returns True, the search stops."""
    deadline = time.monotonic() + seconds
    agendas = Agendas(inst, placement)
    staying = _Staying(inst, agendas)
    movable = [i for i in placement if inst.fixed_slot[i] is None and len(inst.candidates[i]) > 1]

    def moved(i: int, s: int) -> int:
        return int(i in previous and previous[i] != s)

    def gaps(people: set[int], days: set[int]) -> list[int]:
        return [sum(agendas.day_gaps(p, d) for d in days) for p in people]

    def changes(people: set[int], days: set[int], pairs: set[int]) -> int:
        """Steps of `people` on `days` less those that can keep their table."""
        steps = 0
        for p in people:
            taken = agendas.at[p]
            for d in days:
                steps += max(0, sum(1 for s in inst.days[d] if s in taken) - 1)
        return steps - staying.staying(pairs, people)

    def place(moves: list[tuple[int, int]]) -> None:
        """Move every (meeting, slot) of `moves`; they are known to fit together."""
        for i, _ in moves:
            staying.leave(i, agendas.leave(i))
        for i, s in moves:
            agendas.take(i, s)
            staying.take(i, s)

    def attempt(moves: list[tuple[int, int]]) -> bool:
        """Make `moves` if they fit and fewer changes are left, without a new gap or move."""
        back = [(i, agendas.slot_of[i]) for i, _ in moves]
        if sum(moved(i, s) for i, s in moves) > sum(moved(i, s) for i, s in back):
            return False
        people = {p for i, _ in moves for p in inst.members[i]}
        days = {inst.day_of[s] for _, s in moves} | {inst.day_of[s] for _, s in back}
        gaps_before = gaps(people, days)
        for i, _ in moves:
            agendas.leave(i)
        fit = all(agendas.fits(i, s) for i, s in moves)
        for i, s in back:
            agendas.take(i, s)
        if not fit:
            return False
        # Idle gaps first: they rule most moves out, and cost less to count than changes.
        place(moves)
        gaps_after = gaps(people, days)
        if any(a > b for a, b in zip(gaps_after, gaps_before, strict=True)):
            place(back)
            return False
        if sum(gaps_after) < sum(gaps_before):
            return True  # fewer idle gaps come first in FORMATS.md's order
        pairs = staying.pairs_around({s for _, s in moves} | {s for _, s in back})
        after = changes(people, days, pairs)
        place(back)
        if after < changes(people, days, pairs):
            place(moves)
            return True
        return False

    def try_move(i: int, s: int) -> bool:
        return agendas.fits(i, s) and attempt([(i, s)])

    def try_swap(i: int, j: int) -> bool:
        si, sj = agendas.slot_of[i], agendas.slot_of[j]
        if si == sj or sj not in inst.candidates[i] or si not in inst.candidates[j]:
            return False
        if not (agendas.fits(i, sj, ignoring=(i, j)) and agendas.fits(j, si, ignoring=(i, j))):
            return False
        return attempt([(i, sj), (j, si)])

    def improve(i: int) -> bool:
        old = agendas.slot_of[i]
        for s in inst.candidates[i]:
            if s != old and try_move(i, s):
                return True
        for p in inst.members[i]:
            for j in list(agendas.at[p].values()):
                if j != i and inst.fixed_slot[j] is None and try_swap(i, j):
                    return True
        return False

    sweep(movable, improve, deadline=deadline, seed=seed, tick=tick)
    return agendas.slot_of
