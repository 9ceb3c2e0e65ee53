"""No silent conflict from edits outside the schedule.

An organiser's change to a person or to the event (a booth, a meeting limit, an import) can
leave a placed meeting where the hard rules no longer allow it. An operation making such a
change takes `ScheduleSnapshot.of(event)` under its lock before writing, writes (flushed, not
committed), then calls `refuse_new_conflicts`: what the change broke is refused with the
meetings named, and the operation rolls back. Judging reads the whole event (about 3 s for
1000 people and 5000 meetings), so operations do it only when `holds_placed_meetings` says the
people they change have meetings in the schedule. What was broken before (a backup restored, data
from before this check) does not block unrelated edits; runs repair it.
"""

from __future__ import annotations

from dataclasses import dataclass

from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting, meeting_participant
from partnering.scheduling.edits import describe
from partnering.scheduling.placement import EventRows, current_schedule
from partnering.scheduling.problem import problem_for_event
from scheduler import Violation, check

SHOWN = 5
"""Conflicts named in a refusal; the rest are counted."""


def holds_placed_meetings(participant_ids: set[int]) -> bool:
    """Whether any of these people has an active meeting with a slot."""
    if not participant_ids:
        return False
    mp = meeting_participant
    found = db.session.execute(
        db.select(mp.c.meeting_id)
        .where(mp.c.participant_id.in_(participant_ids), mp.c.slot_id.is_not(None))
        .limit(1)
    ).first()
    return found is not None


def placed_meetings_of(participant_ids: set[int]) -> list[Meeting]:
    """These people's active meetings that have a slot, by id."""
    if not participant_ids:
        return []
    mp = meeting_participant
    held = (
        db.select(mp.c.meeting_id)
        .where(mp.c.participant_id.in_(participant_ids), mp.c.slot_id.is_not(None))
        .scalar_subquery()
    )
    return list(
        db.session.execute(
            db.select(Meeting).where(Meeting.id.in_(held)).order_by(Meeting.id)
        ).scalars()
    )


class ConflictRefused(Exception):
    """The change would leave placed meetings breaking a hard rule; str() names them."""


def _violations(event: Event) -> list[Violation]:
    problem = problem_for_event(event)
    return check(problem, current_schedule(problem, EventRows(event)))


@dataclass(frozen=True)
class ScheduleSnapshot:
    """The rules the placed meetings already broke before a change."""

    broken: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, event: Event) -> ScheduleSnapshot:
        return cls(frozenset((v.rule, v.message) for v in _violations(event)))


def refuse_new_conflicts(event: Event, before: ScheduleSnapshot) -> None:
    """Raise ConflictRefused when the (flushed) change breaks a rule for a placed meeting."""
    db.session.flush()
    db.session.expire_all()  # the rows are read again as the change left them
    rows = EventRows(event)
    problem = problem_for_event(event)
    new = [
        v
        for v in check(problem, current_schedule(problem, rows))
        if (v.rule, v.message) not in before.broken
    ]
    if new:
        named = "; ".join(describe(v, problem, rows) for v in new[:SHOWN])
        more = f" and {len(new) - SHOWN} more" if len(new) > SHOWN else ""
        raise ConflictRefused(
            f"This change would leave scheduled meetings where they can no longer be: "
            f"{named}{more}. Move, unschedule or cancel these meetings first; nothing was saved."
        )
