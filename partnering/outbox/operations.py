"""Queueing emails, and the organiser's resend."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import func, insert, select, update

from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.jobs import enqueue
from partnering.outbox.mime import message_bytes
from partnering.outbox.models import OutboxMessage, OutboxStatus
from partnering.outbox.tasks import deliver_outbox
from partnering.plain_text import one_line


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: tuple[tuple[str, str], ...] = ()
    """Extra Content-Type parameters, e.g. (("method", "PUBLISH"),) for calendars."""


def new_message_id() -> str:
    return make_msgid(domain=current_app.config["MAIL_DOMAIN"])


def build_message(
    to: str,
    subject: str,
    text: str,
    html: str | None,
    attachments: Iterable[Attachment],
    message_id: str | None = None,
) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    # Names in subjects were typed by people, some before fields refused line breaks: a
    # header is one line whatever was stored.
    message["To"] = one_line(to)
    message["Subject"] = one_line(subject)
    message["Message-ID"] = message_id or new_message_id()
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for item in attachments:
        message.add_attachment(
            item.content,
            maintype=item.maintype,
            subtype=item.subtype,
            filename=item.filename,
            params=dict(item.params),
        )
    return message


def queue_email(
    to: str,
    subject: str,
    text: str,
    *,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    kind: str = "notice",
    event_id: int | None = None,
) -> OutboxMessage | None:
    """Queue an email in the outbox, in the caller's transaction: it goes out once the caller
    commits (the request's end or `deliver_soon()` wakes the sender; a periodic round is the
    safety net). An email that cannot be built is stored as failed with the reason."""
    raw = None
    with one_email(to, subject, kind=kind, event_id=event_id):
        message_id, raw = _written(to, subject, text, html, list(attachments))
    if raw is None:
        return None
    row = _store(
        event_id=event_id,
        kind=kind,
        recipient=_fit(to, RECIPIENT_LENGTH),
        subject=_fit(subject, SUBJECT_LENGTH),
        message_id=message_id,
        raw=raw,
        status=OutboxStatus.WAITING,
        last_error="",
    )
    db.session.info[QUEUED] = True
    return row


def _written(
    to: str, subject: str, text: str, html: str | None, attachments: list[Attachment]
) -> tuple[str, bytes]:
    """The message's id and bytes (CRLF line ends, as SMTP wants): written directly when it
    has the shape of an agenda (the same bytes, much faster), else by `email`."""
    message_id = new_message_id()
    if html is not None:
        sender = current_app.config["MAIL_SENDER"]
        raw = message_bytes(sender, to, subject, message_id, text, html, attachments)
        if raw is not None:
            return message_id, raw
    message = build_message(to, subject, text, html, attachments, message_id)
    return message_id, message.as_bytes(policy=policy.SMTP)


QUEUED = "outbox_queued"
RECIPIENT_LENGTH = OutboxMessage.recipient.type.length
SUBJECT_LENGTH = OutboxMessage.subject.type.length

_batch: ContextVar[list[dict] | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def batched_emails() -> Iterator[None]:
    """The emails queued inside are written with one multi-row INSERT when the block ends,
    instead of one INSERT each (a publication queues thousands); `queue_email` then returns
    None. Still in the caller's transaction."""
    rows: list[dict] = []
    token = _batch.set(rows)
    try:
        yield
    finally:
        _batch.reset(token)
    if rows:
        db.session.execute(insert(OutboxMessage), rows)


def _store(**values) -> OutboxMessage | None:
    """A new outbox row: added to the session, or kept for the batch's INSERT."""
    rows = _batch.get()
    if rows is None:
        row = OutboxMessage(**values)
        db.session.add(row)
        return row
    now = utcnow()
    rows.append({"attempts": 0, "next_attempt_at": now, "created_at": now, **values})
    return None


def _fit(text: str, length: int) -> str:
    text = one_line(text)
    return text if len(text) <= length else text[: length - 1] + "…"


@contextmanager
def one_email(to: str, subject: str, *, kind: str, event_id: int | None) -> Iterator[None]:
    """Around everything that makes one email (rendering, calendar, MIME): if any of it
    fails, that email is stored as failed with the reason, for the organiser to see in the
    outbox, and the caller goes on with the next one. One participant's odd data never stops
    a publication or a cancellation for everybody."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - whatever broke this email must not stop the rest
        current_app.logger.exception("Email to %s could not be built", one_line(to))
        _store(
            event_id=event_id,
            kind=kind,
            recipient=_fit(to, RECIPIENT_LENGTH),
            subject=_fit(subject, SUBJECT_LENGTH),
            message_id=new_message_id(),
            raw=b"",
            status=OutboxStatus.FAILED,
            last_error=_fit(f"Could not build this email: {type(exc).__name__}: {exc}", 1000),
        )


def deliver_if_queued(response):
    """After a request that queued emails (and committed), wake the sender."""
    if db.session.info.pop(QUEUED, False):
        deliver_soon()
    return response


def deliver_soon() -> None:
    """Ask the background sender to run now rather than at its next round."""
    enqueue(deliver_outbox)


class ResendRefused(Exception):
    """A message that cannot be sent again; the text says why."""


def resend(message: OutboxMessage) -> OutboxMessage:
    """A failed message goes back in the queue; a sent one is queued again as a new copy."""
    if not message.raw:
        raise ResendRefused(
            "This email could not be built, so there is nothing to send again: correct what "
            "its error names, then publish again or repeat the action that sent it."
        )
    if message.status == OutboxStatus.FAILED:
        message.status = OutboxStatus.WAITING
        message.attempts = 0
        message.next_attempt_at = utcnow()
        message.last_error = ""
        target = message
    elif message.status in (OutboxStatus.SENT, OutboxStatus.LOGGED):
        copy = message_from_bytes(message.raw, policy=policy.default)
        del copy["Message-ID"]
        copy["Message-ID"] = new_message_id()
        target = OutboxMessage(
            event_id=message.event_id,
            kind=message.kind,
            recipient=message.recipient,
            subject=message.subject,
            message_id=copy["Message-ID"],
            raw=copy.as_bytes(policy=policy.SMTP),
        )
        db.session.add(target)
    else:
        return message
    db.session.commit()
    deliver_soon()
    return target


def requeue_failed(event_id: int) -> tuple[int, int]:
    """Every failed email of the event that was built goes back in the queue, in one UPDATE
    (the caller commits): (queued again, left because they could not be built). Asked twice,
    the second finds nothing left to queue."""
    unbuilt = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.event_id == event_id,
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.raw == b"",
        )
    )
    requeued = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.event_id == event_id,
            OutboxMessage.status == OutboxStatus.FAILED,
            OutboxMessage.raw != b"",
        )
        .values(status=OutboxStatus.WAITING, attempts=0, next_attempt_at=utcnow(), last_error="")
        .execution_options(synchronize_session=False)
    ).rowcount
    return requeued, unbuilt or 0
