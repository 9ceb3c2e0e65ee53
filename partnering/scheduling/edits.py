"""Hand edits judged by the same hard rules as any schedule (`scheduler.check`).

An edit is a set of new places for some meetings (None: unscheduled). It is checked against the
event's problem with the current placement of every other meeting; the edited meetings are
released from `fixed` (moving them is the organiser's decision), everything else stays put. Only
violations the edit introduces refuse it: a schedule that was already imperfect (a participant
who changed availability after placement) does not block unrelated edits.

`EditRules.introduced` is the one rule: the move and swap operations refuse what it reports, and
the grid's hint of where a meeting may go (`EditRules.legal_places`) offers exactly the places
where it reports nothing, so the hint and the check cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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

NOT_IN_SCHEDULE = "This meeting is not part of the schedule (a participant is not approved)."


class EditRefused(Exception):
    """A hand edit that breaks a hard rule; the message names the rule and the people."""


class EditRules:
    """An event's problem and placement, ready to judge edits.

    An edit can only break rules about the meetings it moves, their participants (double
    bookings, limits) and the places it leaves or takes (a taken table). So each edit is
    checked on its neighbourhood: the edited meetings, every meeting of their participants and
    whatever sits at the places involved. Every violation that the full schedule's check would
    report about these is reported alike (each group it counts is whole), and violations about
    anything else are the same before and after the edit, so the introduced ones are exactly
    those of checking the whole schedule; the neighbourhood keeps a grid's worth of checks fast.
    """

    def __init__(self, problem: Problem, placement: Mapping[str, Place]) -> None:
        self.problem = problem
        self.placement = dict(placement)
        self._at: dict[Place, list[str]] = {}
        for meeting_id, place in self.placement.items():
            self._at.setdefault(place, []).append(meeting_id)
        self._booth_holders = [p for p in problem.participants if p.booth]
        self._known: dict[tuple[frozenset[str], frozenset[str]], tuple[Problem, set]] = {}

    def introduced(self, changes: Mapping[str, Place | None]) -> list[Violation]:
        """The hard rules that giving these meetings these places breaks, which the current
        placement did not break already."""
        edited = frozenset(changes)
        around = set(edited)
        for meeting_id in edited:
            for person in self.problem.meeting_by_id[meeting_id].participants:
                around.update(self.problem.meetings_of[person])
            around.update(self._at.get(self.placement.get(meeting_id), ()))
        for place in changes.values():
            around.update(self._at.get(place, ()))
        local, known = self._local(frozenset(around), edited)
        after = {m: self.placement[m] for m in around if m in self.placement}
        for meeting_id, place in changes.items():
            if place is None:
                after.pop(meeting_id, None)
            else:
                after[meeting_id] = place
        violations = check(local, schedule_from_placement(local, after))
        return [v for v in violations if _key(v) not in known]

    def _local(self, around: frozenset[str], edited: frozenset[str]) -> tuple[Problem, set]:
        """The neighbourhood as a problem of its own (edited meetings released from `fixed`;
        every booth holder kept, so booth tables stay booth tables), and what the current
        placement already breaks there. Cached: a grid's free cells share one neighbourhood."""
        key = (around, edited)
        if key not in self._known:
            meetings = [
                replace(m, fixed=None) if m.id in edited else m
                for m in self.problem.meetings
                if m.id in around
            ]
            people = {p for m in meetings for p in m.participants}
            participants = {p.id: p for p in self._booth_holders}
            participants.update((p, self.problem.participant_by_id[p]) for p in people)
            local = replace(
                self.problem, participants=tuple(participants.values()), meetings=tuple(meetings)
            )
            before = {m: self.placement[m] for m in around if m in self.placement}
            known = {_key(v) for v in check(local, schedule_from_placement(local, before))}
            self._known[key] = (local, known)
        return self._known[key]

    def legal_places(self, meeting_id: str, slots: Iterable[str]) -> list[Place]:
        """Every place among these slots (at any table) where the meeting may go: the places
        a move there would be accepted, its current place excepted. A place another meeting
        holds is never one (the table would hold two), so only free places are judged."""
        here = self.placement.get(meeting_id)
        return [
            (slot, table.id)
            for slot in slots
            for table in self.problem.tables
            if (slot, table.id) != here
            and (slot, table.id) not in self._at
            and not self.introduced({meeting_id: (slot, table.id)})
        ]


def rules_for_event(event: Event, rows: EventRows) -> EditRules:
    problem = problem_for_event(event)
    return EditRules(problem, current_placement(problem, rows))


def check_edit(event: Event, rows: EventRows, changes: Mapping[Meeting, Place | None]) -> None:
    rules = rules_for_event(event, rows)
    if any(m.ref not in rules.problem.meeting_by_id for m in changes):
        raise EditRefused(NOT_IN_SCHEDULE)
    introduced = rules.introduced({m.ref: place for m, place in changes.items()})
    if introduced:
        raise EditRefused("; ".join(describe(v, rules.problem, rows) for v in introduced))


def _key(violation: Violation) -> tuple:
    return (violation.rule, violation.message)


def describe(
    violation: Violation, problem: Problem, rows: EventRows, namer: Namer | None = None
) -> str:
    """'Double-booked participant: Aiko Sato is in 2 meetings in slot Thu 24 Jan 10:30 ...'.
    A `namer` shared by several violations names their people and meetings once."""
    label = RULE_LABELS.get(violation.rule, violation.rule)
    return f"{label}: {(namer or Namer(problem, rows)).text(violation.message)}"
