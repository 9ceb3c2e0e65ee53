"""The solver speaks in ids ("p3 and p9 share no free slot"); people read names.

`Namer.text` replaces every id of the problem in a message with the name it stands for:
participants by name, slots by their local time, tables by name, meetings by who meets.
"""

from __future__ import annotations

import re

from partnering.scheduling.placement import EventRows
from scheduler import Problem

_TOKEN = re.compile(r"[\w.-]*\w")


class Namer:
    def __init__(self, problem: Problem, rows: EventRows) -> None:
        self.problem = problem
        self.rows = rows
        self._names: dict[str, str] = {}

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
        if ref in problem.participant_by_id and ref in rows.participants:
            return rows.participants[ref].name
        if ref in problem.slot_by_id and ref in rows.slots:
            return event.local(rows.slots[ref].start).strftime("%a %d %b %H:%M")
        if ref in problem.table_by_id and ref in rows.tables:
            return rows.tables[ref].name
        if ref in problem.meeting_by_id and ref in rows.meetings:
            return "(" + " & ".join(p.name for p in rows.meetings[ref].participants) + ")"
        return ref

    def text(self, message: str) -> str:
        return _TOKEN.sub(lambda match: self.name(match.group(0)), message)
