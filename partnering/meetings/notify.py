"""Emails that tell a participant about a request that concerns them."""

from __future__ import annotations

from flask import url_for

from partnering.meetings.models import Meeting, MeetingRequest
from partnering.outbox.operations import queue_email


def _my_meetings_url(request: MeetingRequest) -> str:
    return url_for("meetings.mine", slug=request.event.slug, _external=True)


def request_received(request: MeetingRequest) -> None:
    sender, recipient = request.sender, request.recipient
    organisation = f" ({sender.organisation.name})" if sender.organisation else ""
    message = f'\nTheir message:\n"{request.message}"\n' if request.message else ""
    queue_email(
        recipient.email,
        f"{sender.name} would like to meet you at {request.event.name}",
        f"Hello {recipient.name},\n\n{sender.name}{organisation} asks for a meeting with you "
        f"({request.priority_label.lower()}).\n{message}\n"
        f"Accept or decline it here:\n{_my_meetings_url(request)}\n",
        kind="request",
        event_id=request.event_id,
    )


def request_accepted(request: MeetingRequest) -> None:
    sender, recipient = request.sender, request.recipient
    queue_email(
        sender.email,
        f"{recipient.name} accepted your meeting request",
        f"Hello {sender.name},\n\n{recipient.name} accepted to meet you at "
        f"{request.event.name}. The organiser will give the meeting a time and a table; "
        f"you will find it here:\n{_my_meetings_url(request)}\n",
        kind="request",
        event_id=request.event_id,
    )


def meeting_arranged(meeting: Meeting) -> None:
    """The organiser arranged (and placed) a meeting for these participants: each is told
    with whom, when and where."""
    event = meeting.event
    start, end = event.local(meeting.slot.start), event.local(meeting.slot.end)
    when = f"{start:%a %d %b %H:%M}–{end:%H:%M} ({event.timezone}), table {meeting.table.name}"
    for person in meeting.participants:
        others = ", ".join(
            o.name + (f" ({o.organisation.name})" if o.organisation else "")
            for o in meeting.others(person)
        )
        queue_email(
            person.email,
            f"{event.name}: a meeting with {', '.join(o.name for o in meeting.others(person))}",
            f"Hello {person.name},\n\nThe organisers of {event.name} arranged a meeting for you "
            f"with {others}:\n{when}\n\nIt appears on your agenda, with a calendar file, once "
            "the organisers publish the schedule. Your agenda:\n"
            f"{url_for('agenda.mine', slug=event.slug, _external=True)}\n",
            kind="notice",
            event_id=event.id,
        )
