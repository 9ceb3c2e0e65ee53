"""The background sender: delivers due outbox messages, retrying with exponential backoff.

Each message is claimed before it is sent (an UPDATE that only one consumer can win), so
several consumers never send the same message twice. A connection failure stops the round:
the message goes back with a later attempt time and the rest wait untouched.
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


@dataclass
class Round:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


class LogTransport:
    """Development: the email is written to the log instead of sent."""

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
    """One SMTP connection for a round, opened on the first message."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                self.smtp.close()
            except OSError:
                pass

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def send(self, row: OutboxMessage) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        sender = self.config["MAIL_SENDER"]
        self.smtp.sendmail(sender, [row.recipient], row.raw)


def transport():
    config = current_app.config
    return SmtpTransport(config) if config["MAIL_SERVER"] else LogTransport()


def _claim(row_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            or_(
                OutboxMessage.status == OutboxStatus.WAITING,
                (OutboxMessage.status == OutboxStatus.SENDING)
                & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now)
    )
    db.session.commit()
    return claimed.rowcount == 1


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


CONNECTION_ERRORS = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


def deliver_due(limit: int = 200) -> Round:
    """Send what is due now; returns what happened."""
    result = Round()
    now = utcnow()
    with transport() as channel:
        for row_id in due_ids(now, limit):
            if not _claim(row_id, now):
                continue
            row = db.session.get(OutboxMessage, row_id)
            try:
                channel.send(row)
            except Exception as exc:  # every failure is recorded on the row and retried
                _record_failure(row, exc)
                result.failed += row.status == OutboxStatus.FAILED
                result.retried += row.status == OutboxStatus.WAITING
                db.session.commit()
                if isinstance(exc, CONNECTION_ERRORS):
                    break
                continue
            row.status = OutboxStatus.SENT
            row.sent_at = utcnow()
            row.attempts += 1
            row.last_error = ""
            db.session.commit()
            result.sent += 1
    return result


def _record_failure(row: OutboxMessage, exc: Exception) -> None:
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = OutboxStatus.FAILED
    else:
        row.status = OutboxStatus.WAITING
        row.next_attempt_at = utcnow() + backoff(row.attempts)
    current_app.logger.warning("Email to %s not sent: %s", row.recipient, row.last_error)
