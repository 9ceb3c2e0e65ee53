"""Every model, imported in one place so migrations and the CLI see the whole schema."""

from partnering.agenda.models import Announcement, FeedToken
from partnering.attendance.models import CheckIn, NoShow
from partnering.auth.models import Account, LoginSession
from partnering.bulk.models import BulkJob
from partnering.events.models import Event, Session, Slot, Table
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.outbox.models import OutboxMessage
from partnering.registrations.models import Organisation, Participant
from partnering.scheduling.models import PublishJob, ScheduleRun

__all__ = [
    "Account",
    "Announcement",
    "BulkJob",
    "CheckIn",
    "Event",
    "FeedToken",
    "LoginSession",
    "Meeting",
    "MeetingRequest",
    "NoShow",
    "Organisation",
    "OutboxMessage",
    "Participant",
    "PublishJob",
    "ScheduleRun",
    "Session",
    "Slot",
    "Table",
]
