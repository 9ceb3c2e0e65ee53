"""Serving the unserved by one change: a fast pure-Python pass for people without a meeting.

For each person who has no scheduled meeting, one of their meetings is put into a slot all its
participants can attend, either as it is (nobody busy, nobody at their limit, a table free), or
in place of one scheduled meeting that is not fixed, has no higher priority, and whose other
participants all keep another meeting. That meeting may be the one a participant is busy with
in that slot, the one a participant at their limit gives up, or one that holds the last table
of the kind needed. These are the changes the outside check `scheduler.servable` looks for.

Each change is strictly better in FORMATS.md's order: the priority sum does not drop, one more
person has a meeting and nobody loses their last one, so fairness (the leximin order of
meeting counts, which compares the number of people with at least one meeting first) rises;
idle gaps may rise, which ranks after fairness. At the BIO size this settles in a second what
neighbourhood steps (unserved.py), at a second per person, have no time for; those steps still
find the chains of several changes that this pass does not try.
"""

from __future__ import annotations

from scheduler.instance import Instance
from scheduler.model import Placement
from scheduler.polish import Agendas


class _Event(Agendas):
    """The agendas, with the meetings using each capacity per slot."""

    def __init__(self, inst: Instance, placement: Placement) -> None:
        super().__init__(inst, placement)
        self.on: list[list[set[int]]] = [[set() for _ in inst.slot_ids] for _ in inst.capacities]
        for i, s in placement.items():
            for c in inst.capacities_of[i]:
                self.on[c][s].add(i)

    def take(self, i: int, s: int) -> None:
        super().take(i, s)
        for c in self.inst.capacities_of[i]:
            self.on[c][s].add(i)

    def leave(self, i: int) -> int:
        s = super().leave(i)
        for c in self.inst.capacities_of[i]:
            self.on[c][s].discard(i)
        return s

    def count(self, p: int) -> int:
        """p's scheduled meetings: one per slot of their agenda."""
        return len(self.at[p])

    def at_limit(self, p: int) -> bool:
        limit = self.inst.max_meetings[p]
        return limit is not None and self.count(p) >= limit

    def can_take(self, i: int, s: int) -> bool:
        """Whether i fits into s as the agendas are: people free and under their limit, and
        a table of its kind left."""
        return self.fits(i, s) and not any(self.at_limit(p) for p in self.inst.members[i])

    def may_give_up(self, out: int, instead: int) -> bool:
        inst = self.inst
        return (
            inst.fixed_slot[out] is None
            and inst.priority[out] <= inst.priority[instead]
            and all(self.count(p) >= 2 for p in inst.members[out] if p not in inst.members[instead])
        )

    def in_place_of(self, i: int, s: int, out: int) -> bool:
        """Put i into s instead of `out` if that fits; whether it did."""
        if not self.may_give_up(out, i):
            return False
        was = self.slot_of[out]
        self.leave(out)
        if self.can_take(i, s):
            self.take(i, s)
            return True
        self.take(out, was)
        return False

    def serve(self, person: int) -> bool:
        """One change that gives `person` a meeting; whether one was found (and made)."""
        inst = self.inst
        for i in sorted(inst.meetings_of[person], key=lambda i: -inst.priority[i]):
            if i in self.slot_of:
                continue
            for s in inst.candidates[i]:
                if self.can_take(i, s):
                    self.take(i, s)
                    return True
                for out in self._in_the_way(i, s):
                    if self.in_place_of(i, s, out):
                        return True
        return False

    def _in_the_way(self, i: int, s: int) -> list[int]:
        """The meetings whose leaving could let i take s: the one its people are busy with
        there, else one every member at their limit has, else one holding a needed table."""
        inst = self.inst
        busy = {self.at[p][s] for p in inst.members[i] if s in self.at[p]}
        if len(busy) > 1:
            return []
        if busy:
            return list(busy)
        full = [p for p in inst.members[i] if self.at_limit(p)]
        if full:
            shared = set(self.at[full[0]].values())
            for p in full[1:]:
                shared &= set(self.at[p].values())
            return sorted(shared)
        return sorted(
            {j for c in inst.capacities_of[i] if self.room[c][s] <= 0 for j in self.on[c][s]}
        )


def serve_by_one_change(inst: Instance, placement: Placement) -> tuple[Placement, int]:
    """The placement with everyone one change serves served, and how many they are."""
    event = _Event(inst, placement)
    served = 0
    for person, meetings in enumerate(inst.meetings_of):
        if event.count(person) == 0 and any(inst.candidates[i] for i in meetings):
            served += event.serve(person)
    return event.slot_of, served
