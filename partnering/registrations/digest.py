"""The organisers' email digest of new registrations: who registered for their event since the
last digest, at most every REGISTRATION_DIGEST_HOURS hours and only when there is someone new.

Counted are the people who registered themselves (they agreed to the privacy note; imports
are the organisers' own doing) and are pending, approved or rejected. Each event's digest is
decided under the event's lock and recorded (RegistrationDigest) in the transaction that
queues its emails, so two consumers never send the same digest twice."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from partnering.auth.models import Account
from partnering.db_types import utcnow
from partnering.events.models import Event
from partnering.extensions import db
from partnering.locks import lock_for_writing
from partnering.outbox.operations import queue_email
from partnering.public_urls import public_urls
from partnering.registrations.models import (
    DECIDED_STATUSES,
    Participant,
    RegistrationDigest,
    RegistrationStatus,
)

LISTED = 50
"""Names in one digest; more are counted."""


def send_digests() -> int:
    """Every event's digest that is due; returns how many events had one."""
    hours = current_app.config["REGISTRATION_DIGEST_HOURS"]
    if not hours:
        return 0
    event_ids = list(db.session.execute(select(Event.id).order_by(Event.id)).scalars())
    return sum(_send_digest(event_id, timedelta(hours=hours)) for event_id in event_ids)


def _send_digest(event_id: int, every: timedelta) -> bool:
    event = db.session.get(Event, event_id)
    lock_for_writing(event)
    now = utcnow()
    digest = db.session.get(RegistrationDigest, event.id)
    since = digest.sent_through if digest is not None else event.created_at
    if digest is not None and now - digest.sent_through < every:
        db.session.rollback()
        return False
    new = _registered_between(event, since, now)
    organisers = _organisers(event)
    if not new or not organisers:
        db.session.rollback()
        return False
    with public_urls():
        for organiser in organisers:
            _queue(event, organiser, new)
    if digest is None:
        db.session.add(RegistrationDigest(event_id=event.id, sent_through=now))
    else:
        digest.sent_through = now
    db.session.commit()
    return True


def _registered_between(event: Event, since, until) -> list[Participant]:
    return list(
        db.session.execute(
            select(Participant)
            .join(Participant.account)
            .where(
                Participant.event_id == event.id,
                Participant.role == "participant",
                Participant.status.in_(DECIDED_STATUSES),
                Participant.privacy_consent_at.is_not(None),
                Participant.created_at > since,
                Participant.created_at <= until,
            )
            .options(contains_eager(Participant.account))
            .order_by(Participant.created_at, Participant.id)
        ).scalars()
    )


def _organisers(event: Event) -> list[Participant]:
    return list(
        db.session.execute(
            select(Participant)
            .join(Participant.account)
            .where(
                Participant.event_id == event.id,
                Participant.role == "organiser",
                Participant.status != RegistrationStatus.DELETED,
            )
            .options(contains_eager(Participant.account))
            .order_by(Account.name)
        ).scalars()
    )


def _queue(event: Event, organiser: Participant, new: list[Participant]) -> None:
    pending = sum(1 for p in new if p.is_pending)
    lines = [
        f"- {p.name}"
        + (f", {p.organisation.name}" if p.organisation else "")
        + f" ({p.status.label.lower()})"
        for p in new[:LISTED]
    ]
    if len(new) > LISTED:
        lines.append(f"... and {len(new) - LISTED} more.")
    people = f"{len(new)} new registration{'s' if len(new) != 1 else ''}"
    waiting = f", {pending} waiting for your decision" if pending else ""
    queue_email(
        organiser.email,
        f"{event.name}: {people}",
        f"Hello {organiser.name},\n\n{people} for {event.name} since the last digest{waiting}:\n"
        + "\n".join(lines)
        + "\n\nReview them here:\n"
        + url_for("admin.participants", slug=event.slug, _external=True)
        + "\n",
        kind="digest",
        event_id=event.id,
    )
