"""iCalendar documents of agendas (RFC 5545), their scheduling methods (RFC 5546) and feed
properties (RFC 7986), built from plain data so they can be tested without a database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from icalendar import Calendar, Component, Event, Timezone, vCalAddress, vText

from partnering.plain_text import one_line

PRODID = "-//Partnering scheduler//Agenda//EN"
FEED_REFRESH = timedelta(hours=1)
METHODS = (None, "PUBLISH", "REQUEST", "CANCEL")


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class CalendarEntry:
    """One meeting as one participant's calendar shows it."""

    uid: str
    sequence: int
    start: datetime | None
    """None only in a CANCEL of a meeting taken out of the schedule (RFC 5546 allows it)."""
    end: datetime | None
    summary: str
    location: str
    description: str
    last_modified: datetime
    cancelled: bool = False
    url: str | None = None
    attendees: tuple[Person, ...] = ()


def _address(person: Person, **params: str) -> vCalAddress:
    # A parameter cannot hold a line break (icalendar refuses it), and names stored before
    # fields refused them may have one.
    address = vCalAddress(f"mailto:{one_line(person.email)}")
    address.params["CN"] = vText(one_line(person.name))
    for key, value in params.items():
        address.params[key] = value
    return address


def _vevent(entry: CalendarEntry, method: str | None, organizer: Person, stamp: datetime) -> Event:
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
    # RFC 5546: PUBLISH has no ATTENDEE; REQUEST and CANCEL name everyone concerned.
    if method in ("REQUEST", "CANCEL"):
        for person in entry.attendees:
            event.add(
                "attendee",
                _address(person, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="FALSE"),
            )
    return event


def build_calendar(
    entries: Iterable[CalendarEntry],
    *,
    name: str,
    organizer: Person,
    stamp: datetime,
    method: str | None = None,
    feed: bool = False,
) -> bytes:
    """The calendar as bytes. `method` is the iTIP method of an emailed calendar; `feed` adds
    the properties subscribed clients read to refresh."""
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    entries = list(entries)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    calendar.add("name", one_line(name))  # not escaped as text by icalendar
    calendar.add("x-wr-calname", one_line(name))
    if feed:
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    for entry in entries:
        calendar.add_component(_vevent(entry, method, organizer, stamp))
    timezones: list[bytes] = []
    timed = [e for e in entries if e.start is not None]
    if timed:
        # VTIMEZONEs covering the event's dates (the full 1970-2038 default is bulky), before
        # the events, as Calendar.add_missing_timezones places them.
        first = min(e.start for e in timed).date() - timedelta(days=366)
        last = max(e.end for e in timed).date() + timedelta(days=366)
        for tzid in sorted(calendar.get_missing_tzids()):
            timezones.extend(_vtimezone_lines(tzid, first, last))
    head = _content_lines(calendar, recursive=False)  # BEGIN, the properties, END
    events = [line for event in calendar.subcomponents for line in _content_lines(event)]
    return b"\r\n".join([*head[:-1], *timezones, *events, head[-1]]) + b"\r\n"


def _content_lines(component: Component, *, recursive: bool = True) -> list[bytes]:
    """What Component.to_ical writes, line by line, folded by `fold`."""
    return [
        fold(component.content_line(name, value)).encode()
        for name, value in component.property_items(recursive=recursive)
    ]


def fold(line: str, limit: int = 75) -> str:
    """A content line folded exactly as icalendar 7.3 folds it (RFC 5545 3.1: at most 75
    octets a line, the continuation's leading space included; an escape's backslash or caret
    never ends a line), without its walk over every character of a line that needs none, i.e.
    most of them: an agenda has tens of thousands of lines."""
    if "\n" in line:
        raise ValueError("a content line cannot hold a line break")
    if len(line.encode()) < limit:
        return line
    width = limit - 1  # octets on each line before the fold
    folded: list[str] = []
    start, count = 0, 0
    for index, char in enumerate(line):
        size = 1 if char < "\x80" else len(char.encode())
        if index > start and count + size > width:
            if index - start > 1 and line[index - 1] in "\\^":
                folded.append(line[start : index - 1])
                start, count = index - 1, 1
            else:
                folded.append(line[start:index])
                start, count = index, 0
        count += size
    folded.append(line[start:])
    return "\r\n ".join(folded)


@lru_cache(maxsize=64)
def _vtimezone_lines(tzid: str, first: date, last: date) -> tuple[bytes, ...]:
    """The VTIMEZONE of a time zone over a range, as content lines: the same for every agenda
    of an event, and the costliest part of one to build (it walks the range hour by hour) and
    to write (about fifty lines). No lines for a time zone the system's data does not know (left
    out, as icalendar does)."""
    try:
        timezone = Timezone.from_tzid(tzid, first_date=first, last_date=last)
    except ValueError:
        return ()
    return tuple(_content_lines(timezone))
