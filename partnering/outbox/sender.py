"""The background sender: delivers due outbox messages in batches over one SMTP connection,
retrying with exponential backoff.

A batch is claimed before it is sent (one UPDATE that only one consumer can win per message),
so several consumers never send the same message twice, and marked sent with one UPDATE after
it went out: a consumer that dies mid-batch sends at most that batch again once its claim is
stale. A dropped connection is opened again once and the message retried on it; when that
fails too, the round stops: the message goes back with a later attempt time and the rest of
the batch waits untouched. A message the server refuses for good (a 5xx answer, e.g. an
unknown mailbox) is failed at once with the server's reason, and the rest go.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy

from flask import current_app
from sqlalchemy import or_, update

from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
STALE_CLAIM = timedelta(minutes=10)
"""A claim older than this belongs to a consumer that died mid-send: take the message back."""
BATCH = 100
"""Messages claimed, sent and marked together."""


@dataclass
class Round:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    connections: int = 0
    """SMTP connections opened (none when emails go to the log)."""


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


class LogTransport:
    """Development: the email is written to the log instead of sent."""

    connections = 0
    delivered = OutboxStatus.LOGGED

    def __enter__(self) -> LogTransport:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, row: OutboxMessage) -> None:
        message = message_from_bytes(row.raw, policy=policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        current_app.logger.info("Email to %s: %s\n%s", row.recipient, row.subject, text)


class SmtpTransport:
    """One SMTP connection for a round, opened on the first message and opened again once
    when the server dropped it."""

    delivered = OutboxStatus.SENT

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.connections = 0

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                self.smtp.close()
            except OSError:
                pass
            self.smtp = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
        self.connections += 1
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def send(self, row: OutboxMessage) -> None:
        sender = self.config["MAIL_SENDER"]
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.sendmail(sender, [row.recipient], row.raw)
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            # Dropped since the last message (a server's idle timeout, a restart): once more
            # on a new connection; a failure then is the round's.
            self._close()
            self.smtp = self._connect()
            self.smtp.sendmail(sender, [row.recipient], row.raw)


def transport():
    config = current_app.config
    return SmtpTransport(config) if config["MAIL_SERVER"] else LogTransport()


def _claimable(now: datetime):
    return or_(
        OutboxMessage.status == OutboxStatus.WAITING,
        (OutboxMessage.status == OutboxStatus.SENDING)
        & (OutboxMessage.claimed_at < now - STALE_CLAIM),
    )


def due_ids(now: datetime, limit: int) -> list[int]:
    query = (
        db.select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == OutboxStatus.WAITING)
                & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == OutboxStatus.SENDING)
                & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def _claim_batch(now: datetime, limit: int) -> list[OutboxMessage]:
    """Claim up to `limit` due messages (those another consumer claims meanwhile are left to
    it) and load them, oldest first."""
    ids = due_ids(now, limit)
    if not ids:
        return []
    claimed = list(
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _claimable(now))
            .values(status=OutboxStatus.SENDING, claimed_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    db.session.commit()
    if not claimed:
        return []
    return list(
        db.session.execute(
            db.select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
        ).scalars()
    )


def _connection_failed(exc: Exception) -> bool:
    """Whether the connection, not the message, failed (smtplib's errors are OSErrors too)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def deliver_due(limit: int | None = 200) -> Round:
    """Send what is due now, `limit` messages at most (None: until nothing is due); returns
    what happened."""
    result = Round()
    now = utcnow()
    handled = 0
    with transport() as channel:
        while limit is None or handled < limit:
            size = BATCH if limit is None else min(BATCH, limit - handled)
            batch = _claim_batch(now, size)
            if not batch:
                break
            handled += len(batch)
            if not _send_batch(channel, batch, result):
                break
        result.connections = channel.connections
    return result


def _send_batch(channel, batch: list[OutboxMessage], result: Round) -> bool:
    """Send a claimed batch and record what happened, in one transaction; False when the
    connection failed and the round must stop."""
    sent: list[int] = []
    going = True
    for position, row in enumerate(batch):
        try:
            channel.send(row)
        except Exception as exc:  # every failure is recorded on the row
            _record_failure(row, exc)
            result.failed += row.status == OutboxStatus.FAILED
            result.retried += row.status == OutboxStatus.WAITING
            if _connection_failed(exc):
                _release(batch[position + 1 :])
                going = False
                break
            continue
        sent.append(row.id)
    if sent:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(sent))
            .values(
                status=channel.delivered,
                sent_at=utcnow(),
                attempts=OutboxMessage.attempts + 1,
                last_error="",
            )
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    result.sent += len(sent)
    return going


def _release(rows: list[OutboxMessage]) -> None:
    """Claimed messages not tried: back in the queue as they were."""
    for row in rows:
        row.status, row.claimed_at = OutboxStatus.WAITING, None


def _permanent(exc: Exception) -> bool:
    """Whether the server refused the message for good (a 5xx reply)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _record_failure(row: OutboxMessage, exc: Exception) -> None:
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    if row.attempts >= MAX_ATTEMPTS or _permanent(exc):
        row.status = OutboxStatus.FAILED
    else:
        row.status = OutboxStatus.WAITING
        row.next_attempt_at = utcnow() + backoff(row.attempts)
    current_app.logger.warning("Email to %s not sent: %s", row.recipient, row.last_error)
