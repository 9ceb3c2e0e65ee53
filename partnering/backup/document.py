"""The sections of a `partnering-event/1` document, the columns each carries as they are, and
how a column's value is written to JSON and read back (checked against the column's type)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Float, Integer, String, Time

from partnering.agenda.models import FeedToken
from partnering.attendance.models import CheckIn, CheckInMethod, NoShow, NoShowStatus
from partnering.auth.models import Account
from partnering.db_types import UTCDateTime
from partnering.events.models import CONTACT_VISIBILITY, Event, Publication, Session, Slot, Table
from partnering.meetings.models import Meeting, MeetingRequest, MeetingStatus, RequestStatus
from partnering.plain_text import control_problem
from partnering.registrations.models import (
    ORGANISATION_TYPE_LABELS,
    ROLES,
    Invitation,
    Organisation,
    Participant,
    RegistrationDigest,
    RegistrationStatus,
)
from partnering.scheduling.models import ACTIVE_STATUSES, RunStatus, ScheduleRun

FORMAT = "partnering-event/1"


class BackupRefused(Exception):
    """An event that cannot be exported, or a file that cannot be imported; nothing was
    written. The message is one line that names the problem."""


@dataclass(frozen=True)
class Section:
    key: str
    model: type
    columns: tuple[str, ...]
    """Columns copied as they are, under their own names."""
    links: tuple[str, ...] = ()
    """Keys that refer to other rows (by ref or email) in place of the foreign keys."""
    omitted: tuple[str, ...] = ()
    """Columns that never travel: ids, foreign keys (see links), and what belongs elsewhere."""
    ref_prefix: str | None = None
    """Rows carry a `ref` (prefix + position) when other rows refer to them."""
    optional: tuple[str, ...] = ()
    """Keys a document may lack (written before they existed); a missing one reads as null."""

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.columns + self.links + (("ref",) if self.ref_prefix else ()))

    def column(self, name: str) -> Column:
        return self.model.__table__.c[name]


EVENT = Section(
    "event",
    Event,
    columns=(
        "slug",
        "name",
        "venue",
        "description",
        "timezone",
        "slot_minutes",
        "topics_text",
        "registration_deadline",
        "request_deadline",
        "max_meetings",
        "max_pending_requests",
        "cancellation_cutoff",
        "schedule_state",
        "published_at",
        "privacy_note",
        "contact_visibility",
        "created_at",
    ),
    omitted=("id",),
)
ACCOUNTS = Section(
    "accounts",
    Account,
    columns=("email", "name", "created_at"),
    # A file must not make anybody a site administrator, and login links stay with the site.
    omitted=("id", "is_admin", "login_nonce"),
)
SESSIONS = Section(
    "sessions",
    Session,
    columns=("day", "start", "end"),
    omitted=("id", "event_id"),
    ref_prefix="session-",
)
SLOTS = Section(
    "slots",
    Slot,
    columns=("start", "end", "external_ref"),
    links=("session",),
    omitted=("id", "event_id", "session_id"),
    ref_prefix="slot-",
)
TABLES = Section(
    "tables",
    Table,
    columns=("name", "seats", "hidden", "position", "external_ref"),
    omitted=("id", "event_id"),
    ref_prefix="table-",
)
ORGANISATIONS = Section(
    "organisations",
    Organisation,
    columns=("name", "kind", "country", "external_ref"),
    omitted=("id", "event_id"),
    ref_prefix="org-",
)
PARTICIPANTS = Section(
    "participants",
    Participant,
    columns=(
        "role",
        "status",
        "job_title",
        "topics_text",
        "offer",
        "seek",
        "description",
        "show_profile",
        "max_meetings",
        "external_ref",
        "privacy_consent_at",
        "created_at",
    ),
    links=("account", "organisation", "booth", "unavailable_slots", "feed_token"),
    omitted=("id", "event_id", "account_id", "organisation_id", "booth_table_id"),
    ref_prefix="person-",
)
FEED_TOKEN = Section(
    "feed_token", FeedToken, columns=("secret", "created_at"), omitted=("id", "participant_id")
)
MEETINGS = Section(
    "meetings",
    Meeting,
    columns=(
        "uid",
        "priority",
        "status",
        "locked",
        "published_at",
        "cancelled_at",
        "sequence",
        "announced_sequence",
        "external_ref",
        "created_at",
        "updated_at",
    ),
    links=("participants", "allowed_slots", "slot", "table", "cancelled_by"),
    # participants_key holds ids: derived, kept by the flush hook of partnering.meetings.integrity
    omitted=("id", "event_id", "slot_id", "table_id", "cancelled_by_id", "participants_key"),
    ref_prefix="meeting-",
)
REQUESTS = Section(
    "requests",
    MeetingRequest,
    columns=("message", "priority", "status", "created_at", "answered_at"),
    links=("sender", "recipient", "meeting"),
    omitted=("id", "event_id", "sender_id", "recipient_id", "meeting_id"),
)
SCHEDULE_RUNS = Section(
    "schedule_runs",
    ScheduleRun,
    columns=(
        "created_at",
        "time_limit",
        "keep_published",
        "status",
        "cancel_requested",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "phase",
        "best",
        "bound",
        "elapsed",
        "summary",
        "error",
        "decided_at",
    ),
    links=("created_by", "decided_by"),
    # The stored problem and result name rows by this database's ids (see the package doc);
    # without them a re-plan's instant and cut-off say nothing, and they stay behind too.
    omitted=(
        "id",
        "event_id",
        "created_by_id",
        "decided_by_id",
        "problem",
        "result",
        "replan_from",
        "absent_cutoff",
    ),
)
CHECK_INS = Section(
    "check_ins",
    CheckIn,
    columns=("day", "checked_in_at", "method", "checked_out_at"),
    links=("participant", "checked_in_by", "checked_out_by"),
    omitted=("id", "event_id", "participant_id", "checked_in_by_id", "checked_out_by_id"),
    optional=("checked_out_at", "checked_out_by"),
)
NO_SHOWS = Section(
    "no_shows",
    NoShow,
    columns=("status", "marked_at", "undone_at"),
    links=("meeting", "slot", "marked_by"),
    omitted=("id", "event_id", "meeting_id", "slot_id", "marked_by_id"),
)
INVITATIONS = Section(
    "invitations",
    Invitation,
    columns=("invited_at",),
    links=("participant", "invited_by"),
    omitted=("participant_id", "invited_by_id"),
)
REGISTRATION_DIGEST = Section(
    "registration_digest", RegistrationDigest, columns=("sent_through",), omitted=("event_id",)
)
"""One object or null: without it a restored event would mail its organisers every
registration again, as new."""

LISTS = (
    ACCOUNTS,
    SESSIONS,
    SLOTS,
    TABLES,
    ORGANISATIONS,
    PARTICIPANTS,
    MEETINGS,
    REQUESTS,
    SCHEDULE_RUNS,
    CHECK_INS,
    NO_SHOWS,
    INVITATIONS,
)
"""The document's lists, in the order they are read (a section refers only to earlier ones)."""
SECTIONS = (EVENT, *LISTS, FEED_TOKEN, REGISTRATION_DIGEST)
LATER_KEYS = frozenset({CHECK_INS.key, NO_SHOWS.key, INVITATIONS.key, REGISTRATION_DIGEST.key})
"""Keys added to the format since its first files: a file without them has none of those rows."""
TOP_KEYS = frozenset({"format", EVENT.key, *(s.key for s in LISTS), REGISTRATION_DIGEST.key})

