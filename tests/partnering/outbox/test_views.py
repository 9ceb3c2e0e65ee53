from datetime import timedelta

from partnering.db_types import utcnow
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
    assert row.status == "logged"


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


def test_the_organiser_opens_a_message_and_reads_all_of_it(
    client, auth, create_event, create_participant
):
    event = create_event()
    organiser = create_participant(event, role="organiser")
    row = queue_email(
        "x@example.org",
        "Your agenda",
        "Hello <Aiko>,\nline two",
        html="<p>Hi</p>",
        event_id=event.id,
    )
    row.status, row.attempts, row.last_error = "waiting", 3, "SMTPServerDisconnected: gone"
    row.next_attempt_at = utcnow() + timedelta(minutes=5)  # retried later, not by this visit
    db.session.commit()
    auth.login(organiser)
    index = client.get("/e/osaka/outbox/").get_data(as_text=True)
    assert f'href="/e/osaka/outbox/{row.id}?status="' in index
    page = client.get(f"/e/osaka/outbox/{row.id}").get_data(as_text=True)
    assert "x@example.org" in page and "Your agenda" in page
    assert "Hello &lt;Aiko&gt;,\nline two" in page  # the full text, escaped
    assert "HTML version" in page
    assert ">Waiting<" in page and ">3 · next try" in page
    assert "SMTPServerDisconnected: gone" in page


def test_a_message_of_another_event_is_404(client, auth, create_event, create_participant):
    event, other = create_event(), create_event(slug="other")
    row = queue_email("x@example.org", "Agenda", "Hi", event_id=other.id)
    db.session.commit()
    auth.login(create_participant(event, role="organiser"))
    assert client.get(f"/e/osaka/outbox/{row.id}").status_code == 404


def test_without_a_mail_server_a_message_is_not_called_sent(
    app, client, auth, create_event, create_participant
):
    from partnering.outbox.sender import deliver_due

    event = create_event()
    organiser = create_participant(event, role="organiser")
    row = queue_email("x@example.org", "Agenda", "Hi", event_id=event.id)
    db.session.commit()
    assert app.config["MAIL_SERVER"] in ("", None)
    deliver_due()
    db.session.refresh(row)
    assert row.status == "logged"
    auth.login(organiser)
    index = client.get("/e/osaka/outbox/").get_data(as_text=True)
    assert "Written to the log (no mail server)" in index
    assert ">Sent<" not in index
    page = client.get(f"/e/osaka/outbox/{row.id}").get_data(as_text=True)
    assert "not sent" in page and "Written to the log (no mail server)" in page


def test_with_a_mail_server_a_delivered_message_is_sent(
    client, auth, create_event, create_participant, smtp_server
):
    from partnering.outbox.sender import deliver_due

    event = create_event()
    organiser = create_participant(event, role="organiser")
    row = queue_email("x@example.org", "Agenda", "Hi", event_id=event.id)
    db.session.commit()
    deliver_due()
    db.session.refresh(row)
    assert row.status == "sent" and len(smtp_server.inbox.messages) == 1
    auth.login(organiser)
    page = client.get(f"/e/osaka/outbox/{row.id}").get_data(as_text=True)
    assert 'id="message-status">Sent<' in page
