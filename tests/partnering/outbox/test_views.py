from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.outbox.operations import queue_email


def test_organiser_sees_the_outbox_and_resends_a_failed_email(
    client, auth, create_event, create_participant
):
    event = create_event()
    organiser = create_participant(event, role="organiser")
    row = queue_email("x@example.org", "Agenda", "Hi", event_id=event.id)
    row.status, row.attempts, row.last_error = "failed", 8, "SMTPServerDisconnected: gone"
    db.session.commit()
    auth.login(organiser)
    page = client.get("/e/osaka/outbox/")
    assert page.status_code == 200
    assert b"SMTPServerDisconnected: gone" in page.data
    assert client.post(f"/e/osaka/outbox/{row.id}/resend").status_code == 302
    db.session.refresh(row)
    # HUEY_IMMEDIATE: the resend delivered it at once (to the log: no mail server in tests).
    assert row.status == "sent"


def test_a_sent_email_is_resent_as_a_new_copy(client, auth, create_event, create_participant):
    event = create_event()
    organiser = create_participant(event, role="organiser")
    row = queue_email("x@example.org", "Agenda", "Hi", event_id=event.id)
    row.status = "sent"
    db.session.commit()
    auth.login(organiser)
    client.post(f"/e/osaka/outbox/{row.id}/resend")
    rows = db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert len(rows) == 2
    assert rows[1].message_id != rows[0].message_id and rows[1].subject == "Agenda"


def test_participants_cannot_see_the_outbox(client, auth, create_event, create_participant):
    event = create_event()
    auth.login(create_participant(event))
    assert client.get("/e/osaka/outbox/").status_code == 403
