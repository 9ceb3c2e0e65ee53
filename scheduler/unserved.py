"""Serving the unserved: a pass of neighbourhood steps, one around each person who has no
meeting but could have one.

Each step frees that person's meetings, every meeting of the people they would meet, and
the meetings that hold the tables of the slots they could use, then lets CP-SAT re-place them
under the whole order (`lns.Search`). Within that neighbourhood this finds any swap, insertion
or chain that serves the person without lowering the priority sum (a partner at their limit
drops a meeting with someone who keeps others, a partner's meeting moves to free the slot, a
table is freed by moving another meeting), and the step is kept only when the event's score
does not drop, so priority is never traded for it.
"""

from __future__ import annotations

from collections.abc import Callable

from scheduler.lns import Score, Search

AROUND = 150
"""Most meetings freed around one person: enough for chains through their partners' agendas,
small enough for CP-SAT to settle in a fraction of a second."""
STEP_SECONDS = 1.0
"""Most time one person's step gets (it weighs priority, people served and meetings kept in
place, not gaps: a model CP-SAT settles in a few tenths of a second on a 2,000-person event)."""
TRIES = 3
"""Steps around one person while each improves something but leaves them unserved."""


def serve_unserved(
    search: Search,
    *,
    seconds_left: Callable[[], float],
    report: Callable[[Score], bool | None],
) -> int:
    """One step around each person without a meeting who could have one (and was not tried
    in vain before), while time is left; returns how many of them got a meeting."""
    served = 0
    for person in waiting(search):
        left = seconds_left()
        if left <= 0.02:
            break
        if person not in search.unserved():
            continue  # served meanwhile by a step around someone else
        # A step may gain something else first (priority, someone nearby); then try again.
        for _ in range(TRIES):
            better = search.reoptimise(
                around(search, person),
                None,
                min(STEP_SECONDS, max(0.0, seconds_left())),
                lambda best, bound: report(search.score),
                reselect=True,
                agendas=False,
            )
            if not better or person not in search.unserved() or report(search.score):
                break
        if person not in search.unserved():
            served += 1
        elif search.settled:
            search.stuck.add(person)  # proven: nothing around them serves them
        if report(search.score):
            break
    return served


def waiting(search: Search) -> list[int]:
    """People without a meeting who could have one and have not been tried in vain."""
    return [p for p in search.unserved() if p not in search.stuck]


def around(search: Search, person: int) -> set[int]:
    """The meetings to free to give `person` a meeting: theirs, their partners' (and, breadth
    first, their partners' partners' as room allows), and those taking the tables of the slots
    their meetings could use."""
    inst = search.inst
    placement = search.placement
    mine = [i for i in inst.meetings_of[person] if inst.candidates[i]]
    free = set(mine)
    slots = {s for i in mine for s in inst.candidates[i]}
    capacities = {c for i in mine for c in inst.capacities_of[i]}
    for i, s in placement.items():
        if len(free) >= AROUND // 3:
            break
        if s in slots and capacities.intersection(inst.capacities_of[i]):
            free.add(i)
    queue, seen = [person], {person}
    while queue and len(free) < AROUND:
        p = queue.pop(0)
        for i in inst.meetings_of[p]:
            if i in placement or inst.candidates[i]:
                free.add(i)
            for q in inst.members[i]:
                if q not in seen:
                    seen.add(q)
                    queue.append(q)
    return {i for i in free if inst.fixed_slot[i] is None and inst.candidates[i]}
