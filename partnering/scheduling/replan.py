"""Re-planning the rest of an event from an instant, told to the solver through its `Problem`
(fixed meetings, unavailable slots): the solver itself knows nothing of clocks or check-ins.

- Slots that started before the instant are frozen: a meeting placed there stays there, fixed
  (published or not), and nothing new goes there.
- A meeting marked as a no-show in its (frozen) slot is released: it may be placed again in a
  slot to come, when both sides are still there for it.
- With a check-in cut-off: whoever had not checked in by then on that day is taken as absent
  for the rest of that day; their meetings there are released, and freed slots go to others.
- Whoever was checked out (left early) before the re-plan's instant is away from their
  check-out to the end of that day; their meetings in slots starting after it are released.
- Everything else is as in any run: published meetings to come keep their places, late requests
  are fitted in around them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time

from sqlalchemy.orm import joinedload

from partnering.attendance.models import CheckIn, NoShow, NoShowStatus
from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant, RegistrationStatus
from partnering.scheduling.placement import Place
from scheduler import Fixed, Problem, Schedule


@dataclass(frozen=True)
class Replan:
    """What a re-plan takes from the event day so far, in the problem's ids."""

    frozen_slots: frozenset[str]
    """Slots that started before the re-plan's instant."""
    no_shows: frozenset[str]
    """Meetings with a standing no-show mark in their current slot."""
    absent: frozenset[str]
    """Participants who had not checked in by the cut-off."""
    absent_slots: frozenset[str]
    """The slots the absent are taken as away for: the rest of the cut-off's day."""
    cutoff: str = ""
    """The check-in cut-off as people read it (HH:MM in the event's timezone)."""
    left: Mapping[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    """Checked-out participants: when they left (HH:MM) and the slots they are away for."""


def today_at(event: Event, now: datetime, at: time) -> datetime:
    """The instant `at` o'clock on the event's local day of `now` (a cut-off typed as a time)."""
    return datetime.combine(event.local(now).date(), at, tzinfo=event.tz)


def replan_of(event: Event, start: datetime, absent_cutoff: datetime | None) -> Replan:
    slots = db.session.execute(db.select(Slot).filter_by(event_id=event.id)).scalars().all()
    frozen = frozenset(s.ref for s in slots if s.start <= start)
    no_shows = _no_show_refs(event)
    left = _checked_out(event, slots, start)
    if absent_cutoff is None:
        return Replan(frozen, no_shows, frozenset(), frozenset(), left=left)
    day = event.local(absent_cutoff).date()
    arrived = set(
        db.session.execute(
            db.select(CheckIn.participant_id).filter(
                CheckIn.event_id == event.id,
                CheckIn.day == day,
                CheckIn.checked_in_at <= absent_cutoff,
            )
        ).scalars()
    )
    people = db.session.execute(
        db.select(Participant).filter_by(event_id=event.id, status=RegistrationStatus.APPROVED)
    ).scalars()
    absent = frozenset(p.ref for p in people if p.id not in arrived and not p.is_organiser)
    absent_slots = frozenset(
        s.ref for s in slots if event.local(s.start).date() == day and s.ref not in frozen
    )
    cutoff = f"{event.local(absent_cutoff):%H:%M}"
    return Replan(frozen, no_shows, absent, absent_slots, cutoff, left)


def _checked_out(
    event: Event, slots: list[Slot], start: datetime
) -> dict[str, tuple[str, frozenset[str]]]:
    rows = db.session.execute(
        db.select(CheckIn)
        .filter(CheckIn.event_id == event.id, CheckIn.checked_out_at <= start)
        .options(joinedload(CheckIn.participant))
    ).scalars()
    return {
        c.participant.ref: (
            f"{event.local(c.checked_out_at):%H:%M}",
            frozenset(
                s.ref
                for s in slots
                if s.start >= c.checked_out_at and event.local(s.start).date() == c.day
            ),
        )
        for c in rows
    }


def _no_show_refs(event: Event) -> frozenset[str]:
    meetings = db.session.execute(
        db.select(Meeting)
        .join(NoShow, (NoShow.meeting_id == Meeting.id) & (NoShow.slot_id == Meeting.slot_id))
        .filter(Meeting.event_id == event.id, NoShow.status == NoShowStatus.MARKED)
    ).scalars()
    return frozenset(m.ref for m in meetings)


def replanned(problem: Problem, placement: Mapping[str, Place], replan: Replan) -> Problem:
    """`problem` with the past frozen and no-shows and the absent's meetings released;
    `placement` is where the event's meetings are now."""
    meetings = []
    kept_at: dict[str, set[str]] = defaultdict(set)
    for m in problem.meetings:
        place = placement.get(m.id)
        if place is not None and place[0] in replan.frozen_slots:
            if m.id in replan.no_shows:
                m = replace(m, fixed=None)
            else:
                m = replace(m, fixed=Fixed(*place))
                for person in m.participants:
                    kept_at[person].add(place[0])
        elif m.fixed is not None and (
            (m.fixed.slot in replan.absent_slots and (set(m.participants) & replan.absent))
            or any(m.fixed.slot in replan.left[p][1] for p in m.participants if p in replan.left)
        ):
            m = replace(m, fixed=None)
        meetings.append(m)
    participants = []
    for p in problem.participants:
        available = (p.available - replan.frozen_slots) | kept_at[p.id]
        if p.id in replan.absent:
            available -= replan.absent_slots
        if p.id in replan.left:
            available -= replan.left[p.id][1]
        participants.append(replace(p, available=frozenset(available)))
    return replace(problem, meetings=tuple(meetings), participants=tuple(participants))


def with_absences(problem: Problem, schedule: Schedule, replan: Replan) -> Schedule:
    """The schedule with each meeting left out because someone had not checked in saying so,
    or had checked out, in place of the solver's general reason (participant ids: the review
    names them)."""
    unscheduled = []
    for u in schedule.unscheduled:
        people = problem.meeting_by_id[u.meeting].participants
        away = [p for p in people if p in replan.absent]
        gone = [p for p in people if p in replan.left]
        if gone:
            u = replace(
                u,
                reason="; ".join(
                    f"{p} checked out at {replan.left[p][0]}: released for the rest of that day"
                    for p in gone
                ),
            )
        elif away:
            u = replace(
                u,
                reason=f"{', '.join(away)} had not checked in by {replan.cutoff}: released for "
                "the rest of that day",
            )
        unscheduled.append(u)
    return replace(schedule, unscheduled=tuple(unscheduled))
