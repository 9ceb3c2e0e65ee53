"""Calendars are written byte for byte as icalendar's own components write them (the
reference below is how they were built before their lines were written directly), for every
method, for feeds, for cancelled and unscheduled meetings, in several time zones."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from partnering.agenda.ical import (
    FEED_REFRESH,
    PRODID,
    CalendarEntry,
    Person,
    build_calendar,
    escape_text,
)
from partnering.plain_text import one_line

ORGANISER = Person('Osaka Partnering Day; 2030, "spring"', "noreply@example.org")
STAMP = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
WORDS = [
    "Aiko",
    "Ångström",
    "日本語",
    "a,b",
    "c;d",
    "back\\slash",
    "line\nbreak",
    "^caret",
    "😀",
    "x" * 40,
]


def _address(person, **params):
    address = vCalAddress(f"mailto:{one_line(person.email)}")
    address.params["CN"] = vText(one_line(person.name))
    for key, value in params.items():
        address.params[key] = value
    return address


def reference(entries, *, name, organizer, stamp, method=None, feed=False) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    calendar.add("name", one_line(name))
    calendar.add("x-wr-calname", one_line(name))
    if feed:
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        if entry.start is not None:
            event.add("dtstart", entry.start)
            event.add("dtend", entry.end)
        event.add("sequence", entry.sequence)
        event.add("last-modified", entry.last_modified)
        event.add("summary", entry.summary)
        event.add("location", entry.location)
        event.add("description", entry.description)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        if entry.url:
            event.add("url", entry.url)
        if method is not None:
            event.add("organizer", _address(organizer))
        if method in ("REQUEST", "CANCEL"):
            for person in entry.attendees:
                event.add(
                    "attendee",
                    _address(person, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="FALSE"),
                )
        calendar.add_component(event)
    timed = [e for e in entries if e.start is not None]
    if timed:
        first = min(e.start for e in timed).date() - timedelta(days=366)
        last = max(e.end for e in timed).date() + timedelta(days=366)
        position = 0
        for tzid in sorted(calendar.get_missing_tzids()):
            timezone = Timezone.from_tzid(tzid, first_date=first, last_date=last)
            calendar.subcomponents.insert(position, timezone)
            position += 1
    return calendar.to_ical()


def _text(rng, words=6):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(words + 1)))


def _entries(rng, zone):
    entries = []
    for n in range(rng.randrange(6)):
        start = datetime(2030, 1, 24, 9, tzinfo=ZoneInfo(zone)) + timedelta(minutes=30 * n)
        scheduled = rng.random() > 0.2
        entries.append(
            CalendarEntry(
                uid=f"{n}-{rng.randrange(10**6)}@partnering",
                sequence=rng.randrange(4),
                start=start if scheduled else None,
                end=start + timedelta(minutes=30) if scheduled else None,
                summary="Meeting with " + _text(rng),
                location=_text(rng, 2),
                description=_text(rng, 30),
                last_modified=datetime(2029, 12, 1, 8, n, tzinfo=UTC),
                cancelled=rng.random() < 0.2,
                url=rng.choice([None, "", "https://example.org/e/osaka/agenda/"]),
                attendees=tuple(
                    Person(_text(rng, 3), f"p{k}@example.org") for k in range(rng.randrange(3))
                ),
            )
        )
    return entries


@pytest.mark.parametrize("method", [None, "PUBLISH", "REQUEST", "CANCEL"])
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Europe/Paris", "Europe/Berlin", "UTC"])
def test_a_calendar_is_what_icalendar_writes(method, zone):
    rng = random.Random(f"{method}{zone}")
    for _ in range(15):
        entries = _entries(rng, zone)
        for feed in (False, True):
            stamp = STAMP.replace(microsecond=rng.choice([0, 999_999]))  # written in seconds
            options = dict(
                name=_text(rng), organizer=ORGANISER, stamp=stamp, method=method, feed=feed
            )
            assert build_calendar(entries, **options) == reference(entries, **options)


def test_the_same_instant_in_two_zones_keeps_each_zone():
    paris = datetime(2030, 1, 24, 10, tzinfo=ZoneInfo("Europe/Paris"))
    berlin = paris.astimezone(ZoneInfo("Europe/Berlin"))
    for start in (paris, berlin, paris):
        entry = CalendarEntry("u@p", 0, start, start + timedelta(minutes=30), "S", "L", "D", STAMP)
        options = dict(name="A", organizer=ORGANISER, stamp=STAMP, method="PUBLISH")
        data = build_calendar([entry], **options)
        assert data == reference([entry], **options)
        assert f"DTSTART;TZID={start.tzinfo.key}:".encode() in data


def test_text_is_escaped_as_icalendar_escapes_it():
    rng = random.Random(5545)
    pieces = ["a", "\\", "\\N", "N", ";", ",", "\r", "\n", "\r\n", "é", "日", " "]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(12)))
        assert escape_text(text) == vText(text).to_ical().decode(), repr(text)
