"""The solver speaks in ids ("p3 and p9 share no free slot"); people read names.

`Namer.text` replaces every id of the problem in a message with the name it stands for:
participants by name, slots by their local time, tables by name, meetings by who meets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from partnering.scheduling.placement import EventRows
from scheduler import Problem

_TOKEN = re.compile(r"[\w.-]*\w")


class Namer:
    def __init__(self, problem: Problem, rows: EventRows) -> None:
        self.problem = problem
        self.rows = rows
        self._names: dict[str, str] = {}
        self._asked: set[str] = set()
        self._people: dict[str, Participant] = {}
        self._meetings: dict[str, Meeting] = {}

    def prefetch(self, refs: Iterable[str]) -> None:
        """Load the participants and meetings among `refs` in one query each, for the names
        about to be asked: otherwise the first name of a kind loads the whole event's rows."""
        refs = set(refs) - self._asked
        self._asked |= refs
        self._people |= self.rows.participants_by_ref(refs & self.problem.participant_by_id.keys())
        self._meetings |= self.rows.meetings_by_ref(refs & self.problem.meeting_by_id.keys())

    def _person(self, ref: str) -> Participant | None:
        return self._people.get(ref) if ref in self._asked else self.rows.participants.get(ref)

    def _meeting(self, ref: str) -> Meeting | None:
        return self._meetings.get(ref) if ref in self._asked else self.rows.meetings.get(ref)

    def name(self, ref: str) -> str:
        """The name an id of the problem stands for (the id itself when it stands for none).
        Looked up on demand: a page names a few dozen of an event's thousands of rows."""
        if ref not in self._names:
            self._names[ref] = self._look_up(ref)
        return self._names[ref]

    def _look_up(self, ref: str) -> str:
        # An id that two kinds share (a table named like a participant's id) names, in this
        # order, the participant, the slot, the table, the meeting.
        rows, event, problem = self.rows, self.rows.event, self.problem
        if ref in problem.participant_by_id and (person := self._person(ref)) is not None:
            return person.name
        if ref in problem.slot_by_id and ref in rows.slots:
            return event.local(rows.slots[ref].start).strftime("%a %d %b %H:%M")
        if ref in problem.table_by_id and ref in rows.tables:
            return rows.tables[ref].name
        if ref in problem.meeting_by_id and (meeting := self._meeting(ref)) is not None:
            return "(" + " & ".join(p.name for p in meeting.participants) + ")"
        return ref

    def text(self, message: str) -> str:
        return _TOKEN.sub(lambda match: self.name(match.group(0)), message)


def refs_in(message: str) -> set[str]:
    """The words of a message that `Namer.text` may replace."""
    return set(_TOKEN.findall(message))
