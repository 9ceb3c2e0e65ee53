"""What the organiser's check-in desk reads: participants found by name or organisation, with
today's check-in, and how many have arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload

from partnering.attendance.models import CheckIn
from partnering.auth.models import Account
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Organisation, Participant, RegistrationStatus

SEARCH_LIMIT = 25
"""Most people listed for one search: on a phone, a longer list is typed away, not scrolled."""


@dataclass(frozen=True)
class Arrival:
    participant: Participant
    check_in: CheckIn | None


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def find_for_check_in(event: Event, words: str, day: date | None) -> list[Arrival]:
    """Approved participants whose name, email or organisation holds `words`."""
    words = words.strip()
    if not words:
        return []
    pattern = _like(words)
    people = (
        db.session.execute(
            db.select(Participant)
            .join(Account, Account.id == Participant.account_id)
            .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
            .filter(
                Participant.event_id == event.id,
                Participant.status == RegistrationStatus.APPROVED,
                or_(
                    func.lower(Account.name).like(pattern, escape="\\"),
                    func.lower(Account.email).like(pattern, escape="\\"),
                    func.lower(Organisation.name).like(pattern, escape="\\"),
                ),
            )
            .options(joinedload(Participant.account), joinedload(Participant.organisation))
            .order_by(Account.name, Participant.id)
            .limit(SEARCH_LIMIT)
        )
        .scalars()
        .all()
    )
    return _with_check_ins(people, day)


def arrival_of(participant: Participant, day: date | None) -> Arrival:
    return _with_check_ins([participant], day)[0]


def _with_check_ins(people: list[Participant], day: date | None) -> list[Arrival]:
    found = {}
    if day is not None and people:
        found = {
            c.participant_id: c
            for c in db.session.execute(
                db.select(CheckIn).filter(
                    CheckIn.participant_id.in_([p.id for p in people]), CheckIn.day == day
                )
            ).scalars()
        }
    return [Arrival(p, found.get(p.id)) for p in people]


def arrivals_count(event: Event, day: date | None) -> tuple[int, int]:
    """(checked in on `day`, approved participants)."""
    approved = db.session.scalar(
        db.select(func.count(Participant.id)).filter_by(
            event_id=event.id, status=RegistrationStatus.APPROVED, role="participant"
        )
    )
    arrived = 0
    if day is not None:
        arrived = db.session.scalar(
            db.select(func.count(CheckIn.id)).filter_by(event_id=event.id, day=day)
        )
    return arrived or 0, approved or 0
