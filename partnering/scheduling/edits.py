"""Hand edits judged by the same hard rules as any schedule (`scheduler.check`).

An edit is a set of new places for some meetings (None: unscheduled). It is checked against the
event's problem with the current placement of every other meeting; the edited meetings are
released from `fixed` (moving them is the organiser's decision), everything else stays put. Only
violations the edit introduces refuse it: a schedule that was already imperfect (a participant
who changed availability after placement) does not block unrelated edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from partnering.events.models import Event
from partnering.meetings.models import Meeting
from partnering.scheduling.naming import Namer
from partnering.scheduling.placement import (
    EventRows,
    Place,
    current_placement,
    schedule_from_placement,
)
from partnering.scheduling.problem import problem_for_event
from scheduler import Problem, Violation, check

RULE_LABELS = {
    "unknown-reference": "Unknown slot or table",
    "assigned-twice": "Meeting placed twice",
    "missing": "Meeting missing",
    "participant-double-booked": "Double-booked participant",
    "table-double-booked": "Table already taken",
    "tables-exhausted": "No table left",
    "unavailable": "Participant not available",
    "not-allowed-slot": "Time not allowed for this meeting",
    "max-meetings": "Meeting limit exceeded",
    "booth": "Booth rule",
    "fixed": "Fixed meeting moved",
    "seats": "Not enough seats",
}


class EditRefused(Exception):
    """A hand edit that breaks a hard rule; the message names the rule and the people."""


def check_edit(event: Event, rows: EventRows, changes: Mapping[Meeting, Place | None]) -> None:
    problem = problem_for_event(event)
    edited = {m.ref for m in changes}
    unknown = edited - set(problem.meeting_by_id)
    if unknown:
        raise EditRefused(
            "This meeting is not part of the schedule (a participant is not approved)."
        )
    released = replace(
        problem,
        meetings=tuple(replace(m, fixed=None) if m.id in edited else m for m in problem.meetings),
    )
    before = current_placement(released, rows)
    after = dict(before)
    for meeting, place in changes.items():
        if place is None:
            after.pop(meeting.ref, None)
        else:
            after[meeting.ref] = place
    known = {_key(v) for v in check(released, schedule_from_placement(released, before))}
    introduced = [
        v for v in check(released, schedule_from_placement(released, after)) if _key(v) not in known
    ]
    if introduced:
        raise EditRefused("; ".join(describe(v, problem, rows) for v in introduced))


def _key(violation: Violation) -> tuple:
    return (violation.rule, violation.message)


def describe(violation: Violation, problem: Problem, rows: EventRows) -> str:
    """'Double-booked participant: Aiko Sato is in 2 meetings in slot Thu 24 Jan 10:30 ...'."""
    label = RULE_LABELS.get(violation.rule, violation.rule)
    return f"{label}: {Namer(problem, rows).text(violation.message)}"
