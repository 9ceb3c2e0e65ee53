"""Counts agree with their nouns ("1 agreed meeting", "1 participant matches"), and tables are
named as people read them ("Booth A", "Table 12", never "Table Booth A")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from partnering.events.models import Publication, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.wording import counted


@pytest.mark.parametrize(
    ("number", "words", "expected"),
    [
        (0, ("agreed meeting",), "0 agreed meetings"),
        (1, ("agreed meeting",), "1 agreed meeting"),
        (2, ("agreed meeting",), "2 agreed meetings"),
        (1, ("person", "people"), "1 person"),
        (38, ("person", "people"), "38 people"),
        (1, ("participant matches", "participants match"), "1 participant matches"),
        (3, ("participant matches", "participants match"), "3 participants match"),
    ],
)
def test_counted_agrees_with_the_number(number, words, expected):
    assert counted(number, *words) == expected


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("12", "Table 12"),
        ("T01", "Table T01"),
        ("3B", "Table 3B"),
        ("Booth A", "Booth A"),
        ("Table 7", "Table 7"),
        ("Lounge", "Lounge"),
    ],
)
def test_a_table_is_named_as_people_read_it(name, label):
    assert Table(name=name).label == label


def place(event, a, b, slot, table):
    meeting = Meeting(
        event_id=event.id,
        participants=[a, b],
        slot=slot,
        table=table,
        published_at=datetime.now(UTC),
    )
    db.session.add(meeting)
    return meeting


def test_agenda_and_calendar_name_a_booth_by_its_name_and_a_number_as_a_table(
    client, auth, create_event, create_participant
):
    event = create_event()
    booth, numbered = event.tables[0], event.tables[1]
    booth.name, numbered.name = "Booth A", "12"
    me = create_participant(event, name="Aiko Sato")
    place(event, me, create_participant(event, name="Ben Okafor"), event.slots[0], booth)
    place(event, me, create_participant(event, name="Chloé Martin"), event.slots[1], numbered)
    event.schedule_state = Publication.FINAL
    db.session.commit()
    auth.login(me)
    agenda = client.get("/e/osaka/agenda/").get_data(as_text=True)
    assert "Booth A" in agenda and "Table Booth A" not in agenda
    assert "Table 12" in agenda
    calendar = client.get("/e/osaka/agenda/agenda.ics").get_data(as_text=True)
    assert "LOCATION:Booth A" in calendar and "LOCATION:Table 12" in calendar
    meetings = client.get("/e/osaka/meetings/").get_data(as_text=True)
    assert "2 agreed meetings ·" in meetings


def test_my_meetings_counts_one_meeting_in_the_singular(
    client, auth, create_event, create_participant
):
    event = create_event()
    me = create_participant(event)
    db.session.add(Meeting(event_id=event.id, participants=[me, create_participant(event)]))
    db.session.commit()
    auth.login(me)
    page = client.get("/e/osaka/meetings/").get_data(as_text=True)
    assert "1 agreed meeting ·" in page
    assert "0 requests waiting for your answer" in page


def test_registrations_search_says_one_participant_matches(
    client, auth, create_event, create_participant
):
    event = create_event()
    organiser = create_participant(event, name="Olga Organiser", role="organiser")
    create_participant(event, name="Ana Lima")
    create_participant(event, name="Jun Park")
    auth.login(organiser)
    one = client.get("/e/osaka/admin/participants?q=lima").get_data(as_text=True)
    assert "1 participant matches" in one
    two = client.get("/e/osaka/admin/participants?q=a").get_data(as_text=True)
    assert "3 participants match" in two
