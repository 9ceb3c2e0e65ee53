"""The organiser's edits of a person (booth, meeting limit) and the participant import never
leave a scheduled meeting breaking a rule without a word: the change is refused with the
meetings named, and nothing is saved. Removing a table or slot that holds a meeting is refused
the same way (see test_event_settings.py)."""

from __future__ import annotations

import html
import re

import pytest

from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from tests.partnering.admin.test_participant_csv import MAPPING, upload


@pytest.fixture
def placed(as_organiser, create_participant):
    """Aiko (Takeda) meets Bruno at T02 in the first slot and Chloé at T03 in the second."""
    event = as_organiser.event
    aiko = create_participant(
        event, name="Aiko Tanaka", email="aiko@takeda.example", organisation="Takeda"
    )
    bruno = create_participant(event, name="Bruno Costa", organisation="BioLab")
    chloe = create_participant(event, name="Chloé Martin", organisation="Lyon Capital")
    for other, slot, table in ((bruno, 0, 1), (chloe, 1, 2)):
        db.session.add(
            Meeting(
                event_id=event.id,
                participants=[aiko, other],
                slot=event.slots[slot],
                table=event.tables[table],
                published_at=event.slots[0].start,
            )
        )
    db.session.commit()
    return event, aiko


def _reload(participant) -> Participant:
    db.session.expire_all()
    return db.session.get(Participant, participant.id)


def test_a_booth_that_would_strand_scheduled_meetings_is_refused(client, placed):
    event, aiko = placed
    booth = event.tables[0]
    page = client.post(
        f"/e/osaka/admin/participants/{aiko.id}",
        data={"booth": str(booth.id), "max_meetings": "", "role": "participant"},
    )
    text = html.unescape(page.get_data(as_text=True))
    assert "can no longer be" in text
    assert "Booth rule" in text and "Aiko Tanaka & Bruno Costa" in text
    assert not re.search(r"\bm\d+\b", text.split("can no longer be")[1][:400])
    assert _reload(aiko).booth is None


def test_a_limit_below_the_scheduled_meetings_is_refused(client, placed):
    event, aiko = placed
    page = client.post(
        f"/e/osaka/admin/participants/{aiko.id}",
        data={"booth": "", "max_meetings": "1", "role": "participant"},
    )
    text = html.unescape(page.get_data(as_text=True))
    assert "Meeting limit exceeded" in text and "Aiko Tanaka" in text
    assert _reload(aiko).max_meetings is None


def test_a_limit_that_still_fits_is_saved(client, placed):
    event, aiko = placed
    client.post(
        f"/e/osaka/admin/participants/{aiko.id}",
        data={"booth": "", "max_meetings": "2", "role": "participant"},
    )
    assert _reload(aiko).max_meetings == 2


def test_an_import_giving_a_booth_that_strands_meetings_imports_nothing(client, placed):
    event, aiko = placed
    text = (
        "Full name;E-mail;Company;Type;Country;Interests;About;Stand\n"
        "Aiko Tanaka;aiko@takeda.example;Takeda;pharma;Japan;;;T01\n"
        "Dan New;dan@new.example;NewCo;SME / start-up;Japan;;;\n"
    )
    token = upload(client, text)
    page = client.post(
        "/e/osaka/admin/participants/import/columns",
        query_string={"upload": token},
        data=dict(MAPPING, upload=token),
        follow_redirects=True,
    )
    # The rows are clean, so the import job runs; its page says why it wrote nothing.
    shown = html.unescape(page.get_data(as_text=True))
    assert "Importing participants #1 failed" in shown
    assert "Nothing was imported" in shown and "Aiko Tanaka & Bruno Costa" in shown
    assert _reload(aiko).booth is None
    emails = set(db.session.execute(db.select(Participant)).scalars())
    assert "dan@new.example" not in {p.email for p in emails}


def test_fewer_seats_than_a_scheduled_meeting_needs_are_refused(client, placed, create_participant):
    event, aiko = placed
    table = event.tables[3]
    people = [create_participant(event, name=n) for n in ("Dan Ng", "Eve Roy", "Fay Li")]
    db.session.add(
        Meeting(event_id=event.id, participants=people, slot=event.slots[2], table=table)
    )
    db.session.commit()
    data = {"tables-0-id": table.id, "tables-0-name": table.name, "tables-0-seats": "2"}
    page = client.post("/e/osaka/admin/tables", data=data, follow_redirects=True)
    text = html.unescape(page.get_data(as_text=True))
    assert "Not enough seats" in text and "Dan Ng & Eve Roy & Fay Li" in text
    db.session.expire_all()
    assert db.session.get(type(table), table.id).seats == 4


def test_seats_that_still_fit_are_saved(client, placed):
    event, aiko = placed
    table = event.tables[1]
    data = {"tables-0-id": table.id, "tables-0-name": table.name, "tables-0-seats": "2"}
    assert client.post("/e/osaka/admin/tables", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(table), table.id).seats == 2


def test_rejecting_someone_with_scheduled_meetings_is_refused_with_them_named(client, placed):
    event, aiko = placed
    data = {"ids": [aiko.id], "decision": "rejected"}
    page = client.post("/e/osaka/admin/participants/decide", data=data, follow_redirects=True)
    text = html.unescape(page.get_data(as_text=True))
    assert "have scheduled meetings" in text
    assert "Aiko Tanaka & Bruno Costa" in text and "Aiko Tanaka & Chloé Martin" in text
    assert _reload(aiko).status == "approved"
