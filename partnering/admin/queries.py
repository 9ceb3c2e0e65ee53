"""Read-only questions the organiser's pages ask: the filtered participants list and the
dashboard's figures."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_
from sqlalchemy.orm import contains_eager, joinedload

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
from partnering.registrations.models import (
    DECIDED_STATUSES,
    Organisation,
    Participant,
    RegistrationStatus,
)

LISTED_STATUSES = tuple(s for s in RegistrationStatus if s != RegistrationStatus.UNCONFIRMED)
"""What the organiser sees: an unconfirmed registration is nobody's until its address's owner
confirms it."""


@dataclass(frozen=True)
class ParticipantFilter:
    q: str = ""
    status: str = ""
    kind: str = ""
    country: str = ""
    role: str = ""


def participants_query(event: Event, wanted: ParticipantFilter) -> Select:
    """The event's participants matching the search and filters, by name."""
    query = (
        db.select(Participant)
        .join(Participant.account)
        .outerjoin(Participant.organisation)
        .where(Participant.event_id == event.id, Participant.status.in_(LISTED_STATUSES))
        .order_by(func.lower(Account.name), Participant.id)
    )
    if wanted.q.strip():
        like = f"%{wanted.q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Account.name).like(like),
                func.lower(Account.email).like(like),
                func.lower(Organisation.name).like(like),
            )
        )
    if wanted.status:
        query = query.where(Participant.status == wanted.status)
    if wanted.role:
        query = query.where(Participant.role == wanted.role)
    if wanted.kind:
        query = query.where(Organisation.kind == wanted.kind)
    if wanted.country:
        query = query.where(Organisation.country == wanted.country)
    return query


def _listed(query: Select) -> Select:
    """With what a list row shows, loaded in the same query."""
    return query.options(
        contains_eager(Participant.account),
        contains_eager(Participant.organisation),
        joinedload(Participant.booth),
    )


def participants_page(
    event: Event, wanted: ParticipantFilter, *, page: int, per_page: int
) -> Pagination:
    """One page of the participants list (a page past the end is empty)."""
    return db.paginate(
        _listed(participants_query(event, wanted)),
        page=page,
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )


def listed_participants(event: Event, wanted: ParticipantFilter) -> list[Participant]:
    """The whole filtered list (the CSV export)."""
    return list(db.session.scalars(_listed(participants_query(event, wanted))))


def countries(event: Event) -> list[str]:
    rows = db.session.execute(
        db.select(Organisation.country)
        .where(Organisation.event_id == event.id, Organisation.country != "")
        .distinct()
        .order_by(Organisation.country)
    )
    return list(rows.scalars())


@dataclass(frozen=True)
class Dashboard:
    registrations: dict[str, int]
    requests: dict[str, int]
    meetings: int
    placed_meetings: int
    most_requested: list[tuple[Participant, int]]
    without_meeting: list[Participant]
    without_meeting_count: int
    slots: int
    tables: int

    @property
    def pending_registrations(self) -> int:
        return self.registrations[RegistrationStatus.PENDING]

    @property
    def pending_requests(self) -> int:
        return self.requests[RequestStatus.PENDING]


def _counts(column, event_column, event: Event, keys: tuple[str, ...]) -> dict[str, int]:
    rows = db.session.execute(
        db.select(column, func.count()).where(event_column == event.id).group_by(column)
    )
    found = dict(rows.tuples().all())
    return {key: found.get(key, 0) for key in keys}


def dashboard(event: Event, *, top: int = 10, listed: int = 20) -> Dashboard:
    active = (Meeting.event_id == event.id) & (Meeting.status == MeetingStatus.ACTIVE)
    meetings = db.session.scalar(db.select(func.count(Meeting.id)).where(active))
    placed = db.session.scalar(
        db.select(func.count(Meeting.id)).where(
            active, Meeting.slot_id.is_not(None), Meeting.table_id.is_not(None)
        )
    )
    received = func.count(MeetingRequest.id).label("received")
    most_requested = db.session.execute(
        db.select(Participant, received)
        .join(MeetingRequest, MeetingRequest.recipient_id == Participant.id)
        .where(Participant.event_id == event.id)
        .group_by(Participant.id)
        .order_by(received.desc(), Participant.id)
        .limit(top)
    ).all()
    with_meeting = (
        db.select(meeting_participant.c.participant_id)
        .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
        .where(active)
    )
    lonely = (
        db.select(Participant)
        .join(Participant.account)
        .where(
            Participant.event_id == event.id,
            Participant.status == RegistrationStatus.APPROVED,
            Participant.role == "participant",
            Participant.id.not_in(with_meeting),
        )
    )
    return Dashboard(
        registrations=_counts(Participant.status, Participant.event_id, event, DECIDED_STATUSES),
        requests=_counts(
            MeetingRequest.status, MeetingRequest.event_id, event, tuple(RequestStatus)
        ),
        meetings=meetings,
        placed_meetings=placed,
        most_requested=[(p, n) for p, n in most_requested],
        without_meeting=list(
            db.session.execute(lonely.order_by(func.lower(Account.name)).limit(listed)).scalars()
        ),
        without_meeting_count=db.session.scalar(
            db.select(func.count()).select_from(lonely.subquery())
        ),
        slots=len(event.slots),
        tables=sum(1 for t in event.tables if not t.hidden),
    )
