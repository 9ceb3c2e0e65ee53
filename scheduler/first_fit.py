"""A fast placement heuristic: the starting point the models improve on.

Unlike the first-come baseline (greedy.py), it places the most wanted meetings first, gives
people with few requests their chance before the heavily requested ones, and puts each meeting
next to its participants' other meetings, so the start is already dense and fair.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from scheduler.instance import Instance
from scheduler.model import Placement


def first_fit(
    inst: Instance,
    prefer: Mapping[int, int] | None = None,
    favour: Collection[int] = (),
) -> Placement:
    """Place meetings one by one into the slot that suits them best.

    Meetings in `prefer` (an earlier schedule) first get their old slot back where it still
    fits, the most wanted first. Meetings in `favour` (say, a selection known to be worth the
    most) are placed before the others.
    """
    busy: list[set[int]] = [set() for _ in inst.participant_ids]
    count = [0] * len(inst.participant_ids)
    room = [list(cap.per_slot) for cap in inst.capacities]
    placement: Placement = {}

    def fits(i: int, s: int) -> bool:
        people = inst.members[i]
        return (
            all(s not in busy[p] for p in people)
            and all(inst.max_meetings[p] is None or count[p] < inst.max_meetings[p] for p in people)
            and all(room[c][s] > 0 for c in inst.capacities_of[i])
        )

    def place(i: int, s: int) -> None:
        placement[i] = s
        for p in inst.members[i]:
            busy[p].add(s)
            count[p] += 1
        for c in inst.capacities_of[i]:
            room[c][s] -= 1

    prev = inst.previous_adjacent
    following: dict[int, int] = {a: b for b, a in enumerate(prev) if a is not None}

    def closeness(i: int, s: int) -> tuple[int, int, int]:
        """Neighbours already busy next to s, meetings already that day, then earliest."""
        day = inst.day_of[s]
        near = same_day = 0
        for p in inst.members[i]:
            for t in (prev[s], following.get(s)):
                if t is not None and t in busy[p]:
                    near += 1
            same_day += sum(1 for t in busy[p] if inst.day_of[t] == day)
        return (-near, -same_day, s)

    for i, s in enumerate(inst.fixed_slot):
        if s is not None:
            place(i, s)
    for i, s in sorted((prefer or {}).items(), key=lambda item: -inst.priority[item[0]]):
        if i not in placement and s in inst.candidates[i] and fits(i, s):
            place(i, s)

    demand = [len(ms) for ms in inst.meetings_of]
    order = sorted(
        (i for i in range(len(inst.meeting_ids)) if i not in placement and inst.candidates[i]),
        key=lambda i: (
            i not in favour,
            -inst.priority[i],
            min(demand[p] for p in inst.members[i]),
            len(inst.candidates[i]),
            i,
        ),
    )
    for i in order:
        options = [s for s in inst.candidates[i] if fits(i, s)]
        if options:
            place(i, min(options, key=lambda s: closeness(i, s)))
    return placement
