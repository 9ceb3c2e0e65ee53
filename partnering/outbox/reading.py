"""An outbox message as people read it: its text, its HTML part and its attachments, taken
from the stored MIME message (what is sent is what was built when it was queued)."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy

from partnering.outbox.models import OutboxMessage


@dataclass(frozen=True)
class ReadableMessage:
    sender: str
    text: str
    has_html: bool
    attachments: list[str]


def readable(message: OutboxMessage) -> ReadableMessage | None:
    """None for an email that could not be built (its error says why)."""
    if not message.raw:
        return None
    parsed = message_from_bytes(message.raw, policy=policy.default)
    text = parsed.get_body(("plain",))
    return ReadableMessage(
        sender=str(parsed["From"] or ""),
        # Stored with SMTP's CRLF line ends; people read lines.
        text=text.get_content().replace("\r\n", "\n") if text is not None else "",
        has_html=parsed.get_body(("html",)) is not None,
        attachments=[part.get_filename() or "(unnamed)" for part in parsed.iter_attachments()],
    )
