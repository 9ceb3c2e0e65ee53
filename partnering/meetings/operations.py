"""Writes on meeting requests and meetings: one function per action a participant takes.

Each first locks the people its rules read (partnering.locks), so two clicks at the same
instant are judged one after the other; then it checks its rules and raises RequestRefused (with
a message for the person) before writing anything, and commits once: the emails it queues
(partnering.outbox) go with it."""

from __future__ import annotations

from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.locks import lock_for_writing
from partnering.meetings import notify, rules
from partnering.meetings.models import (
    PRIORITIES,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    meeting_participant,
)
from partnering.registrations.models import Participant

MUTUAL_BONUS = 1
"""Two people who asked each other get the higher of their priorities plus this."""


class RequestRefused(Exception):
    """An action on a request or meeting that the rules do not allow; str() says why."""


class NeedsConfirmation(RequestRefused):
    """The meeting could never be scheduled as things stand (str() says why and what would make
    room): the person may go ahead, but only once they confirm they know."""


def send_request(
    sender: Participant,
    recipient: Participant,
    *,
    message: str,
    priority: int,
    despite_no_room: bool = False,
) -> MeetingRequest:
    """Ask for a meeting. If the recipient already asked the sender, both requests become one
    accepted meeting at once. When the meeting could never be scheduled, NeedsConfirmation
    unless the sender confirmed (`despite_no_room`)."""
    if priority not in PRIORITIES:
        raise RequestRefused("Choose how much you want this meeting.")
    lock_for_writing(sender, recipient)
    refusal = rules.send_refusal(sender, recipient)
    if refusal:
        raise RequestRefused(refusal)
    warning = rules.send_warning(sender, recipient)
    if warning and not despite_no_room:
        raise NeedsConfirmation(warning)
    request = MeetingRequest(
        event_id=sender.event_id,
        sender=sender,
        recipient=recipient,
        message=message.strip(),
        priority=priority,
    )
    db.session.add(request)
    crossing = rules.pending_request(recipient, sender)
    if crossing is not None:
        meeting = _agree(crossing, priority=max(priority, crossing.priority) + MUTUAL_BONUS)
        _mark_accepted(request, meeting)
        notify.request_accepted(crossing)
    else:
        notify.request_received(request)
    db.session.commit()
    return request


def accept_request(request: MeetingRequest, *, despite_no_room: bool = False) -> Meeting:
    """The recipient agrees: the request becomes an active meeting of the two. When it could
    never be scheduled, NeedsConfirmation unless the recipient confirmed (`despite_no_room`)."""
    _lock_people_of(request)
    refusal = rules.accept_refusal(request)
    if refusal:
        raise RequestRefused(refusal)
    warning = rules.accept_warning(request)
    if warning and not despite_no_room:
        raise NeedsConfirmation(warning)
    meeting = _agree(request, priority=request.priority)
    notify.request_accepted(request)
    db.session.commit()
    return meeting


def decline_request(request: MeetingRequest) -> None:
    _lock_people_of(request)
    if not request.is_pending:
        raise RequestRefused(f"This request was already {request.status}.")
    request.status = RequestStatus.DECLINED
    request.answered_at = utcnow()
    db.session.commit()


def withdraw_request(request: MeetingRequest) -> None:
    _lock_people_of(request)
    if not request.is_pending:
        raise RequestRefused(f"This request was already {request.status}.")
    request.status = RequestStatus.WITHDRAWN
    request.answered_at = utcnow()
    db.session.commit()


def add_colleague(meeting: Meeting, by: Participant, colleague: Participant) -> None:
    """A participant brings a colleague from their own organisation into an agreed meeting."""
    # The event: the meeting's place is the schedule's; the colleague: their meeting limit.
    lock_for_writing(meeting.event, by, colleague)
    refusal = colleague_refusal(meeting, by, colleague)
    if refusal:
        raise RequestRefused(refusal)
    meeting.participants.append(colleague)
    if meeting.is_placed:
        meeting.sequence += 1  # calendars must learn about the new attendee
    db.session.commit()


def _lock_people_of(request: MeetingRequest) -> None:
    lock_for_writing(request.sender, request.recipient)


def colleague_refusal(meeting: Meeting, by: Participant, colleague: Participant) -> str | None:
    if not meeting.is_active or by not in meeting.participants:
        return "You can only add colleagues to your own agreed meetings."
    if colleague.id == by.id or colleague.event_id != by.event_id:
        return "Choose a colleague."
    if by.organisation_id is None or colleague.organisation_id != by.organisation_id:
        return f"{colleague.name} is not from your organisation."
    if not rules.can_take_part(colleague):
        return f"{colleague.name}'s registration is not approved."
    if colleague in meeting.participants:
        return f"{colleague.name} is already in this meeting."
    refusal = rules.limit_refusal(colleague, by)
    if refusal:
        return refusal
    seats = _most_seats(meeting)
    if seats is not None and len(meeting.participants) >= seats:
        return f"No table seats more than {seats} people."
    if meeting.slot_id is not None and _busy_at(colleague, meeting):
        return f"{colleague.name} already has a meeting at that time."
    return None


def _agree(request: MeetingRequest, *, priority: int) -> Meeting:
    meeting = Meeting(
        event_id=request.event_id,
        priority=priority,
        status=MeetingStatus.ACTIVE,
        participants=[request.sender, request.recipient],
    )
    db.session.add(meeting)
    _mark_accepted(request, meeting)
    return meeting


def _mark_accepted(request: MeetingRequest, meeting: Meeting) -> None:
    request.status = RequestStatus.ACCEPTED
    request.answered_at = utcnow()
    request.meeting = meeting


def _most_seats(meeting: Meeting) -> int | None:
    """The largest table's seats; None when some table has no stated limit."""
    seats = [t.seats for t in meeting.event.tables if not t.hidden]
    if not seats or any(s is None for s in seats):
        return None
    return max(seats)


def _busy_at(participant: Participant, meeting: Meeting) -> bool:
    mine = db.select(meeting_participant.c.meeting_id).where(
        meeting_participant.c.participant_id == participant.id
    )
    clash = db.session.execute(
        db.select(Meeting.id)
        .where(Meeting.id.in_(mine), Meeting.status == MeetingStatus.ACTIVE)
        .where(Meeting.slot_id == meeting.slot_id, Meeting.id != meeting.id)
        .limit(1)
    ).first()
    return clash is not None
