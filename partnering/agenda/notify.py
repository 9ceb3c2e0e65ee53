"""Emails that keep participants' calendars right: the agenda when the schedule is published,
an update (iTIP REQUEST) when a meeting they were told about moves, a CANCEL when it is
cancelled or taken out of the schedule. Each is queued in the caller's transaction."""

from __future__ import annotations

from collections import defaultdict

from flask import current_app

from partnering.agenda.calendars import agenda_calendar, published_meetings
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.outbox.operations import Attachment, one_email, queue_email
from partnering.public_urls import public_urls
from partnering.registrations.models import Participant


def render(template: str, **context) -> str:
    """An email body. Unlike render_template, no request context processors: an email must
    not depend on (nor load) whoever is logged in."""
    return current_app.jinja_env.get_template(template).render(**context)


def _calendar_attachment(data: bytes, method: str, filename: str) -> Attachment:
    return Attachment(filename, data, "text", "calendar", (("method", method),))


def _announced(meeting: Meeting) -> bool:
    return meeting.announced_sequence is not None


def send_agenda(event: Event, participant: Participant) -> None:
    subject = f"Your agenda for {event.name}"
    with one_email(participant.email, subject, kind="agenda", event_id=event.id):
        meetings = [m for m in published_meetings(participant) if m.is_active]
        context = dict(event=event, person=participant, meetings=meetings)
        queue_email(
            participant.email,
            subject,
            render("agenda/email/agenda.txt", **context),
            html=render("agenda/email/agenda.html", **context),
            attachments=[
                _calendar_attachment(
                    agenda_calendar(participant, meetings, method="PUBLISH"),
                    "PUBLISH",
                    "agenda.ics",
                )
            ],
            kind="agenda",
            event_id=event.id,
        )


def _send_change(meeting: Meeting, method: str) -> None:
    event = meeting.event
    template = "update" if method == "REQUEST" else "cancel"
    for person in meeting.participants:
        fallback = f"{template.title()} of a meeting at {event.name}"
        with one_email(person.email, fallback, kind=template, event_id=event.id):
            context = dict(
                event=event, person=person, meeting=meeting, others=meeting.others(person)
            )
            queue_email(
                person.email,
                render(f"agenda/email/{template}_subject.txt", **context).strip(),
                render(f"agenda/email/{template}.txt", **context),
                attachments=[
                    _calendar_attachment(
                        agenda_calendar(person, [meeting], method=method),
                        method,
                        f"{template}.ics",
                    )
                ],
                kind=template,
                event_id=event.id,
            )
    meeting.announced_sequence = meeting.sequence


def announce_publication(event: Event, *, state_changed: bool) -> None:
    """After the schedule is (re)published: agendas to those with something new (to everyone
    with a meeting when the state changed, e.g. preliminary to final), updates for announced
    meetings that moved, cancellations for announced meetings no longer in the schedule."""
    with public_urls():
        meetings = db.session.execute(db.select(Meeting).filter_by(event_id=event.id)).scalars()
        full_agenda: set[int] = set()
        people: dict[int, Participant] = {}
        moved, dropped = [], []
        by_person = defaultdict(list)
        for meeting in meetings:
            shown = meeting.published_at is not None and meeting.is_active
            if shown:
                for person in meeting.participants:
                    people[person.id] = person
                    by_person[person.id].append(meeting)
                    if state_changed or not _announced(meeting):
                        full_agenda.add(person.id)
                if _announced(meeting) and meeting.announced_sequence != meeting.sequence:
                    moved.append(meeting)
            elif meeting.is_active and _announced(meeting):
                dropped.append(meeting)
        for person_id in sorted(full_agenda):
            send_agenda(event, people[person_id])
        for meeting in moved:
            if not all(p.id in full_agenda for p in meeting.participants):
                _send_change(meeting, "REQUEST")
        for meeting in dropped:
            _send_change(meeting, "CANCEL")
        for person_meetings in by_person.values():
            for meeting in person_meetings:
                meeting.announced_sequence = meeting.sequence


def announce_cancellation(meeting: Meeting) -> None:
    """A cancelled meeting its participants were told about: a CANCEL to each of them."""
    if _announced(meeting):
        with public_urls():
            _send_change(meeting, "CANCEL")
