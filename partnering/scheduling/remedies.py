"""What change would let an unscheduled meeting in, as an organiser does it in the app.

The solver's `reasons` say what stands in the way and, where one change is enough, which
(`Change`: a table more, a limit raised, a slot freed, a booth's meeting moved). This turns that
into the organiser's next step, in names; where no single change is enough, into the kind of
change the obstacle asks for.
"""

from __future__ import annotations

from partnering.scheduling.naming import Namer, refs_in
from scheduler import Change, Reason


def named_in(reason: Reason) -> set[str]:
    """The ids the reason's text and its remedy name: what a `Namer` should prefetch."""
    named = refs_in(reason.text)
    if reason.change is not None:
        change = reason.change
        named |= {ref for ref in (change.slot, change.participant, change.meeting) if ref}
    return named


def remedy(reason: Reason, namer: Namer) -> str:
    if reason.change is not None:
        return _for_change(reason.change, namer)
    return _for_obstacle(reason.obstacle)


def _for_change(change: Change, namer: Namer) -> str:
    rows, name = namer.rows, namer.text
    when = name(change.slot)
    where = f"{when}, {rows.tables[change.table].label}" if change.table in rows.tables else when
    if change.kind == "fits":
        return (
            f"Nothing stands in the way: place it by hand at {where}, or run the scheduler again."
        )
    if change.kind == "raise-limit":
        limit = namer.problem.participant_by_id[change.participant].max_meetings or 0
        return (
            f"Raise {name(change.participant)}'s meeting limit to {limit + 1}: "
            f"it then fits at {where}."
        )
    if change.kind == "free-slot":
        return (
            f"Free {when} for {name(change.participant)}: move or cancel their meeting "
            f"{name(change.meeting)} there; this one then fits at {where}."
        )
    if change.kind == "free-booth":
        return f"Move the meeting {name(change.meeting)} out of {where}; this one then fits there."
    if change.kind == "add-table":
        slot = rows.slots.get(change.slot)
        session = slot.session if slot is not None else None
        if session is None:
            return f"Add a table free at {when}."
        span = f"{session.day:%a %d %b} {session.start:%H:%M}–{session.end:%H:%M}"
        return f"Add a table in the session of {span}."
    return ""


OBSTACLES = {
    "no-common-slot": "Ask them to make a time they share available (their availability), or "
    "cancel the meeting.",
    "not-allowed": "Allow the meeting at a time they can all attend, or ask them to make one of "
    "its allowed times available.",
    "full": "Raise their meeting limits, or cancel one of their other meetings.",
    "never-free": "Every time they can all attend holds a published meeting of one of them, or "
    "meetings of several: move or cancel one of those on the grid.",
    "booth-too-small": "Give the booth more seats, or remove the booth so "
    "that they meet at another table.",
    "booth-taken": "Their booth is taken by a published meeting whenever they are free: move "
    "that meeting, or remove the booth so that they meet at another table.",
}


def _for_obstacle(obstacle: str) -> str:
    return OBSTACLES.get(obstacle, "")
