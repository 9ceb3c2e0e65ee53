"""Registrations as one person sees them across events."""

from __future__ import annotations

from sqlalchemy.orm import contains_eager

from partnering.auth.models import Account
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant, RegistrationStatus


def registrations_of(account: Account) -> list[Participant]:
    """The account's registrations with their events, newest event first; deleted ones (their
    data is gone) left out."""
    return list(
        db.session.scalars(
            db.select(Participant)
            .join(Participant.event)
            .options(contains_eager(Participant.event))
            .where(
                Participant.account_id == account.id,
                Participant.status != RegistrationStatus.DELETED,
            )
            .order_by(Event.created_at.desc(), Event.id.desc())
        )
    )
