"""What the pages and calendars that list meetings and requests read of them, loaded with them
in a fixed number of queries (one per relationship, not one per row)."""

from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload

from partnering.meetings.models import Meeting, MeetingRequest
from partnering.registrations.loading import shown_person


def meeting_details() -> list:
    """A meeting with its people (named, with organisation), slot, table, and the requests
    behind it with their senders."""
    return [
        joinedload(Meeting.slot),
        joinedload(Meeting.table),
        *shown_person(selectinload(Meeting.participants)),
        *shown_person(selectinload(Meeting.requests).joinedload(MeetingRequest.sender)),
    ]


def request_details() -> list:
    """A request with its sender and recipient, named and with organisation."""
    return [
        *shown_person(joinedload(MeetingRequest.sender)),
        *shown_person(joinedload(MeetingRequest.recipient)),
    ]
