"""The solver speaks in ids ("p3 and p9 share no free slot"); people read names.

`Namer.text` replaces every id of the problem in a message with the name it stands for:
participants by name, slots by their local time, tables by name, meetings by who meets.
"""

from __future__ import annotations

import re
from functools import cached_property

from partnering.scheduling.placement import EventRows
from scheduler import Problem

_TOKEN = re.compile(r"[\w.-]*\w")


class Namer:
    def __init__(self, problem: Problem, rows: EventRows) -> None:
        self.problem = problem
        self.rows = rows

    @cached_property
    def names(self) -> dict[str, str]:
        rows, event = self.rows, self.rows.event
        names: dict[str, str] = {}
        for ref in self.problem.meeting_by_id:
            if ref in rows.meetings:
                names[ref] = "(" + " & ".join(p.name for p in rows.meetings[ref].participants) + ")"
        for ref in self.problem.table_by_id:
            if ref in rows.tables:
                names[ref] = rows.tables[ref].name
        for ref in self.problem.slot_by_id:
            if ref in rows.slots:
                names[ref] = event.local(rows.slots[ref].start).strftime("%a %d %b %H:%M")
        for ref in self.problem.participant_by_id:
            if ref in rows.participants:
                names[ref] = rows.participants[ref].name
        return names

    def text(self, message: str) -> str:
        return _TOKEN.sub(lambda match: self.names.get(match.group(0), match.group(0)), message)
