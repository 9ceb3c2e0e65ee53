"""Text fields refuse control characters next to the field: single-line fields every one of
them (CR and LF would end up in email headers), multi-line fields all but line breaks and tabs."""

from __future__ import annotations

import pytest

from partnering.extensions import db
from partnering.meetings.models import MeetingRequest
from partnering.plain_text import control_problem, one_line
from partnering.registrations.models import Participant
from tests.partnering.registrations.test_register import FORM


def _participants(event):
    db.session.expire_all()
    return list(db.session.execute(db.select(Participant).filter_by(event_id=event.id)).scalars())


@pytest.mark.parametrize("field", ["name", "organisation", "country", "job_title"])
@pytest.mark.parametrize("bad", ["Eve\r\nBcc: all@example.org", "Eve\nSmith", "A\tB", "A\x1bB"])
def test_registration_single_line_fields_refuse_breaks_and_controls(
    client, create_event, field, bad
):
    event = create_event(topics_text="Oncology\nDiagnostics")
    page = client.post("/e/osaka/register", data=dict(FORM, **{field: bad}))
    assert page.status_code == 200
    assert b"Must be a single line" in page.data or b"Must not contain control" in page.data
    assert _participants(event) == []


def test_registration_multi_line_fields_keep_line_breaks_but_refuse_controls(client, create_event):
    event = create_event(topics_text="Oncology\nDiagnostics")
    page = client.post("/e/osaka/register", data=dict(FORM, offer="Line one\x07bell"))
    assert page.status_code == 200 and b"Must not contain control characters" in page.data
    assert _participants(event) == []
    response = client.post(
        "/e/osaka/register", data=dict(FORM, offer="Line one\r\nLine two\twith a tab")
    )
    assert response.status_code == 302
    [participant] = _participants(event)
    assert participant.offer.splitlines() == ["Line one", "Line two\twith a tab"]


def test_profile_name_with_a_line_break_is_refused(client, auth, create_event, create_participant):
    event = create_event(topics_text="Oncology\nDiagnostics")
    person = create_participant(event, name="Marie Curie", organisation="Radium Bio")
    auth.login(person)
    data = dict(FORM, name="Marie\r\nCurie")
    data.pop("email")
    page = client.post("/e/osaka/profile", data=data)
    assert page.status_code == 200 and b"Must be a single line" in page.data
    assert _participants(event)[0].name == "Marie Curie"


def test_request_message_with_a_control_character_is_refused(
    client, auth, create_event, create_participant
):
    event = create_event()
    alice, bob = create_participant(event), create_participant(event)
    auth.login(alice)
    page = client.post(
        f"/e/osaka/meetings/request/{bob.id}", data={"priority": "1", "message": "Hi\x1b[31m"}
    )
    assert page.status_code == 200 and b"Must not contain control characters" in page.data
    assert db.session.execute(db.select(MeetingRequest)).first() is None


def test_event_name_and_table_names_are_single_lines(client, as_organiser):
    event = as_organiser.event
    data = {
        "name": "Osaka\r\nDay",
        "venue": "",
        "timezone": event.timezone,
        "slot_minutes": "30",
        "sessions_text": "2030-01-24 09:00-12:00",
    }
    page = client.post("/e/osaka/admin/settings", data=data)
    assert page.status_code == 200 and b"Must be a single line" in page.data
    table = event.tables[0]
    page = client.post(
        "/e/osaka/admin/tables",
        data={"tables-0-id": str(table.id), "tables-0-name": "T\n1", "add_count": "0"},
    )
    assert page.status_code == 200 and b"Must be a single line" in page.data
    db.session.expire_all()
    assert event.name == "Osaka Partnering Day" and table.name == "T01"


def test_control_problem_and_one_line():
    assert control_problem("Marie Curie") is None
    assert control_problem("two\nlines", multiline=True) is None
    assert "single line" in control_problem("two\nlines")
    assert "NUL" in control_problem("a\0b", multiline=True)
    assert control_problem("a\u2028b") is not None  # a Unicode line separator breaks lines too
    assert one_line("Eve\r\nBcc: x@example.org\x00") == "Eve Bcc: x@example.org"
