"""The organisers' email digest of new registrations: a periodic job, at most every
REGISTRATION_DIGEST_HOURS, only when someone registered, each registration in one digest."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.registrations.digest import send_digests
from partnering.registrations.models import Participant, RegistrationDigest
from partnering.registrations.tasks import send_registration_digests


@pytest.fixture
def event(create_event, create_participant):
    event = create_event()
    create_participant(event, name="Olga Organiser", email="olga@example.org", role="organiser")
    create_participant(event, name="Omar Organiser", email="omar@example.org", role="organiser")
    return event


def registered(create_participant, event, name, status="pending", **fields):
    """Someone who registered themselves (they agreed to the privacy note)."""
    return create_participant(
        event, name=name, status=status, privacy_consent_at=utcnow(), **fields
    )


def digests() -> list[OutboxMessage]:
    return list(
        db.session.execute(
            db.select(OutboxMessage).filter_by(kind="digest").order_by(OutboxMessage.id)
        ).scalars()
    )


def text(message: OutboxMessage) -> str:
    parsed = message_from_bytes(message.raw, policy=policy.default)
    return parsed.get_body(("plain",)).get_content()


def time_passes(event, hours: float) -> None:
    """Everything so far happened `hours` earlier."""
    earlier = timedelta(hours=hours)
    db.session.get(RegistrationDigest, event.id).sent_through -= earlier
    for person in db.session.execute(db.select(Participant)).scalars():
        person.created_at -= earlier
    db.session.commit()


def test_each_organiser_gets_the_new_registrations_once(event, create_participant):
    registered(create_participant, event, "Aiko Sato", organisation="Kobe Bio")
    registered(create_participant, event, "Ben Okafor", status="approved")
    create_participant(event, name="Ida Imported")  # an import: the organisers' own doing

    assert send_digests() == 1
    sent = digests()
    assert sorted(m.recipient for m in sent) == ["olga@example.org", "omar@example.org"]
    body = text(sent[0])
    assert sent[0].subject == "Osaka Partnering Day: 2 new registrations"
    assert "Aiko Sato, Kobe Bio (pending)" in body and "Ben Okafor (approved)" in body
    assert "1 waiting for your decision" in body and "Ida Imported" not in body
    assert "/e/osaka/admin/participants" in body

    # Nobody new: no digest, however long it has been.
    time_passes(event, 30)
    assert send_digests() == 0 and len(digests()) == 2


def test_a_digest_waits_for_the_interval_and_lists_only_the_new_ones(
    app, event, create_participant
):
    registered(create_participant, event, "Aiko Sato")
    send_digests()
    registered(create_participant, event, "Chloé Martin")
    assert send_digests() == 0  # the last digest is less than 24 hours old
    time_passes(event, 25)
    assert send_digests() == 1
    latest = text(digests()[-1])
    assert "Chloé Martin" in latest and "Aiko Sato" not in latest
    assert "1 new registration for" in latest

    app.config["REGISTRATION_DIGEST_HOURS"] = 0  # switched off
    registered(create_participant, event, "Dmitri Ivanov")
    time_passes(event, 25)
    assert send_digests() == 0


def test_the_periodic_job_sends_the_digest_through_a_real_mail_server(
    event, create_participant, smtp_server
):
    registered(create_participant, event, "Aiko Sato")
    send_registration_digests.call_local()  # what the consumer runs every hour
    received = [message_from_bytes(m, policy=policy.default) for m in smtp_server.inbox.messages]
    assert sorted(m["To"] for m in received) == ["olga@example.org", "omar@example.org"]
    assert all("1 new registration" in m["Subject"] for m in received)
    assert all(m.status == "sent" for m in digests())
