"""Calendars read back by two independent parsers: icalendar and vobject."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from partnering.agenda.ical import CalendarEntry, Person, build_calendar

TOKYO = ZoneInfo("Asia/Tokyo")
ORGANISER = Person("Osaka Partnering Day", "noreply@example.org")
AIKO = Person("Aiko Tanaka", "aiko@example.jp")
MARC = Person("Marc Dubois", "marc@example.fr")
STAMP = datetime(2030, 1, 10, 8, 0, tzinfo=UTC)


def entry(**over) -> CalendarEntry:
    fields = dict(
        uid="1b4e28ba-2fa1-11d2-883f-0016d3cca427@partnering",
        sequence=0,
        start=datetime(2030, 1, 24, 10, 0, tzinfo=TOKYO),
        end=datetime(2030, 1, 24, 10, 30, tzinfo=TOKYO),
        summary="Meeting with Marc Dubois (Lyon Biotech)",
        location="Table T07, Grand Front Osaka",
        description="Profile: https://example.org/e/osaka/people/2\n\nLet's talk about assays.",
        last_modified=datetime(2030, 1, 9, 12, 0, tzinfo=UTC),
        attendees=(AIKO, MARC),
    )
    fields.update(over)
    return CalendarEntry(**fields)


def parse_both(data: bytes):
    first = icalendar.Calendar.from_ical(data)
    second = vobject.readOne(data.decode("utf-8"))
    return first, second


def events(calendar: icalendar.Calendar):
    return [c for c in calendar.walk("VEVENT")]


def test_ten_in_tokyo_is_one_utc_in_both_parsers():
    data = build_calendar([entry()], name="Agenda", organizer=ORGANISER, stamp=STAMP)
    first, second = parse_both(data)
    [event] = events(first)
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2030, 1, 24, 1, 0, tzinfo=UTC)
    assert second.vevent.dtstart.value.astimezone(UTC) == datetime(2030, 1, 24, 1, 0, tzinfo=UTC)
    assert event["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert [tz["tzid"] for tz in first.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_every_event_carries_the_required_properties():
    data = build_calendar([entry()], name="Agenda", organizer=ORGANISER, stamp=STAMP)
    first, second = parse_both(data)
    [event] = events(first)
    for prop in (
        "uid",
        "dtstamp",
        "dtstart",
        "dtend",
        "summary",
        "location",
        "description",
        "sequence",
        "last-modified",
    ):
        assert prop.upper() in event, prop
    assert str(event["summary"]) == "Meeting with Marc Dubois (Lyon Biotech)"
    assert "people/2" in str(second.vevent.description.value)
    assert second.vevent.uid.value == entry().uid


def test_feed_properties():
    data = build_calendar(
        [entry()], name="Aiko's agenda", organizer=ORGANISER, stamp=STAMP, feed=True
    )
    text = data.decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    assert "X-PUBLISHED-TTL:PT1H" in text
    first, second = parse_both(data)
    assert str(first["name"]) == "Aiko's agenda" and str(first["x-wr-calname"]) == "Aiko's agenda"
    assert "METHOD" not in first


def test_cancelled_meeting_stays_with_status_cancelled():
    data = build_calendar(
        [entry(cancelled=True, sequence=3)], name="A", organizer=ORGANISER, stamp=STAMP
    )
    [event] = events(icalendar.Calendar.from_ical(data))
    assert str(event["status"]) == "CANCELLED" and event.decoded("sequence") == 3


def test_publish_has_an_organizer_and_no_attendee():
    data = build_calendar([entry()], name="A", organizer=ORGANISER, stamp=STAMP, method="PUBLISH")
    first, _ = parse_both(data)
    [event] = events(first)
    assert str(first["method"]) == "PUBLISH"
    assert "ORGANIZER" in event and "ATTENDEE" not in event


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_request_and_cancel_name_organizer_and_attendees_without_rsvp(method):
    data = build_calendar(
        [entry(sequence=2, cancelled=method == "CANCEL")],
        name="A",
        organizer=ORGANISER,
        stamp=STAMP,
        method=method,
    )
    first, second = parse_both(data)
    [event] = events(first)
    assert str(first["method"]) == method
    assert str(event["organizer"]) == "mailto:noreply@example.org"
    attendees = event["attendee"]
    assert [str(a) for a in attendees] == ["mailto:aiko@example.jp", "mailto:marc@example.fr"]
    assert all(a.params["RSVP"] == "FALSE" for a in attendees)
    assert event.decoded("sequence") == 2
    if method == "CANCEL":
        assert str(event["status"]) == "CANCELLED"
    assert len(second.vevent.attendee_list) == 2


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="iTIP"):
        build_calendar([entry()], name="A", organizer=ORGANISER, stamp=STAMP, method="REPLY")


def test_empty_agenda_is_still_a_valid_calendar():
    data = build_calendar([], name="A", organizer=ORGANISER, stamp=STAMP, feed=True)
    first, second = parse_both(data)
    assert events(first) == [] and second.name == "VCALENDAR"


def test_dst_zone_gets_its_transitions():
    paris = ZoneInfo("Europe/Paris")
    data = build_calendar(
        [
            entry(
                start=datetime(2030, 7, 1, 9, tzinfo=paris),
                end=datetime(2030, 7, 1, 9, 30, tzinfo=paris),
            )
        ],
        name="A",
        organizer=ORGANISER,
        stamp=STAMP,
    )
    first, second = parse_both(data)
    assert second.vevent.dtstart.value.astimezone(UTC) == datetime(2030, 7, 1, 7, 0, tzinfo=UTC)
    [tz] = first.walk("VTIMEZONE")
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert timedelta(hours=2) == second.vevent.dtstart.value.utcoffset()
