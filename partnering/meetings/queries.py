"""What a participant sees of requests and meetings: only their own, loaded here so that every
route filters by the current participant."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import or_
from sqlalchemy.orm import joinedload

from partnering.access import row_of_event_or_404
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.loading import meeting_details, request_details
from partnering.meetings.models import (
    REQUEST_HISTORY,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    meeting_participant,
)
from partnering.registrations.models import Participant


def incoming_or_404(participant: Participant, request_id: int) -> MeetingRequest:
    """A request addressed to `participant`; anybody else's is not found."""
    return _request_or_404(request_id, recipient_id=participant.id)


def outgoing_or_404(participant: Participant, request_id: int) -> MeetingRequest:
    """A request `participant` sent; anybody else's is not found."""
    return _request_or_404(request_id, sender_id=participant.id)


def meeting_or_404(participant: Participant, meeting_id: int) -> Meeting:
    """A meeting `participant` takes part in."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or participant not in meeting.participants:
        abort(404)
    return meeting


def event_meeting_or_404(event: Event, meeting_id: int) -> Meeting:
    """Any meeting of `event` (for its organisers)."""
    return row_of_event_or_404(Meeting, meeting_id, event)


def active_meeting_at(event: Event, slot_id: int, table_id: int) -> Meeting | None:
    """The active meeting at that time and table, if any."""
    return db.session.execute(
        db.select(Meeting).filter_by(
            event_id=event.id, slot_id=slot_id, table_id=table_id, status=MeetingStatus.ACTIVE
        )
    ).scalar_one_or_none()


def _request_or_404(request_id: int, **owner: int) -> MeetingRequest:
    return db.one_or_404(db.select(MeetingRequest).filter_by(id=request_id, **owner))


@dataclass
class MyMeetings:
    incoming: list[MeetingRequest]
    outgoing: list[MeetingRequest]
    meetings: list[Meeting]
    history: list[MeetingRequest]
    cancelled: list[Meeting]
    messages: dict[int, list[MeetingRequest]]
    """Per meeting id, the requests that led to it (with their messages)."""


def my_meetings(participant: Participant) -> MyMeetings:
    requests = list(
        db.session.execute(
            db.select(MeetingRequest)
            .where(
                or_(
                    MeetingRequest.sender_id == participant.id,
                    MeetingRequest.recipient_id == participant.id,
                )
            )
            .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
            .options(*request_details())
        ).scalars()
    )
    meetings = list(
        db.session.execute(
            db.select(Meeting)
            .join(meeting_participant, meeting_participant.c.meeting_id == Meeting.id)
            .where(meeting_participant.c.participant_id == participant.id)
            .order_by(Meeting.created_at, Meeting.id)
            .options(*meeting_details())
        ).scalars()
    )
    messages: dict[int, list[MeetingRequest]] = {}
    for request in requests:
        if request.meeting_id is not None:
            messages.setdefault(request.meeting_id, []).append(request)
    pending = [r for r in requests if r.is_pending]
    return MyMeetings(
        incoming=[r for r in pending if r.recipient_id == participant.id],
        outgoing=[r for r in pending if r.sender_id == participant.id],
        meetings=_in_time_order([m for m in meetings if m.is_active]),
        history=[r for r in requests if r.status in REQUEST_HISTORY],
        cancelled=[m for m in meetings if m.is_cancelled],
        messages=messages,
    )


def _in_time_order(meetings: list[Meeting]) -> list[Meeting]:
    """Placed meetings by time, then the ones still waiting for the schedule."""
    return sorted(meetings, key=lambda m: (m.slot is None, m.slot.start if m.slot else None, m.id))


def colleagues(participant: Participant, meeting: Meeting) -> list[Participant]:
    """Approved colleagues of the participant's organisation not yet in the meeting."""
    return colleagues_by_meeting(participant, [meeting])[meeting.id]


def colleagues_by_meeting(
    participant: Participant, meetings: list[Meeting]
) -> dict[int, list[Participant]]:
    """For each meeting, the approved colleagues not yet in it (one query for all meetings)."""
    if participant.organisation_id is None:
        return {m.id: [] for m in meetings}
    rows = db.session.execute(
        db.select(Participant)
        .filter_by(event_id=participant.event_id, organisation_id=participant.organisation_id)
        .options(joinedload(Participant.account))
    ).scalars()
    team = [p for p in rows if p.is_approved or p.is_organiser]
    return {m.id: [p for p in team if p.id not in {q.id for q in m.participants}] for m in meetings}
