"""Counts in words: "1 agreed meeting", "2 agreed meetings", "1 person matches".

The one place that decides between the singular and the plural of what follows a number, for
templates (the `counted` filter) and for messages written in Python alike."""

from __future__ import annotations


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """`number` followed by `singular` when it is 1, else by `plural` (`singular` + "s" unless
    given). The phrase may carry its verb: counted(n, "participant matches", "participants
    match")."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"
