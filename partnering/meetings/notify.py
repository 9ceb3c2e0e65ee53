"""Emails that tell a participant about a request that concerns them."""

from __future__ import annotations

from flask import url_for

from partnering.meetings.models import MeetingRequest
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
