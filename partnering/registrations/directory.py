"""Who a participant may see: the directory search and the profile pages."""

from __future__ import annotations

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, or_
from sqlalchemy.orm import contains_eager

from partnering.auth.models import Account
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import MeetingRequest, meeting_participant
from partnering.meetings.rules import shared_meeting
from partnering.registrations.models import Organisation, Participant, RegistrationStatus


def listed(event: Event) -> Select:
    """Participants shown in the event's directory: approved, and consenting to be shown."""
    return (
        db.select(Participant)
        .join(Participant.account)
        .outerjoin(Participant.organisation)
        .where(Participant.event_id == event.id)
        .where(
            Participant.status == RegistrationStatus.APPROVED,
            Participant.show_profile.is_(True),
        )
    )


MAX_SEARCH_WORDS = 20
"""Each word adds a condition on seven columns; thousands overflow the database's expression
limit, and more than a few narrow a search to nothing anyway."""


def search_words(text: str) -> list[str]:
    return text.split()[:MAX_SEARCH_WORDS]


def search_page(query: Select, *, page: int, per_page: int) -> Pagination:
    """One page of a search's results (a page past the end is empty)."""
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def search(
    event: Event,
    viewer: Participant | None,
    *,
    text: str = "",
    country: str = "",
    kind: str = "",
    topic: str = "",
) -> Select:
    """The other listed participants matching every filter given, by name. Each word of `text`
    must appear in the person's name, organisation, topics, job title, offer, need or
    description."""
    query = listed(event)
    if viewer is not None:
        query = query.where(Participant.id != viewer.id)
    for word in search_words(text):
        pattern = f"%{_escape_like(word)}%"
        query = query.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Account.name,
                        Organisation.name,
                        Participant.topics_text,
                        Participant.job_title,
                        Participant.offer,
                        Participant.seek,
                        Participant.description,
                    )
                )
            )
        )
    if country:
        query = query.where(Organisation.country == country)
    if kind:
        query = query.where(Organisation.kind == kind)
    if topic:
        query = query.where(_has_line(Participant.topics_text, topic))
    # The joins above also fill in what each card shows: no query per person.
    return query.order_by(Account.name, Participant.id).options(
        contains_eager(Participant.account), contains_eager(Participant.organisation)
    )


def countries(event: Event) -> list[str]:
    rows = db.session.execute(
        listed(event).with_only_columns(Organisation.country).distinct()
    ).scalars()
    return sorted(c for c in rows if c)


def visible_or_404(viewer: Participant, participant_id: int) -> Participant:
    """A participant of the viewer's event whose profile the viewer may see: listed ones,
    themselves, and people they exchanged requests or share meetings with; organisers see
    everyone."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.event_id != viewer.event_id:
        abort(404)
    if participant.id == viewer.id:
        return participant
    # An unconfirmed registration is not one until its address's owner confirms it.
    if participant.status == RegistrationStatus.UNCONFIRMED:
        abort(404)
    if viewer.is_organiser:
        return participant
    if participant.is_deleted or participant.awaits_confirmation:
        abort(404)
    if participant.is_approved and participant.show_profile:
        return participant
    if _in_contact(viewer, participant):
        return participant
    abort(404)


def contact_visible(viewer: Participant, person: Participant) -> bool:
    """Whether the viewer may see the person's contact details (email), by the event's
    setting; organisers always do, and everyone sees their own."""
    if viewer.id == person.id or viewer.is_organiser:
        return True
    setting = person.event.contact_visibility
    if setting == "participants":
        return person.is_approved and (person.show_profile or _in_contact(viewer, person))
    if setting == "meeting":
        return shared_meeting(viewer, person) is not None
    return False


def public_organisation_names(event: Event) -> list[str]:
    """Organisations anybody may see: those of an approved participant who shows their
    profile (the others' organisations are as private as their registration)."""
    return list(
        db.session.execute(
            db.select(Organisation.name)
            .where(Organisation.event_id == event.id)
            .where(
                Organisation.id.in_(
                    db.select(Participant.organisation_id).where(
                        Participant.event_id == event.id,
                        Participant.status == RegistrationStatus.APPROVED,
                        Participant.show_profile.is_(True),
                    )
                )
            )
            .order_by(Organisation.name)
        ).scalars()
    )


def _in_contact(a: Participant, b: Participant) -> bool:
    """Whether the two exchanged a request or share a meeting (imported, or as a colleague)."""
    pair = or_(
        (MeetingRequest.sender_id == a.id) & (MeetingRequest.recipient_id == b.id),
        (MeetingRequest.sender_id == b.id) & (MeetingRequest.recipient_id == a.id),
    )
    if db.session.execute(db.select(MeetingRequest.id).where(pair).limit(1)).first():
        return True
    with_a = db.select(meeting_participant.c.meeting_id).where(
        meeting_participant.c.participant_id == a.id
    )
    shared = db.select(meeting_participant.c.meeting_id).where(
        meeting_participant.c.participant_id == b.id,
        meeting_participant.c.meeting_id.in_(with_a),
    )
    return db.session.execute(shared.limit(1)).first() is not None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _has_line(column, line: str):
    """The text column holds `line` as one of its lines (topics are stored one per line)."""
    escaped = _escape_like(line)
    return or_(
        column == line,
        column.like(f"{escaped}\n%", escape="\\"),
        column.like(f"%\n{escaped}", escape="\\"),
        column.like(f"%\n{escaped}\n%", escape="\\"),
    )
