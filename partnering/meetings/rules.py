"""Whether a meeting request may be sent or accepted, and if not, why (in words for the person).

The same checks serve the pages (which say why before anyone fills a form) and the operations
(which refuse before writing anything)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func

from partnering.db_types import utcnow
from partnering.events.models import Slot
from partnering.extensions import db
from partnering.meetings import room
from partnering.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    meeting_participant,
)
from partnering.registrations.models import Participant, unavailable_slot
from partnering.wording import counted


def accepted_meeting_count(participant: Participant) -> int:
    """Active meetings the participant is in: what Participant.meeting_limit counts."""
    return db.session.scalar(
        db.select(func.count())
        .select_from(meeting_participant)
        .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
        .where(meeting_participant.c.participant_id == participant.id)
        .where(Meeting.status == MeetingStatus.ACTIVE)
    )


def pending_sent_count(participant: Participant) -> int:
    return db.session.scalar(
        db.select(func.count())
        .select_from(MeetingRequest)
        .filter_by(sender_id=participant.id, status=RequestStatus.PENDING)
    )


def shared_meeting(a: Participant, b: Participant) -> Meeting | None:
    """An active meeting both take part in."""
    with_a = db.select(meeting_participant.c.meeting_id).where(
        meeting_participant.c.participant_id == a.id
    )
    with_b = db.select(meeting_participant.c.meeting_id).where(
        meeting_participant.c.participant_id == b.id
    )
    return db.session.execute(
        db.select(Meeting)
        .where(
            Meeting.status == MeetingStatus.ACTIVE, Meeting.id.in_(with_a), Meeting.id.in_(with_b)
        )
        .limit(1)
    ).scalar_one_or_none()


def latest_request(sender: Participant, recipient: Participant) -> MeetingRequest | None:
    return db.session.execute(
        db.select(MeetingRequest)
        .filter_by(sender_id=sender.id, recipient_id=recipient.id)
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def pending_request(sender: Participant, recipient: Participant) -> MeetingRequest | None:
    request = latest_request(sender, recipient)
    return request if request is not None and request.is_pending else None


def have_common_time(a: Participant, b: Participant) -> bool:
    """Whether some slot of the event suits both. An event without slots yet says nothing."""
    slot_ids = db.select(Slot.id).filter_by(event_id=a.event_id)
    if db.session.scalar(db.select(func.count()).select_from(slot_ids.subquery())) == 0:
        return True
    blocked = db.select(unavailable_slot.c.slot_id).where(
        unavailable_slot.c.participant_id.in_((a.id, b.id))
    )
    free = db.session.scalar(
        db.select(func.count())
        .select_from(Slot)
        .where(Slot.event_id == a.event_id, Slot.id.not_in(blocked))
    )
    return free > 0


def can_take_part(participant: Participant) -> bool:
    return participant.is_approved or participant.is_organiser


def limit_refusal(participant: Participant, viewer: Participant) -> str | None:
    """Why `participant` cannot take one more meeting, worded for `viewer`."""
    if participant.meeting_limit is None:
        return None
    return room.limit_text(participant, accepted_meeting_count(participant), viewer)


def deadline_passed(participant: Participant, now: datetime | None = None) -> bool:
    deadline = participant.event.request_deadline
    return deadline is not None and (now or utcnow()) > deadline


def send_refusal(
    sender: Participant, recipient: Participant, now: datetime | None = None
) -> str | None:
    """Why `sender` cannot ask `recipient` for a meeting now, or None when they can."""
    if sender.id == recipient.id:
        return "This is your own profile."
    if sender.event_id != recipient.event_id:
        return f"{recipient.name} does not take part in this event."
    if not can_take_part(sender):
        return "Your registration is waiting for the organiser's approval."
    if not can_take_part(recipient):
        return f"{recipient.name}'s registration is not approved."
    # A hidden profile says "nobody can ask me"; answering their own request is still fine.
    if not recipient.show_profile and pending_request(recipient, sender) is None:
        return f"{recipient.name} does not take meeting requests."
    if deadline_passed(sender, now):
        return "The deadline for meeting requests has passed."
    if sender.organisation_id is not None and sender.organisation_id == recipient.organisation_id:
        return f"{recipient.name} is from your own organisation."
    if shared_meeting(sender, recipient) is not None:
        return f"You already have a meeting with {recipient.name}."
    earlier = latest_request(sender, recipient)
    if earlier is not None and earlier.is_pending:
        return f"You already asked {recipient.name}; their answer is pending."
    if earlier is not None and earlier.status == RequestStatus.DECLINED:
        return f"{recipient.name} declined your request."
    for person in (sender, recipient):
        refusal = limit_refusal(person, sender)
        if refusal:
            return refusal
    # A request crossing one from the recipient becomes a meeting at once: nothing waits.
    crossing = pending_request(recipient, sender) is not None
    most_pending = sender.event.max_pending_requests
    if not crossing and most_pending is not None and pending_sent_count(sender) >= most_pending:
        return (
            f"You have {counted(most_pending, 'request')} waiting for an answer, the most this "
            "event allows. Withdraw one or wait for an answer."
        )
    if not have_common_time(sender, recipient):
        return f"You and {recipient.name} have no meeting time in common."
    return None


def accept_refusal(request: MeetingRequest) -> str | None:
    """Why the recipient cannot accept this request now (checked again at that moment)."""
    if not request.is_pending:
        return f"This request was already {request.status}."
    sender, recipient = request.sender, request.recipient
    if not can_take_part(sender):
        return f"{sender.name} no longer takes part in this event."
    if shared_meeting(sender, recipient) is not None:
        return f"You already have a meeting with {sender.name}."
    for person in (recipient, sender):
        refusal = limit_refusal(person, recipient)
        if refusal:
            return refusal
    return None


def send_warning(sender: Participant, recipient: Participant) -> str | None:
    """Why a meeting of the two, once agreed, could not be scheduled (the sender may still ask,
    after confirming); None when there may be room."""
    diaries = room.load_diaries(sender.event, (sender, recipient), sender)
    return room.no_room(diaries, (sender, recipient), sender)


def accept_warning(request: MeetingRequest) -> str | None:
    """Why the meeting this request asks for could not be scheduled, worded for its recipient
    (who may still accept, after confirming)."""
    people = (request.recipient, request.sender)
    diaries = room.load_diaries(request.recipient.event, people, request.recipient)
    return room.no_room(diaries, people, request.recipient)
