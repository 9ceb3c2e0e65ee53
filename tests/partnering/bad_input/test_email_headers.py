"""A name stored with a line break (before fields refused them) cannot stop a publication or a
cancellation: headers are made one line, and an email that cannot be built at all is stored as
failed with its reason while the others go out."""

from __future__ import annotations

from email import message_from_bytes, policy

from partnering.agenda.calendars import agenda_calendar
from partnering.auth.models import Account
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.outbox.operations import ResendRefused, one_email, queue_email, resend
from partnering.outbox.sender import deliver_due
from partnering.public_urls import public_urls
from tests.partnering.agenda.conftest import build_event

BROKEN = "Marc\r\nBcc: everyone@example.org\r\nDubois"


def _received(smtp_server) -> dict[str, list]:
    deliver_due()
    received: dict[str, list] = {}
    for raw in smtp_server.inbox.messages:
        message = message_from_bytes(raw, policy=policy.default)
        received.setdefault(message["To"], []).append(message)
    smtp_server.inbox.messages.clear()
    return received


def test_publish_and_cancel_go_out_despite_a_stored_name_with_a_line_break(
    client, auth, create_event, create_participant, smtp_server
):
    fixture = build_event(create_event, create_participant, publish=False)
    db.session.execute(
        db.update(Account).where(Account.id == fixture.marc.account_id).values(name=BROKEN)
    )
    db.session.commit()
    auth.login(fixture.organiser)

    response = client.post("/e/osaka/schedule/publish", data={"state": "final"})
    assert response.status_code == 302
    received = _received(smtp_server)
    assert set(received) == {"aiko@example.jp", "marc@example.fr", "jun@example.kr"}
    for [message] in received.values():
        assert "Bcc" not in message and "\n" not in message["Subject"]

    with public_urls():  # the calendar download and the feed build the same calendar
        calendar = agenda_calendar(fixture.marc)
    assert b"Marc Bcc: everyone@example.org Dubois" in calendar
    response = client.post(f"/e/osaka/schedule/meetings/{fixture.first.id}/cancel")
    assert response.status_code == 302
    received = _received(smtp_server)
    assert set(received) == {"aiko@example.jp", "marc@example.fr"}
    [to_aiko] = received["aiko@example.jp"]
    assert to_aiko["Subject"].startswith("Cancelled: your meeting with Marc Bcc:")
    assert "Bcc" not in to_aiko
    failed = db.session.execute(db.select(OutboxMessage).filter_by(status="failed")).all()
    assert failed == []


def test_a_subject_with_a_line_break_is_one_line_in_the_header(ctx):
    row = queue_email("x@example.org", "Hello\r\nBcc: y@example.org", "Hi")
    db.session.commit()
    message = message_from_bytes(row.raw, policy=policy.default)
    assert message["Subject"] == "Hello Bcc: y@example.org" and "Bcc" not in message
    assert row.subject == "Hello Bcc: y@example.org"


def test_an_email_that_cannot_be_built_is_failed_with_its_reason_and_the_rest_goes(
    client, auth, create_event, create_participant
):
    event = create_event()
    organiser = create_participant(event, role="organiser")
    for n in range(3):
        with one_email(f"p{n}@example.org", f"Agenda {n}", kind="agenda", event_id=event.id):
            if n == 1:
                raise ValueError("no calendar for this one")
            queue_email(f"p{n}@example.org", f"Agenda {n}", "Hi", kind="agenda", event_id=event.id)
    db.session.commit()
    rows = {row.recipient: row for row in db.session.execute(db.select(OutboxMessage)).scalars()}
    assert rows["p0@example.org"].status == rows["p2@example.org"].status == "waiting"
    failed = rows["p1@example.org"]
    assert failed.status == "failed" and failed.raw == b""
    assert "ValueError: no calendar for this one" in failed.last_error
    auth.login(organiser)
    page = client.get("/e/osaka/outbox/?status=failed")
    assert b"no calendar for this one" in page.data
    assert f"/outbox/{failed.id}/resend".encode() not in page.data
    try:
        resend(failed)
    except ResendRefused:
        pass
    else:
        raise AssertionError("a message that was never built was queued again")
    page = client.post(f"/e/osaka/outbox/{failed.id}/resend", follow_redirects=True)
    assert page.status_code == 200 and b"could not be built" in page.data
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).status == "failed"