FINISHED_RUN_STATUSES = tuple(
    s for s in RunStatus if s not in ACTIVE_STATUSES and s != RunStatus.DONE
)
CHOICES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("event", "schedule_state"): tuple(Publication),
    ("event", "contact_visibility"): tuple(CONTACT_VISIBILITY),
    ("organisations", "kind"): tuple(ORGANISATION_TYPE_LABELS),
    ("participants", "role"): ROLES,
    ("participants", "status"): tuple(RegistrationStatus),
    ("meetings", "status"): tuple(MeetingStatus),
    ("requests", "status"): tuple(RequestStatus),
    ("schedule_runs", "status"): FINISHED_RUN_STATUSES,
    ("check_ins", "method"): tuple(CheckInMethod),
    ("no_shows", "status"): tuple(NoShowStatus),
}
"""Columns that hold one of a few words."""


# --- values ------------------------------------------------------------------------------------


def dump_value(column: Column, value: Any) -> Any:
    """A column's value as JSON: instants in UTC, dates and times in ISO 8601."""
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return value.astimezone(UTC).isoformat()
    if isinstance(column.type, Date | Time):
        return value.isoformat()
    return value


MAX_INTEGER = 2**31 - 1
"""The range of an INTEGER column on PostgreSQL."""


def load_value(column: Column, raw: Any, where: str) -> Any:
    """The column's value from JSON, or BackupRefused saying what is wrong at `where`."""
    if raw is None:
        if column.nullable:
            return None
        raise BackupRefused(f"{where}: must not be null")
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _instant(raw, where)
    if isinstance(kind, Date):
        return _parsed(date, raw, where, "a date (YYYY-MM-DD)")
    if isinstance(kind, Time):
        return _parsed(time, raw, where, "a time (HH:MM:SS)")
    if isinstance(kind, Boolean):
        return _typed(raw, bool, where, "true or false")
    if isinstance(kind, Integer):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise BackupRefused(f"{where}: expected a whole number, got {_kind(raw)}")
        if not -MAX_INTEGER <= raw <= MAX_INTEGER:
            raise BackupRefused(f"{where}: {raw} is out of range")
        return raw
    if isinstance(kind, Float):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise BackupRefused(f"{where}: expected a number, got {_kind(raw)}")
        return float(raw)
    if isinstance(kind, JSON):
        return _typed(raw, dict, where, "an object")
    if isinstance(kind, String):
        text = _typed(raw, str, where, "a string")
        if kind.length is not None and len(text) > kind.length:
            raise BackupRefused(f"{where}: at most {kind.length} characters")
        # A sized string is a name, an address, a title: one line, as the forms require.
        problem = control_problem(text, multiline=kind.length is None)
        if problem:
            raise BackupRefused(f"{where}: {problem[0].lower()}{problem[1:-1]}")
        return text
    raise TypeError(f"no JSON form for {kind!r} ({where})")  # a column this module forgot


def _instant(raw: Any, where: str) -> datetime:
    value = _parsed(datetime, raw, where, "an ISO 8601 instant")
    if value.tzinfo is None:
        raise BackupRefused(f"{where}: {raw!r} has no UTC offset")
    return value.astimezone(UTC)


def _parsed(kind: type, raw: Any, where: str, expected: str) -> Any:
    text = _typed(raw, str, where, expected)
    try:
        return kind.fromisoformat(text)
    except ValueError:
        raise BackupRefused(f"{where}: {text!r} is not {expected}") from None


def _typed(raw: Any, kind: type, where: str, expected: str) -> Any:
    if not isinstance(raw, kind):
        raise BackupRefused(f"{where}: expected {expected}, got {_kind(raw)}")
    return raw


def _kind(raw: Any) -> str:
    return {
        type(None): "null",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(raw), type(raw).__name__)
