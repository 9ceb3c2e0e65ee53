"""Registrations as one person sees them across events."""

from __future__ import annotations

from flask import abort
from sqlalchemy.orm import contains_eager

from partnering.access import row_of_event_or_404
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


def participations_by_event(account: Account) -> dict[int, Participant]:
    """The account's participant record in each event, by event id (deleted ones included:
    the front page shows that the account was there)."""
    rows = db.session.scalars(db.select(Participant).filter_by(account_id=account.id))
    return {p.event_id: p for p in rows}


def participants_or_404(event: Event, ids: list[int]) -> list[Participant]:
    """The participants of `event` named, in the order named, once each; 404 when one is not
    of this event."""
    wanted = list(dict.fromkeys(ids))
    found = db.session.execute(
        db.select(Participant).filter(Participant.id.in_(wanted), Participant.event_id == event.id)
    ).scalars()
    by_id = {p.id: p for p in found}
    if len(by_id) != len(wanted):
        abort(404)
    return [by_id[i] for i in wanted]


def participant_or_404(event: Event, participant_id: int) -> Participant:
    """A participant of `event`; anybody else is not found."""
    return row_of_event_or_404(Participant, participant_id, event)
