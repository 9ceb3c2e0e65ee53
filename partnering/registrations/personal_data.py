"""Everything the event holds about one participant, as a JSON-ready dict: what they download
from their profile page (their right of access)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from partnering.agenda.models import FeedToken
from partnering.attendance.models import CheckIn, NoShow
from partnering.events.models import Slot
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, meeting_participant
from partnering.registrations.models import Participant


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _person(participant: Participant) -> dict[str, Any]:
    """Someone else, as this participant knows them."""
    organisation = participant.organisation
    return {"name": participant.name, "organisation": organisation.name if organisation else None}


def personal_data(participant: Participant) -> dict[str, Any]:
    event = participant.event
    organisation = participant.organisation
    requests = db.session.scalars(
        db.select(MeetingRequest)
        .where(
            (MeetingRequest.sender_id == participant.id)
            | (MeetingRequest.recipient_id == participant.id)
        )
        .order_by(MeetingRequest.created_at, MeetingRequest.id)
    )
    mine = db.select(meeting_participant.c.meeting_id).where(
        meeting_participant.c.participant_id == participant.id
    )
    meetings = db.session.scalars(
        db.select(Meeting).where(Meeting.id.in_(mine)).order_by(Meeting.id)
    )
    return {
        "event": {"name": event.name, "address": event.slug, "timezone": event.timezone},
        "account": {
            "email": participant.account.email,
            "name": participant.account.name,
            "created_at": _instant(participant.account.created_at),
        },
        "registration": {
            "status": participant.status,
            "role": participant.role,
            "registered_at": _instant(participant.created_at),
            "privacy_consent_at": _instant(participant.privacy_consent_at),
            "show_profile": participant.show_profile,
            "max_meetings": participant.max_meetings,
            "booth": participant.booth.name if participant.booth else None,
        },
        "profile": {
            "job_title": participant.job_title,
            "organisation": organisation.name if organisation else None,
            "organisation_type": organisation.kind if organisation else None,
            "country": organisation.country if organisation else None,
            "topics": participant.topics,
            "offer": participant.offer,
            "seek": participant.seek,
            "description": participant.description,
        },
        "unavailable": [
            {"start": _instant(slot.start), "end": _instant(slot.end)}
            for slot in sorted(participant.unavailable_slots, key=lambda s: s.start)
        ],
        "meeting_requests": [
            {
                "direction": "sent" if r.sender_id == participant.id else "received",
                "with": _person(r.recipient if r.sender_id == participant.id else r.sender),
                "message": r.message,
                "priority": r.priority,
                "status": r.status,
                "sent_at": _instant(r.created_at),
                "answered_at": _instant(r.answered_at),
            }
            for r in requests
        ],
        "meetings": [
            {
                "with": [_person(p) for p in m.others(participant)],
                "status": m.status,
                "start": _instant(m.slot.start) if m.slot else None,
                "end": _instant(m.slot.end) if m.slot else None,
                "table": m.table.name if m.table else None,
                "cancelled_at": _instant(m.cancelled_at),
            }
            for m in meetings
        ],
        "check_ins": [
            {
                "day": c.day.isoformat(),
                "at": _instant(c.checked_in_at),
                "method": c.method,
                "by_themselves": c.checked_in_by_id == participant.account_id,
            }
            for c in db.session.scalars(
                db.select(CheckIn)
                .filter_by(participant_id=participant.id)
                .order_by(CheckIn.day, CheckIn.id)
            )
        ],
        "no_shows": [_no_show(n, participant) for n in _no_shows(participant, mine)],
        "calendar_subscription": _has_feed(participant),
    }


def _no_shows(participant: Participant, mine) -> list[NoShow]:
    """Marks made by them, and marks on their meetings (which say they, or the other side,
    did not come)."""
    return list(
        db.session.scalars(
            db.select(NoShow)
            .where(NoShow.event_id == participant.event_id)
            .where((NoShow.marked_by_id == participant.account_id) | NoShow.meeting_id.in_(mine))
            .order_by(NoShow.marked_at, NoShow.id)
        )
    )


def _no_show(mark: NoShow, participant: Participant) -> dict[str, Any]:
    slot = db.session.get(Slot, mark.slot_id)
    by_them = mark.marked_by_id == participant.account_id
    return {
        "meeting_with": [_person(p) for p in mark.meeting.others(participant)],
        "slot_start": _instant(slot.start),
        "status": mark.status,
        "marked_by": "you" if by_them else mark.marked_by.name,
        "marked_at": _instant(mark.marked_at),
        "undone_at": _instant(mark.undone_at),
    }


def _has_feed(participant: Participant) -> bool:
    """Whether a subscription link exists (its secret is a key, shown on the agenda page)."""
    return (
        db.session.execute(db.select(FeedToken.id).filter_by(participant_id=participant.id)).first()
        is not None
    )
