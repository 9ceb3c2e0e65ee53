"""Repair mode: fixed meetings that can no longer all keep their places (a participant became
unavailable, two were fixed in one slot, ...) are released, and only those.

`release_conflicts` returns the problem with exactly the fixed meetings named by
`check.check_fixed` made free again, so that the solver places them anew where it can, and
the conflicts themselves, each with its rule and the people it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scheduler.check import check_fixed
from scheduler.problem import Problem


@dataclass(frozen=True)
class Conflict:
    rule: str
    message: str
    meetings: tuple[str, ...]
    """The fixed meetings released because of it."""
    people: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "message": self.message,
            "meetings": list(self.meetings),
            "people": list(self.people),
        }


def release_conflicts(problem: Problem) -> tuple[Problem, list[Conflict]]:
    """The problem with every fixed meeting in a conflict made free, and the conflicts; the
    problem itself when there is none."""
    violations = check_fixed(problem)
    if not violations:
        return problem, []
    by_id = problem.meeting_by_id
    conflicts = []
    for v in violations:
        people = v.participants or tuple(
            dict.fromkeys(p for mid in v.meetings for p in by_id[mid].participants)
        )
        conflicts.append(Conflict(v.rule, v.message, tuple(v.meetings), tuple(people)))
    released = {mid for c in conflicts for mid in c.meetings}
    meetings = tuple(replace(m, fixed=None) if m.id in released else m for m in problem.meetings)
    return replace(problem, meetings=meetings), conflicts
