"""The email that answers a login-link request, whoever owns the address: a login link for an
account, and for an address without one, a note saying so and where to register. Either way
exactly one email goes, so the address's owner is the only one who learns which it was."""

from __future__ import annotations

from flask import url_for

from partnering.auth.operations import normalise_email, send_login_link
from partnering.db_types import utcnow
from partnering.events.models import Event
from partnering.extensions import db
from partnering.outbox.operations import queue_email

MAX_EVENTS_LISTED = 10


def answer_login_request(email: str, next_url: str | None) -> None:
    """Queue the answer in the outbox and commit (in a job: see partnering.auth.tasks)."""
    if not send_login_link(email, next_url):
        no_account(normalise_email(email))
        db.session.commit()


def open_events() -> list[Event]:
    """Events whose registration is open, newest first."""
    query = (
        db.select(Event)
        .where(Event.registration_deadline.is_(None) | (Event.registration_deadline >= utcnow()))
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(MAX_EVENTS_LISTED)
    )
    return list(db.session.execute(query).scalars())


def no_account(email: str) -> None:
    site = url_for("site.index", _external=True)
    events = [
        f"- {event.name}: {url_for('registrations.register', slug=event.slug, _external=True)}"
        for event in open_events()
    ]
    where = (
        "To take part in an event, register for it; the registration gives you an account:\n"
        + "\n".join(events)
        if events
        else f"No event is open for registration at the moment; the events are listed at {site}"
    )
    queue_email(
        email,
        "Your login link request",
        "Hello,\n\n"
        f"Someone, perhaps you, asked for a login link for this address at {site}, but this "
        "address has no account there, so there is no link to send.\n\n"
        f"{where}\n\n"
        "If you did not ask for a login link, ignore this email.\n",
        kind="login",  # no event: the organisers' outbox must not show it
    )
