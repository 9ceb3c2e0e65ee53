"""Which steps between two adjacent slots can keep their table.

A person steps from their meeting j in one slot to their meeting i in the next; the step keeps
its table when i sits where j sat. A meeting hands its table to at most one meeting of the next
slot and takes it from at most one meeting of the slot before, so the steps that keep their
table form a matching between the two slots' meetings, weighted by the people who step (as in
table_bound.py, there for every pair of slots). The reordering of agendas (table_order.py)
asks for one of the largest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def handovers(
    members: Sequence[Sequence[int]],
    options: Sequence[frozenset[str]],
    first: Iterable[int],
    next_meeting: Mapping[int, int] | Sequence[Mapping[int, int]],
    second_slot: int,
) -> tuple[dict[int, int], int]:
    """A large matching of the meetings `first` of one slot to meetings of `second_slot`: the
    meeting of the second slot -> the meeting whose table it takes, and the people who keep
    their table that way. `next_meeting[p]` maps slots to p's meeting there; meetings that
    share no allowed table (`options`) never hand over. Grown by augmenting paths, steps of
    more people first: exact when every step is one person, close otherwise."""
    links: dict[int, dict[int, int]] = {}
    for j in first:
        out: dict[int, int] = {}
        for p in members[j]:
            i = next_meeting[p].get(second_slot)
            if i is not None and not options[j].isdisjoint(options[i]):
                out[i] = out.get(i, 0) + 1
        if out:
            links[j] = out
    taken_by: dict[int, int] = {}

    def augment(j: int, seen: set[int]) -> bool:
        for i in sorted(links[j], key=lambda i: -links[j][i]):
            if i in seen:
                continue
            seen.add(i)
            if i not in taken_by or augment(taken_by[i], seen):
                taken_by[i] = j
                return True
        return False

    for j in sorted(links, key=lambda j: -max(links[j].values())):
        augment(j, set())
    return taken_by, sum(links[j][i] for i, j in taken_by.items())
