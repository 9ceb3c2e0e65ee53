"""The bytes of an email with a text and an HTML body and attachments (an agenda, an update,
a cancellation) written directly: the same bytes as `email`'s EmailMessage writes with the
SMTP policy (only the random MIME boundaries differ), without its parsing and refolding of
twenty-odd headers per message, most of the time of queueing an agenda. The message's own
headers (From, To, Subject, Message-ID: people's names, encoded words, folding) are still
`email`'s, except a plain address or Message-ID on a short line, and so is the encoding of the
bodies. A message of another shape, or whose attachments' names or parameters are not plain
tokens, returns None: the caller builds it with `email`.
"""

from __future__ import annotations

import binascii
import random
import re
import sys
from collections.abc import Sequence
from email import policy
from email.contentmanager import _encode_text  # what set_content(str) encodes with
from email.message import EmailMessage
from functools import lru_cache
from typing import Protocol

from partnering.plain_text import one_line

MAX_LINE = policy.SMTP.max_line_length  # 78
_TOKEN = re.compile(r"[A-Za-z0-9._-]+")
_random = random.SystemRandom()


class AttachmentLike(Protocol):
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: tuple[tuple[str, str], ...]


def _body(text: str) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, body) of a text part, chosen and encoded by the function
    `email` uses for it (7bit, 8bit, quoted-printable or base64, by line length and content)."""
    cte, data = _encode_text(text, "utf-8", None, policy.default)
    return cte, data.encode("ascii", "surrogateescape").replace(b"\n", b"\r\n")


def _base64(data: bytes) -> bytes:
    """Base64 in lines of 76 characters, as `email` writes an attachment's bytes."""
    step = MAX_LINE // 4 * 3
    encoded = b"".join(binascii.b2a_base64(data[i : i + step]) for i in range(0, len(data), step))
    return encoded.replace(b"\n", b"\r\n")


def _boundary(parts: Sequence[bytes]) -> str:
    while True:  # 19 digits: the width of most of `email`'s, whose header folding we repeat
        boundary = "=" * 15 + str(_random.randrange(10**18, sys.maxsize)) + "=="
        if not any(boundary.encode() in part for part in parts):
            return boundary


def _headers(sender: str, to: str, subject: str, message_id: str) -> bytes:
    # Each header is folded on its own: From and Subject are the same for an event's agendas
    # (written by `email` once), a plain address or Message-ID on a short line is written as is.
    return b"".join(
        (
            _shared_header("From", sender),
            _header("To", one_line(to), _PLAIN_ADDRESS),  # one line whatever was stored
            _shared_header("Subject", one_line(subject)),
            _header("Message-ID", message_id, _PLAIN_MESSAGE_ID),
        )
    )


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_PLAIN_MESSAGE_ID = re.compile(r"<[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>")


def _header(name: str, value: str, plain: re.Pattern) -> bytes:
    """A header as `email` writes it: a plain value on a line shorter than the limit is
    written as it is (what `email` does with it, at a fraction of the cost)."""
    line = f"{name}: {value}"
    if len(line) < MAX_LINE - 1 and plain.fullmatch(value):
        return line.encode() + b"\r\n"
    return _written_header(name, value)


@lru_cache(maxsize=256)
def _shared_header(name: str, value: str) -> bytes:
    return _written_header(name, value)


def _written_header(name: str, value: str) -> bytes:
    head = EmailMessage()
    head[name] = value
    return head.as_bytes(policy=policy.SMTP)[:-2]  # without the blank line ending the headers


def message_bytes(
    sender: str,
    to: str,
    subject: str,
    message_id: str,
    text: str,
    html: str,
    attachments: Sequence[AttachmentLike],
) -> bytes | None:
    """The message as `build_message(...).as_bytes(policy=policy.SMTP)` writes it, or None
    when it is not one of the simple cases (see the module)."""
    plain, rich = _body(text), _body(html)
    if (
        not html or plain is None or rich is None or not attachments
    ):  # as build_message: no HTML part
        return None
    files = []
    for item in attachments:
        values = [item.filename, item.maintype, item.subtype, *(v for p in item.params for v in p)]
        if not all(_TOKEN.fullmatch(v) for v in values):
            return None
        params = "".join(f'; {name}="{value}"' for name, value in item.params)
        files.append(
            b"Content-Transfer-Encoding: base64\r\n"
            + f'Content-Disposition: attachment; filename="{item.filename}"\r\n'.encode()
            + f"Content-Type: {item.maintype}/{item.subtype}{params}\r\n".encode()
            + b"MIME-Version: 1.0\r\n\r\n"
            + _base64(item.content)
        )
    alternative = [
        b'Content-Type: text/plain; charset="utf-8"\r\n'
        + f"Content-Transfer-Encoding: {plain[0]}\r\n\r\n".encode()
        + plain[1],
        b'Content-Type: text/html; charset="utf-8"\r\n'
        + f"Content-Transfer-Encoding: {rich[0]}\r\n".encode()
        + b"MIME-Version: 1.0\r\n\r\n"
        + rich[1],
    ]
    inner = _boundary(alternative)
    mixed = [
        f'Content-Type: multipart/alternative;\r\n boundary="{inner}"\r\n\r\n'.encode()
        + _multipart(inner, alternative),
        *files,
    ]
    outer = _boundary(mixed)
    return (
        _headers(sender, to, subject, message_id)
        + b"MIME-Version: 1.0\r\n"
        + f'Content-Type: multipart/mixed; boundary="{outer}"\r\n\r\n'.encode()
        + _multipart(outer, mixed)
    )


def _multipart(boundary: str, parts: Sequence[bytes]) -> bytes:
    mark = b"--" + boundary.encode()
    return b"".join(mark + b"\r\n" + part + b"\r\n" for part in parts) + mark + b"--\r\n"
