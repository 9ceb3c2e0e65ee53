"""Emails about a registration its address's owner has to confirm. Each is queued in the
caller's transaction and carries a login link that leads to the confirmation page: only the
owner of the address can follow it."""

from __future__ import annotations

from flask import url_for

from partnering.auth.operations import login_url
from partnering.outbox.operations import queue_email
from partnering.registrations.models import Participant


def _confirm_link(participant: Participant) -> str:
    return login_url(
        participant.account, url_for("registrations.confirm", slug=participant.event.slug)
    )


def ask_to_confirm(participant: Participant) -> None:
    """Somebody who was not logged in registered this address, which has an account."""
    event = participant.event
    organisation = participant.organisation.name if participant.organisation else ""
    queue_email(
        participant.email,
        f"{event.name}: confirm your registration",
        f"Hello {participant.account.name},\n\n"
        f"Someone registered this address for {event.name}"
        f"{f' (organisation: {organisation})' if organisation else ''}.\n\n"
        "If it was you, log in with this link (it works once, for 24 hours) and confirm:\n"
        f"{_confirm_link(participant)}\n\n"
        "If it was not you, ignore this email: the registration is not used, and the "
        "organisers do not see it unless you confirm it.\n",
        kind="login",  # no event: the organisers' outbox must not show it either
    )


def invite(participant: Participant) -> None:
    """An organiser imported this address, which has an account, into their event."""
    event = participant.event
    queue_email(
        participant.email,
        f"{event.name}: you are invited",
        f"Hello {participant.account.name},\n\n"
        f"The organisers of {event.name} added this address to the event's participants. "
        "To take part, log in with this link (it works once, for 24 hours) and confirm:\n"
        f"{_confirm_link(participant)}\n\n"
        "If you do not want to take part, ignore this email: you are not listed unless you "
        "confirm.\n",
        kind="login",
        event_id=event.id,
    )
