"""A generated event as the benches import it when they measure the app after scheduling: what
the first-come baseline places arrives placed (fixed meetings first: the import writes rows of
one shape in large batches), the rest unplaced."""

from __future__ import annotations

from dataclasses import replace

from scheduler.greedy import greedy
from scheduler.problem import Fixed, Problem


def placed_by_first_come(problem: Problem) -> Problem:
    placed = greedy(problem).assignment_of
    meetings = [
        replace(m, fixed=Fixed(placed[m.id].slot, placed[m.id].table))
        for m in problem.meetings
        if m.id in placed
    ] + [m for m in problem.meetings if m.id not in placed]
    return replace(problem, meetings=tuple(meetings))
