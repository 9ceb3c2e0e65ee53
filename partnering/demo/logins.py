"""Who to log in as in the demo event: the organiser and the most requested people of two
kinds, found in the event as it is (the demo may have been used since it was made)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from partnering.auth.models import Account
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    meeting_participant,
)
from partnering.registrations.models import Organisation, Participant, RegistrationStatus


@dataclass(frozen=True)
class DemoLogin:
    who: str
    account: Account


def demo_logins(event: Event) -> list[DemoLogin]:
    """Who to log in as: the organiser, a start-up with requests waiting for an answer, and a
    much-requested pharma partner."""
    logins = []
    organiser = db.session.execute(
        select(Participant)
        .filter_by(event_id=event.id, role="organiser")
        .order_by(Participant.id)
        .limit(1)
    ).scalar_one_or_none()
    if organiser is not None:
        logins.append(DemoLogin("the organiser (also a site administrator)", organiser.account))
    for kind, who in (("sme", "a start-up founder"), ("pharma", "a pharma partner")):
        person = _most_asked(event, kind)
        if person is not None:
            logins.append(
                DemoLogin(f"{who}, {person.name} ({person.organisation.name})", person.account)
            )
    return logins


def _most_asked(event: Event, kind: str) -> Participant | None:
    """The person of this organisation type with the most requests waiting for their answer,
    preferring someone who can still accept one."""
    pending = func.count(MeetingRequest.id)
    candidates = db.session.scalars(
        select(Participant)
        .join(Organisation, Participant.organisation_id == Organisation.id)
        .join(
            MeetingRequest,
            (MeetingRequest.recipient_id == Participant.id)
            & (MeetingRequest.status == RequestStatus.PENDING),
        )
        .where(
            Participant.event_id == event.id,
            Participant.status == RegistrationStatus.APPROVED,
            Participant.role == "participant",
            Organisation.kind == kind,
        )
        .group_by(Participant.id)
        .order_by(pending.desc(), Participant.id)
        .limit(30)
    ).all()
    agreed = dict(
        db.session.execute(
            select(meeting_participant.c.participant_id, func.count())
            .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
            .where(
                Meeting.status == MeetingStatus.ACTIVE,
                meeting_participant.c.participant_id.in_([p.id for p in candidates]),
            )
            .group_by(meeting_participant.c.participant_id)
        ).all()
    )
    with_room = [
        p for p in candidates if p.meeting_limit is None or agreed.get(p.id, 0) < p.meeting_limit
    ]
    return (with_room or candidates or [None])[0]
