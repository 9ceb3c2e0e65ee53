"""Calendar subscription links: one secret per participant, replaced to revoke the old link."""

from __future__ import annotations

import hmac

from partnering.agenda.models import FeedToken, new_feed_secret
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant


def feed_token(participant: Participant) -> FeedToken | None:
    return db.session.execute(
        db.select(FeedToken).filter_by(participant_id=participant.id)
    ).scalar_one_or_none()


def renew_feed_token(participant: Participant) -> FeedToken:
    """A new subscription secret; the previous link stops working at once."""
    token = feed_token(participant)
    if token is None:
        token = FeedToken(participant_id=participant.id)
        db.session.add(token)
    else:
        token.secret = new_feed_secret()
    db.session.commit()
    return token


def participant_for_feed(event: Event, participant_id: int, secret: str) -> Participant | None:
    """The participant of `event` a feed link belongs to, while they take part in it (approved,
    or an organiser), or None; the secret is compared in constant time.

    A link made before the event was moved here from another database carries that database's
    participant id: the secret travelled with the event, so the link is found by its secret
    within the event (192 random bits: an equality lookup gives nothing away)."""
    token = db.session.execute(
        db.select(FeedToken).filter_by(participant_id=participant_id)
    ).scalar_one_or_none()
    if token is None or not hmac.compare_digest(token.secret.encode(), secret.encode()):
        token = db.session.execute(
            db.select(FeedToken)
            .join(Participant, Participant.id == FeedToken.participant_id)
            .where(Participant.event_id == event.id, FeedToken.secret == secret)
        ).scalar_one_or_none()
    if token is None or token.participant.event_id != event.id:
        return None
    participant = token.participant
    # A rejected or deleted participant's calendar learns nothing more.
    if not (participant.is_approved or participant.is_organiser):
        return None
    return participant
