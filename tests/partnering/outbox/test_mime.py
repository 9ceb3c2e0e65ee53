"""Messages written directly (partnering.outbox.mime) are byte for byte what `email` writes
for the same message (MIME boundaries aside, being random), and the cases it does not write
are left to `email`."""

from __future__ import annotations

import random
import re
from email import policy
from email.utils import make_msgid

import pytest

from partnering.outbox.mime import message_bytes
from partnering.outbox.operations import Attachment, build_message

WORDS = [
    "Hello",
    "Aiko",
    "Ångström",
    "日本語",
    "😀",
    "a,b;c",
    "=?utf-8?q?x?=",
    "\\",
    "<b>",
    "x" * 30,
]
SENDER = "Partnering <noreply@example.org>"


def _text(rng, words):
    lines = []
    for _ in range(rng.randrange(words)):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(12))))
    return rng.choice(["\n", "\r\n", "\r"]).join(lines) + rng.choice(["", "\n"])


def _normalised(raw: bytes) -> bytes:
    return re.sub(rb"={15}\d+==", b"=BOUNDARY=", raw)


def _attachments(rng):
    return [
        Attachment(
            rng.choice(["agenda.ics", "update.ics", "cancel.ics"]),
            bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))),
            "text",
            "calendar",
            (("method", rng.choice(["PUBLISH", "REQUEST", "CANCEL"])),),
        )
        for _ in range(rng.randrange(1, 3))
    ]


def test_written_messages_are_what_email_writes(app):
    rng = random.Random(14)
    written = 0
    with app.app_context():
        for n in range(300):
            to = rng.choice(
                [
                    "aiko@example.jp",
                    "a.b+c-d_e@sub.example-x.org",
                    "x" * rng.randrange(55, 75) + "@example.org",  # around the folding limit
                    "Zoë Müller <zoe@example.org>",
                    '"a, b" <ab@example.org>',
                    "zoë@example.org",
                ]
            )
            message_id = rng.choice(
                [f"<{n}@example.org>", make_msgid(domain="x" * rng.randrange(1, 40) + ".org")]
            )
            subject = "Your agenda for " + _text(rng, 2).replace("\n", " ").replace("\r", " ")
            text, html = _text(rng, 12), _text(rng, 12)
            attachments = _attachments(rng)
            expected = build_message(to, subject, text, html, attachments, message_id)
            sender = app.config["MAIL_SENDER"]
            raw = message_bytes(sender, to, subject, message_id, text, html, attachments)
            expected = expected.as_bytes(policy=policy.SMTP)
            if raw is not None:
                written += 1
                assert _normalised(raw) == _normalised(expected)
    assert written > 200  # most are written directly, not left to `email`


@pytest.mark.parametrize(
    "html, attachments",
    [
        ("<p>", False),  # not the shape of an agenda
        ("", True),  # no HTML part
    ],
)
def test_other_messages_are_left_to_email(html, attachments):
    files = [Attachment("agenda.ics", b"x", "text", "calendar")] if attachments else []
    assert message_bytes(SENDER, "a@example.org", "S", "<1@x>", "text", html, files) is None


def test_an_odd_file_name_is_left_to_email():
    files = [Attachment("agenda de Zoë.ics", b"x", "text", "calendar")]
    assert message_bytes(SENDER, "a@example.org", "S", "<1@x>", "t", "<p>", files) is None
