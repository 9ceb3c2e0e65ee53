"""Meeting sessions written as text, one per line: "2030-01-24 09:00-12:30"."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from partnering.events.models import Event
from partnering.events.operations import SessionSpec

LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$")
EXAMPLE = "2030-01-24 09:00-12:30"
YEARS = range(2000, 2201)
"""Years an event may take place in: far from both ends of what dates and time zones can
represent, so a local time always converts to UTC and back."""


class SessionLinesError(ValueError):
    """Text that does not describe sessions; `problems` has one message per bad line."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _clock(text: str) -> time:
    return datetime.strptime(text, "%H:%M").time()


def parse_session_lines(text: str) -> list[SessionSpec]:
    """The sessions of the text, or SessionLinesError naming every bad line."""
    specs: list[tuple[int, SessionSpec]] = []
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = LINE.match(line)
        if not match:
            problems.append(f'Line {number}: "{line}" is not like "{EXAMPLE}".')
            continue
        try:
            day = date.fromisoformat(match[1])
            start, end = _clock(match[2]), _clock(match[3])
        except ValueError:
            problems.append(f'Line {number}: "{line}" has no such date or time.')
            continue
        if day.year not in YEARS:
            problems.append(f"Line {number}: {day.year} is not a year for an event.")
            continue
        if end <= start:
            problems.append(f"Line {number}: the session ends before it starts.")
            continue
        specs.append((number, SessionSpec(day, start, end)))
    problems += _overlaps(specs)
    if problems:
        raise SessionLinesError(problems)
    return sorted((spec for _, spec in specs), key=lambda s: (s.day, s.start))


def _overlaps(specs: list[tuple[int, SessionSpec]]) -> list[str]:
    problems = []
    ordered = sorted(specs, key=lambda item: (item[1].day, item[1].start))
    for (n1, a), (n2, b) in zip(ordered, ordered[1:], strict=False):
        if a.day == b.day and b.start < a.end:
            problems.append(f"Line {n2}: overlaps the session of line {n1}.")
    return problems


def format_session_lines(event: Event) -> str:
    return "\n".join(f"{s.day.isoformat()} {s.start:%H:%M}-{s.end:%H:%M}" for s in event.sessions)
