import logging
from datetime import timedelta
from email import message_from_bytes, policy

from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.outbox import sender
from partnering.outbox.models import OutboxMessage
from partnering.outbox.operations import Attachment, queue_email


def queue(n: int, **kwargs) -> list[OutboxMessage]:
    rows = [
        queue_email(f"person{i}@example.org", f"Agenda {i}", f"Hello {i}", **kwargs)
        for i in range(n)
    ]
    db.session.commit()
    return rows


def parsed(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def test_without_a_mail_server_emails_are_written_to_the_log(ctx, caplog):
    caplog.set_level(logging.INFO)
    [row] = queue(1)
    assert sender.deliver_due().sent == 1
    # Honest: written to the log is not sent.
    assert row.status == "logged" and row.sent_at is not None
    assert "Email to person0@example.org: Agenda 0" in caplog.text
    assert "Hello 0" in caplog.text


def test_a_real_smtp_server_receives_text_html_and_attachment(ctx, smtp_server):
    calendar = b"BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"
    queue_email(
        "aiko@example.jp",
        "Your agenda",
        "Plain agenda",
        html="<p>HTML agenda</p>",
        attachments=[
            Attachment("agenda.ics", calendar, "text", "calendar", (("method", "PUBLISH"),))
        ],
    )
    db.session.commit()
    assert sender.deliver_due().sent == 1
    [raw] = smtp_server.inbox.messages
    message = parsed(raw)
    assert message["To"] == "aiko@example.jp"
    assert message.get_body(("plain",)).get_content().strip() == "Plain agenda"
    assert "HTML agenda" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == "agenda.ics"
    assert attachment.get_content().encode() == calendar or attachment.get_content() == calendar


def test_an_outage_mid_round_loses_nothing_and_duplicates_nothing(ctx, smtp_server):
    rows = queue(5)
    assert sender.deliver_due(limit=2).sent == 2  # the server takes the first two
    smtp_server.stop()  # then goes away

    outage = sender.deliver_due()
    assert (outage.sent, outage.retried) == (0, 1)
    waiting = [r for r in rows if r.status == "waiting"]
    assert len(waiting) == 3
    assert "ConnectionRefusedError" in waiting[0].last_error
    assert waiting[0].next_attempt_at > utcnow()  # backed off, not hammered

    smtp_server.start()
    assert sender.deliver_due().sent == 2  # the backed-off one waits its turn
    for row in waiting:
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sender.deliver_due().sent == 1

    received = [parsed(raw)["Message-ID"] for raw in smtp_server.inbox.messages]
    assert sorted(received) == sorted(r.message_id for r in rows)
    assert all(r.status == "sent" for r in rows)


def test_backoff_grows_and_gives_up_after_the_last_attempt(ctx, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    [row] = queue(1)
    pauses = []
    for _ in range(sender.MAX_ATTEMPTS):
        sender.deliver_due()
        if row.status == "waiting":
            pauses.append(row.next_attempt_at - utcnow())
            row.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
    assert row.status == "failed"
    assert row.attempts == sender.MAX_ATTEMPTS
    assert all(later > earlier for earlier, later in zip(pauses, pauses[1:], strict=False))


def test_a_message_claimed_by_another_consumer_is_not_sent_twice(ctx, smtp_server):
    [row] = queue(1)
    row.status, row.claimed_at = "sending", utcnow()
    db.session.commit()
    assert sender.deliver_due().sent == 0
    row.claimed_at = utcnow() - sender.STALE_CLAIM - timedelta(seconds=1)
    db.session.commit()
    assert sender.deliver_due().sent == 1  # its consumer died: taken back
    assert len(smtp_server.inbox.messages) == 1


# --- batches over one connection -------------------------------------------------------------


def test_many_messages_go_over_one_connection_in_batches(ctx, smtp_server):
    rows = queue(sender.BATCH * 2 + 5)
    result = sender.deliver_due(limit=None)
    assert (result.sent, result.connections) == (len(rows), 1)
    assert len(set(smtp_server.inbox.peers)) == 1  # the server saw one connection
    received = [parsed(raw)["Message-ID"] for raw in smtp_server.inbox.messages]
    assert received == [r.message_id for r in rows]  # each once, oldest first
    assert all(r.status == "sent" and r.attempts == 1 for r in rows)


def test_a_limited_round_stops_at_its_limit_and_the_rest_wait(ctx, smtp_server):
    rows = queue(5)
    assert sender.deliver_due(limit=3).sent == 3
    assert [r.status for r in rows] == ["sent"] * 3 + ["waiting"] * 2
    assert all(r.claimed_at is None for r in rows[3:])  # never claimed


def test_a_refused_address_fails_at_once_with_its_reason_and_the_rest_go(ctx, smtp_server):
    rows = queue(6)
    smtp_server.inbox.refused.add(rows[2].recipient)
    result = sender.deliver_due()
    assert (result.sent, result.failed, result.retried, result.connections) == (5, 1, 0, 1)
    bad = rows[2]
    assert bad.status == "failed" and bad.attempts == 1
    assert "550" in bad.last_error and "No such mailbox" in bad.last_error
    assert [r.status for r in rows if r is not bad] == ["sent"] * 5
    assert len(smtp_server.inbox.messages) == 5


def test_a_dropped_connection_is_opened_again_and_the_round_goes_on(ctx, smtp_server):
    rows = queue(6)
    smtp_server.inbox.hang_up_on.add(rows[2].recipient)  # 421, then the client hangs up
    result = sender.deliver_due()
    assert (result.sent, result.retried, result.connections) == (5, 1, 2)
    assert len(set(smtp_server.inbox.peers)) == 2
    dropped = rows[2]
    assert dropped.status == "waiting" and "421" in dropped.last_error  # tried again later
    assert dropped.next_attempt_at > utcnow()
    dropped.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sender.deliver_due().sent == 1
    received = sorted(parsed(raw)["Message-ID"] for raw in smtp_server.inbox.messages)
    assert received == sorted(r.message_id for r in rows)
