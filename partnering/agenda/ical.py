"""iCalendar documents of agendas (RFC 5545), their scheduling methods (RFC 5546) and feed
properties (RFC 7986), built from plain data so they can be tested without a database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
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


ATTENDEE_PARAMS = (("ROLE", "REQ-PARTICIPANT"), ("PARTSTAT", "NEEDS-ACTION"), ("RSVP", "FALSE"))


def _vevent(
    entry: CalendarEntry, method: str | None, organizer: Person, stamp: bytes
) -> list[bytes]:
    """The VEVENT's content lines, in the order icalendar writes an Event's properties (its
    canonical ones first, the others alphabetically). The text values are escaped by
    icalendar; the values an event's agendas share (times, people, constants) are written by
    icalendar once each and reused: an Event component per meeting per agenda was most of
    the time of building an agenda."""
    lines = [b"BEGIN:VEVENT", _text("SUMMARY", entry.summary)]
    if entry.start is not None:
        lines += [_property("DTSTART", entry.start), _property("DTEND", entry.end)]
    lines += [stamp, _text("UID", entry.uid)]
    lines.append(_property("SEQUENCE", entry.sequence))
    # RFC 5546: PUBLISH has no ATTENDEE; REQUEST and CANCEL name everyone concerned.
    if method in ("REQUEST", "CANCEL"):
        lines += [_address_line("ATTENDEE", person, ATTENDEE_PARAMS) for person in entry.attendees]
    lines += [
        _text("DESCRIPTION", entry.description),
        _property("LAST-MODIFIED", entry.last_modified),
        _text("LOCATION", entry.location),
    ]
    if method is not None:
        lines.append(_address_line("ORGANIZER", organizer))
    lines.append(_property("STATUS", "CANCELLED" if entry.cancelled else "CONFIRMED"))
    if entry.url:
        lines.append(_property("URL", entry.url))
    lines.append(b"END:VEVENT")
    return lines


def _text(name: str, value: str) -> bytes:
    return fold(f"{name}:{escape_text(value)}").encode()


def escape_text(value: str) -> str:
    """A TEXT value escaped as icalendar 7.3's vText escapes it (RFC 5545 3.3.11; line ends
    become \\n), without making a vText and its parameters for each of an agenda's texts."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _property(name: str, value: object) -> bytes:
    """One property's content line as icalendar writes it in an Event; written once for a
    value that many agendas share."""
    # Keyed by type and zone too: 10:00 in Paris and 10:00 in Berlin are equal datetimes.
    return _shared(name, value, type(value), getattr(value, "tzinfo", None))


@lru_cache(maxsize=4096)
def _shared(name: str, value: object, kind: type, zone: tzinfo | None) -> bytes:
    return _written(name, value)


def _written(name: str, value: object) -> bytes:
    event = Event()
    event.add(name, value)
    [line] = _content_lines(event)[1:-1]
    return line


@lru_cache(maxsize=4096)
def _address_line(name: str, person: Person, params: tuple[tuple[str, str], ...] = ()) -> bytes:
    event = Event()
    event.add(name, _address(person, **dict(params)))
    [line] = _content_lines(event)[1:-1]
    return line


@lru_cache(maxsize=64)
def _missing_tzids(zone: tzinfo) -> frozenset[str]:
    """The VTIMEZONEs a calendar needs for times in `zone` (none for UTC), as icalendar
    decides it."""
    calendar = Calendar()
    event = Event()
    event.add("dtstart", datetime(2000, 1, 1, tzinfo=zone))
    calendar.add_component(event)
    return frozenset(calendar.get_missing_tzids())


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
    # Whole seconds: what icalendar writes of it, so that the calendars of a second share it.
    stamp_line = _property("DTSTAMP", stamp.replace(microsecond=0))
    events = [line for entry in entries for line in _vevent(entry, method, organizer, stamp_line)]
    timezones: list[bytes] = []
    timed = [e for e in entries if e.start is not None]
    if timed:
        # VTIMEZONEs covering the event's dates (the full 1970-2038 default is bulky), before
        # the events, as Calendar.add_missing_timezones places them.
        first = min(e.start for e in timed).date() - timedelta(days=366)
        last = max(e.end for e in timed).date() + timedelta(days=366)
        zones = {t.tzinfo for e in timed for t in (e.start, e.end)}
        for tzid in sorted(frozenset().union(*map(_missing_tzids, zones))):
            timezones.extend(_vtimezone_lines(tzid, first, last))
    # icalendar writes the name as it is (a property it does not know), folded.
    head = [
        fold(line.decode().replace(_NAME, one_line(name))).encode() if b"\0" in line else line
        for line in _calendar_head(method, feed)
    ]
    return b"\r\n".join([*head[:-1], *timezones, *events, head[-1]]) + b"\r\n"


_NAME = "\0"


@lru_cache(maxsize=16)
def _calendar_head(method: str | None, feed: bool) -> tuple[bytes, ...]:
    """BEGIN, the calendar's properties and END as icalendar writes them, the lines of the
    name (NAME, X-WR-CALNAME) as templates holding a NUL where the name goes."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    calendar.add("name", _NAME)
    calendar.add("x-wr-calname", _NAME)
    if feed:
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    return tuple(_content_lines(calendar, recursive=False))


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
