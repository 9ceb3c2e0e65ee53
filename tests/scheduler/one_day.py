"""A small one-day problem written as its FORMATS.md document, for tests of the solver's parts:
slots of half an hour, one an hour from 9:00."""

from __future__ import annotations

from typing import Any

from scheduler import Problem, problem_from_dict


def one_day_event(
    tables: list[dict[str, Any]],
    participants: list[dict[str, Any]],
    meetings: list[dict[str, Any]],
    slots: int = 2,
) -> Problem:
    return problem_from_dict(
        {
            "format": "partnering-problem/1",
            "slots": [
                {
                    "id": f"s{i}",
                    "start": f"2026-03-02T{9 + i:02d}:00:00+00:00",
                    "end": f"2026-03-02T{9 + i:02d}:30:00+00:00",
                }
                for i in range(slots)
            ],
            "tables": tables,
            "participants": participants,
            "meetings": meetings,
        }
    )
