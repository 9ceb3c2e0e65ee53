"""A participant's published meetings as calendar entries, and the calendars built from them."""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr

from flask import current_app, url_for

from partnering.agenda.ical import CalendarEntry, Person, build_calendar
from partnering.db_types import utcnow
from partnering.events.models import Event
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from partnering.scheduling.people import placed_meetings


def published_meetings(participant: Participant) -> list[Meeting]:
    """What the participant has been shown: published meetings, cancelled ones included."""
    return placed_meetings(participant, published_only=True)


def _who(person: Participant) -> str:
    return f"{person.name} ({person.organisation.name})" if person.organisation else person.name


def entry_for(meeting: Meeting, participant: Participant) -> CalendarEntry:
    event = meeting.event
    others = meeting.others(participant)
    lines = []
    for other in others:
        profile = url_for(
            "registrations.person", slug=event.slug, participant_id=other.id, _external=True
        )
        title = ", ".join(
            x for x in (other.job_title, other.organisation and other.organisation.name) if x
        )
        lines.append(f"{other.name}{f' – {title}' if title else ''}\nProfile: {profile}")
    for request in meeting.requests:
        if request.message:
            lines.append(f"Message from {request.sender.name}:\n{request.message}")
    agenda = url_for("agenda.mine", slug=event.slug, _external=True)
    lines.append(f"Your agenda: {agenda}")
    slot, table = meeting.slot, meeting.table
    return CalendarEntry(
        uid=meeting.uid,
        sequence=meeting.sequence,
        start=event.local(slot.start) if slot else None,
        end=event.local(slot.end) if slot else None,
        summary="Meeting with " + ", ".join(_who(o) for o in others),
        location=", ".join(x for x in (table and table.label, event.venue) if x),
        description="\n\n".join(lines),
        last_modified=meeting.updated_at,
        cancelled=meeting.is_cancelled or slot is None,
        url=agenda,
        attendees=tuple(Person(p.name, p.email) for p in meeting.participants),
    )


def organizer(event: Event) -> Person:
    _, address = parseaddr(current_app.config["MAIL_SENDER"])
    return Person(event.name, address)


def calendar_name(event: Event, participant: Participant) -> str:
    return f"{event.name} – {participant.name}"


def agenda_calendar(
    participant: Participant,
    meetings: Iterable[Meeting] | None = None,
    *,
    method: str | None = None,
    feed: bool = False,
) -> bytes:
    """The participant's agenda (all their published meetings unless `meetings` is given)."""
    chosen = published_meetings(participant) if meetings is None else list(meetings)
    return meetings_calendar(participant.event, participant, chosen, method=method, feed=feed)


def meetings_calendar(
    event: Event,
    participant,
    meetings: Iterable,
    *,
    method: str | None = None,
    feed: bool = False,
) -> bytes:
    """A calendar of `meetings` for the participant: models, or the plain rows an email batch
    loads (partnering.agenda.agenda_rows), which have the same attributes."""
    return build_calendar(
        (entry_for(m, participant) for m in meetings),
        name=calendar_name(event, participant),
        organizer=organizer(event),
        stamp=utcnow(),
        method=method,
        feed=feed,
    )
