"""The agenda, update and cancellation emails of a small event, pinned part by part (headers
and decoded content, calendars included) against a recorded copy: building them faster must not
change a byte that a participant or their calendar reads. Names are chosen to reach the edges
of the formats: folding across multi-byte characters and escapes, commas, semicolons,
backslashes, line breaks in a message.

What changes from one run to the next is replaced before comparing: Message-IDs, MIME
boundaries, time stamps (DTSTAMP, LAST-MODIFIED), meeting UIDs and participant ids. To record
the copy again after a deliberate change: PARTNERING_RECORD_EMAILS=1 python -m pytest <this file>.
"""

from __future__ import annotations

import os
import re
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.outbox.models import OutboxMessage
from partnering.scheduling import operations

RECORDED = Path(__file__).with_name("pinned_emails.txt")

LONG_NAME = "Émilie-Åsa Ångström-Þórðardóttir, \\ Ph.D.; 日本語の名前もあります"
LONG_ORG = "Société Générale de Biotechnologie Appliquée à la Santé, Lyon; Ñandú Labs"
MESSAGE = (
    "Bonjour,\nlet us talk about antibody assays; ELISA, Western blots, and \\ escapes.\n"
    + "Ça va? " * 20
    + "\n日本語のメッセージ" * 6
)


def _pinned_event(create_event, create_participant):
    event = create_event(venue="Grand Front Osaka, Hall B; 3F")
    emilie = create_participant(
        event,
        name=LONG_NAME,
        email="emilie@example.fr",
        organisation=LONG_ORG,
        job_title="Head of Business Development, Europe & Asia",
    )
    marc = create_participant(
        event, name="Marc Dubois", email="marc@example.fr", organisation="Lyon Pharma"
    )
    jun = create_participant(event, name="Jun Park", email="jun@example.kr")
    slots, tables = event.slots, event.tables
    meetings = [
        Meeting(event_id=event.id, participants=[emilie, marc], slot=slots[2], table=tables[0]),
        Meeting(event_id=event.id, participants=[emilie, jun], slot=slots[3], table=tables[1]),
        Meeting(event_id=event.id, participants=[marc, jun], slot=slots[7], table=tables[2]),
    ]
    db.session.add_all(meetings)
    db.session.flush()
    db.session.add(
        MeetingRequest(
            event_id=event.id,
            sender_id=emilie.id,
            recipient_id=marc.id,
            status="accepted",
            message=MESSAGE,
            meeting_id=meetings[0].id,
        )
    )
    db.session.commit()
    return event, [emilie, marc, jun], meetings


def _dump(raw: bytes, replacements: dict[str, str]) -> str:
    """A message as text: every part's headers and decoded content, what varies replaced."""
    message = message_from_bytes(raw, policy=policy.default)
    out = []
    for part in message.walk():
        out.extend(f"{name}: {value}" for name, value in part.items())
        if not part.is_multipart():
            out.append("")
            out.append(part.get_payload(decode=True).decode("utf-8"))
        out.append("----")
    text = "\n".join(out)
    text = re.sub(r"Message-ID: <[^>]+>", "Message-ID: <ID>", text)
    text = re.sub(r"={15}\d+==", "=BOUNDARY=", text)
    text = re.sub(r"(DTSTAMP|LAST-MODIFIED):\d{8}T\d{6}Z", r"\1:STAMP", text)
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text.replace("\r\n", "<CRLF>\n")  # kept visible, safe from newline translation


def _emails(since: int, replacements: dict[str, str]) -> list[str]:
    rows = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.id > since).order_by(OutboxMessage.recipient)
    ).scalars()
    return [f"== {row.kind} to {row.recipient}\n" + _dump(row.raw, replacements) for row in rows]


def _last_id() -> int:
    return db.session.scalar(select(db.func.coalesce(db.func.max(OutboxMessage.id), 0)))


def test_agenda_update_and_cancel_emails_are_unchanged(create_event, create_participant):
    event, people, meetings = _pinned_event(create_event, create_participant)
    replacements = {m.uid: f"MEETING-UID-{n}" for n, m in enumerate(meetings)}
    replacements |= {f"/people/{p.id}": f"/people/PERSON-{n}" for n, p in enumerate(people)}

    start = _last_id()
    operations.publish(event, "final")
    dumps = _emails(start, replacements)

    start = _last_id()
    operations.move_meeting(event, meetings[0], event.slots[9], event.tables[3])
    operations.publish(event, "final")
    dumps += _emails(start, replacements)

    start = _last_id()
    operations.cancel_meeting(meetings[1], people[2].account, as_organiser=False)
    dumps += _emails(start, replacements)

    assert [d.split("\n", 1)[0] for d in dumps] == [
        "== agenda to emilie@example.fr",
        "== agenda to jun@example.kr",
        "== agenda to marc@example.fr",
        "== update to emilie@example.fr",
        "== update to marc@example.fr",
        "== cancel to emilie@example.fr",
        "== cancel to jun@example.kr",
    ]
    text = "\n\n".join(dumps) + "\n"
    if os.environ.get("PARTNERING_RECORD_EMAILS"):
        RECORDED.write_text(text, encoding="utf-8")
    assert text == RECORDED.read_text(encoding="utf-8")
