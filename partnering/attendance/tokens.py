"""The check-in link printed on a participant's agenda (as a QR code): signed with the app's
secret key and a salt of its own, so nobody can make the link of someone else, and a login
link's signature is no check-in link's. It carries no time and does not expire (agendas are
printed days ahead), so a person's code is the same on every printout."""

from __future__ import annotations

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant

SALT = "check-in"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def check_in_token(participant: Participant) -> str:
    return _serializer().dumps({"e": participant.event_id, "p": participant.id})


def check_in_url(participant: Participant) -> str:
    return url_for(
        "attendance.scanned",
        slug=participant.event.slug,
        token=check_in_token(participant),
        _external=True,
    )


def participant_for_token(event: Event, token: str) -> Participant | None:
    """The participant of `event` a valid check-in token names; None for anything else."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != event.id:
        return None
    if not isinstance(data.get("p"), int):
        return None
    participant = db.session.get(Participant, data["p"])
    return participant if participant is not None and participant.event_id == event.id else None
