"""The writes of the event days, one function per action: check a participant in (at the desk,
or by themselves) or take it back, check out who leaves early or take that back, mark a meeting
as a no-show, undo one's own mark.

Each locks the row its rules read (partnering.locks), checks them against the app's clock
(partnering.clock), raises `AttendanceRefused` with a message for the person before writing
anything, and commits once. The database backs the rules: one check-in per participant and day,
one standing no-show mark per meeting and slot.
"""

from __future__ import annotations

from datetime import date, datetime

from partnering import clock
from partnering.attendance.models import CheckIn, CheckInMethod, NoShow, NoShowStatus
from partnering.auth.models import Account
from partnering.events.models import Event
from partnering.extensions import db
from partnering.locks import lock_for_writing
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant


class AttendanceRefused(Exception):
    """An action the rules do not allow; the message says why, for the person."""


def event_day(event: Event, instant: datetime) -> date | None:
    """The day of the event `instant` falls on (in the event's timezone), or None."""
    day = event.local(instant).date()
    return day if day in event.days else None


def check_in_of(participant: Participant, day: date) -> CheckIn | None:
    return db.session.execute(
        db.select(CheckIn).filter_by(participant_id=participant.id, day=day)
    ).scalar_one_or_none()


def check_in(
    event: Event, participant: Participant, account: Account, method: CheckInMethod
) -> tuple[CheckIn, bool]:
    """Check the participant in for today; returns the check-in and whether it is new (checking
    in twice keeps the first time)."""
    lock_for_writing(participant)
    if participant.event_id != event.id:
        raise AttendanceRefused("This person is not a participant of this event.")
    if not participant.is_approved:
        raise AttendanceRefused(
            f"{participant.name}'s registration is {participant.status.label.lower()}: only "
            "approved participants can check in."
        )
    now = clock.now()
    day = event_day(event, now)
    if day is None:
        raise AttendanceRefused(_no_event_day(event, now))
    found = check_in_of(participant, day)
    if found is not None:
        return found, False
    created = CheckIn(
        event_id=event.id,
        participant=participant,
        day=day,
        checked_in_at=now,
        checked_in_by=account,
        method=method,
    )
    db.session.add(created)
    db.session.commit()
    return created, True


def undo_check_in(event: Event, participant: Participant) -> CheckIn:
    """Take back today's check-in of a participant (an organiser tapped the wrong person);
    returns the check-in removed."""
    lock_for_writing(participant)
    if participant.event_id != event.id:
        raise AttendanceRefused("This person is not a participant of this event.")
    day = event_day(event, clock.now())
    found = check_in_of(participant, day) if day is not None else None
    if found is None:
        raise AttendanceRefused(f"{participant.name} is not checked in today.")
    db.session.delete(found)
    db.session.commit()
    return found


def check_out(event: Event, participant: Participant, account: Account) -> CheckIn:
    """Check the participant out for the rest of today (they leave early); checking out twice
    keeps the first time."""
    lock_for_writing(participant)
    found = _todays_check_in(event, participant)
    if found.checked_out_at is None:
        found.checked_out_at, found.checked_out_by = clock.now(), account
        db.session.commit()
    return found


def undo_check_out(event: Event, participant: Participant) -> CheckIn:
    """Take back today's check-out (the participant stays after all)."""
    lock_for_writing(participant)
    found = _todays_check_in(event, participant)
    if found.checked_out_at is None:
        raise AttendanceRefused(f"{participant.name} is not checked out today.")
    found.checked_out_at, found.checked_out_by = None, None
    db.session.commit()
    return found


def _todays_check_in(event: Event, participant: Participant) -> CheckIn:
    if participant.event_id != event.id:
        raise AttendanceRefused("This person is not a participant of this event.")
    now = clock.now()
    day = event_day(event, now)
    if day is None:
        raise AttendanceRefused(_no_event_day(event, now))
    found = check_in_of(participant, day)
    if found is None:
        raise AttendanceRefused(
            f"{participant.name} is not checked in today: only someone checked in can check out."
        )
    return found


def _no_event_day(event: Event, now: datetime) -> str:
    today = event.local(now).date()
    coming = [d for d in event.days if d > today]
    if coming:
        return f"Check-in opens on the event's days; the next is {coming[0]:%A %d %B}."
    return "Check-in is open on the event's days only, and the event is over."


def standing_no_show(meeting: Meeting) -> NoShow | None:
    """The no-show mark on the meeting in its current slot, if one stands."""
    if meeting.slot_id is None:
        return None
    return db.session.execute(
        db.select(NoShow).filter_by(
            meeting_id=meeting.id, slot_id=meeting.slot_id, status=NoShowStatus.MARKED
        )
    ).scalar_one_or_none()


def _side(meeting: Meeting, account: Account) -> Participant | None:
    return next((p for p in meeting.participants if p.account_id == account.id), None)


def mark_no_show(meeting: Meeting, account: Account, *, as_organiser: bool) -> NoShow:
    """Say the meeting did not take place. Either side of it may, and organisers; only once its
    slot has started."""
    lock_for_writing(meeting)
    if not as_organiser and _side(meeting, account) is None:
        raise AttendanceRefused("Only the meeting's participants and the organisers can mark it.")
    if not meeting.is_active or not meeting.is_placed:
        raise AttendanceRefused("Only a scheduled meeting can be marked as a no-show.")
    now = clock.now()
    if now < meeting.slot.start:
        starts = meeting.event.local(meeting.slot.start)
        raise AttendanceRefused(
            f"This meeting starts at {starts:%H:%M}: it can be marked as a no-show once it has "
            "started."
        )
    found = standing_no_show(meeting)
    if found is not None:
        raise AttendanceRefused(
            f"{found.marked_by.name} already marked this meeting as a no-show at "
            f"{meeting.event.local(found.marked_at):%H:%M}."
        )
    mark = NoShow(
        event_id=meeting.event_id,
        meeting=meeting,
        slot_id=meeting.slot_id,
        marked_by=account,
        marked_at=now,
    )
    db.session.add(mark)
    db.session.commit()
    return mark


def undo_no_show(meeting: Meeting, account: Account) -> None:
    """Take back a no-show mark: only the person who set it may."""
    lock_for_writing(meeting)
    found = standing_no_show(meeting)
    if found is None:
        raise AttendanceRefused("This meeting is not marked as a no-show.")
    if found.marked_by_id != account.id:
        raise AttendanceRefused(
            f"{found.marked_by.name} marked this meeting as a no-show: only they can undo it."
        )
    found.status, found.undone_at = NoShowStatus.UNDONE, clock.now()
    db.session.commit()
