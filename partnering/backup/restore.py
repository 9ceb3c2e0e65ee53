"""A `partnering-event/1` document as a new event, in one transaction.

The whole document is read and checked first (keys, types, words, refs, uniqueness) into
unsaved rows; then the database is asked what it already holds (the slug, accounts, calendar
UIDs); only then is anything added, through the ORM so that flush hooks see every row.

Accounts are shared by all events: an account with the file's email is reused as it is (never
renamed), the others are created. Calendar UIDs are unique in a database: when the file's
UIDs are taken there, the original event lives in this database and the import is a copy, so
its meetings get new UIDs and its calendar links new secrets (a copy is a separate calendar,
and the original's links must not open it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from partnering.agenda.models import FeedToken, new_feed_secret
from partnering.attendance.models import CheckIn, NoShow
from partnering.auth.models import Account
from partnering.backup.document import (
    ACCOUNTS,
    CHECK_INS,
    CHOICES,
    EVENT,
    FEED_TOKEN,
    FORMAT,
    INVITATIONS,
    LATER_KEYS,
    LISTS,
    MEETINGS,
    NO_SHOWS,
    ORGANISATIONS,
    PARTICIPANTS,
    REGISTRATION_DIGEST,
    REQUESTS,
    SCHEDULE_RUNS,
    SESSIONS,
    SLOTS,
    TABLES,
    TOP_KEYS,
    BackupRefused,
    Section,
    load_value,
)
from partnering.events.models import Event, Session, Slot, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, new_uid
from partnering.registrations.models import (
    Invitation,
    Organisation,
    Participant,
    RegistrationDigest,
)
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.problem_import import SLUG_PATTERN

CHUNK = 500
"""Values per IN (...) query: well under every database's limit on parameters."""


@dataclass(frozen=True)
class Restored:
    event: Event
    counts: Mapping[str, int]
    """Rows per list of the document."""
    copied: bool
    """The file's calendar UIDs were taken here: the meetings got new UIDs and the calendar
    links new secrets."""


def restore_event(doc: object, slug: str | None = None) -> Restored:
    """Create the document's event (under `slug` if given) and commit; BackupRefused, with
    nothing written, when the document is not a complete, consistent export."""
    rows = _read(doc, slug)
    _refuse_taken_slug(rows.event.slug)
    copied = _uids_taken([m.uid for m in rows.meetings])
    if copied:
        for meeting in rows.meetings:
            meeting.uid = new_uid()
        for token in rows.feed_tokens:
            token.secret = new_feed_secret()
    try:
        _write(rows)
        db.session.commit()
    except IntegrityError as exc:
        # A rule only the database knows (a double booking in the file, a unique index added
        # since this module was written): still one line, still nothing written.
        db.session.rollback()
        reason = str(exc.orig).splitlines()[0]
        raise BackupRefused(f"the database refused the event ({reason})") from None
    except Exception:
        db.session.rollback()
        raise
    return Restored(rows.event, rows.counts, copied)


# --- reading -----------------------------------------------------------------------------------


@dataclass
class _Rows:
    """The document as unsaved rows; accounts as emails until the database is asked."""

    event: Event
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisations: list[Organisation] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    feed_tokens: list[FeedToken] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    requests: list[MeetingRequest] = field(default_factory=list)
    runs: list[ScheduleRun] = field(default_factory=list)
    check_ins: list[CheckIn] = field(default_factory=list)
    no_shows: list[tuple[NoShow, Slot]] = field(default_factory=list)
    invitations: list[tuple[Invitation, Participant]] = field(default_factory=list)
    digest: RegistrationDigest | None = None
    """These rows name the event, a slot or a participant by id only: filled in once those have
    ids."""
    account_of: list[tuple[Any, str, str]] = field(default_factory=list)
    """(row, attribute, email): the account links to fill in once accounts exist."""
    counts: dict[str, int] = field(default_factory=dict)


def _read(doc: object, slug: str | None) -> _Rows:
    doc = _object(doc, "the document")
    if doc.get("format") != FORMAT:
        raise BackupRefused(
            f"format: expected {FORMAT!r}, got {doc.get('format')!r} (not an event export)"
        )
    _exact_keys(doc, TOP_KEYS, "the document", optional=LATER_KEYS)
    lists = {s.key: _list(doc.get(s.key, []), s.key) for s in LISTS}
    rows = _Rows(_event(doc["event"], slug))
    rows.counts = {key: len(items) for key, items in lists.items()}
    emails = _accounts(rows, lists[ACCOUNTS.key])
    used: set[str] = set()

    def account(raw: Any, where: str, row: Any, attribute: str, nullable: bool = False) -> None:
        if raw is None and nullable:
            return
        email = _typed_ref(raw, where, nullable=False)
        if email not in emails:
            raise BackupRefused(f"{where}: {email!r} is not in accounts")
        used.add(email)
        rows.account_of.append((row, attribute, email))

    event = rows.event
    sessions = {}
    for where, values, raw in _items(SESSIONS, lists):
        sessions[_new_ref(sessions, raw, where)] = Session(event=event, **values)

    slots: dict[str, Slot] = {}
    starts: dict[Any, str] = {}
    for where, values, raw in _items(SLOTS, lists):
        ref = _new_ref(slots, raw, where)
        if values["start"] in starts:
            raise BackupRefused(f"{where}.start: the same as slot {starts[values['start']]!r}")
        starts[values["start"]] = ref
        session = _link(sessions, raw["session"], f"{where}.session", "session", nullable=True)
        slots[ref] = Slot(event=event, session=session, **values)

    tables: dict[str, Table] = {}
    _unique(lists[TABLES.key], "name", TABLES.key)
    for where, values, raw in _items(TABLES, lists):
        tables[_new_ref(tables, raw, where)] = Table(event=event, **values)

    organisations: dict[str, Organisation] = {}
    _unique(lists[ORGANISATIONS.key], "name", ORGANISATIONS.key)
    for where, values, raw in _items(ORGANISATIONS, lists):
        # event_id is set once the event has an id (an organisation has no event relationship)
        organisations[_new_ref(organisations, raw, where)] = Organisation(**values)
    rows.organisations = list(organisations.values())

    participants: dict[str, Participant] = {}
    _unique(lists[PARTICIPANTS.key], "account", PARTICIPANTS.key)
    for where, values, raw in _items(PARTICIPANTS, lists):
        ref = _new_ref(participants, raw, where)
        person = Participant(
            event=event,
            organisation=_link(
                organisations, raw["organisation"], f"{where}.organisation", "organisation", True
            ),
            booth=_link(tables, raw["booth"], f"{where}.booth", "table", nullable=True),
            unavailable_slots=_links(
                slots, raw["unavailable_slots"], f"{where}.unavailable_slots", "slot"
            ),
            **values,
        )
        account(raw["account"], f"{where}.account", person, "account")
        if raw["feed_token"] is not None:
            token_values, _ = _fields(FEED_TOKEN, raw["feed_token"], f"{where}.feed_token")
            rows.feed_tokens.append(FeedToken(participant=person, **token_values))
        participants[ref] = person
    rows.participants = list(participants.values())

    meetings: dict[str, Meeting] = {}
    _unique(lists[MEETINGS.key], "uid", MEETINGS.key)
    for where, values, raw in _items(MEETINGS, lists):
        ref = _new_ref(meetings, raw, where)
        meeting = Meeting(
            event=event,
            participants=_links(
                participants, raw["participants"], f"{where}.participants", "participant"
            ),
            allowed_slots=_links(slots, raw["allowed_slots"], f"{where}.allowed_slots", "slot"),
            slot=_link(slots, raw["slot"], f"{where}.slot", "slot", nullable=True),
            table=_link(tables, raw["table"], f"{where}.table", "table", nullable=True),
            **values,
        )
        account(raw["cancelled_by"], f"{where}.cancelled_by", meeting, "cancelled_by_id", True)
        meetings[ref] = meeting
    rows.meetings = list(meetings.values())
    _mark_follow_ups(meetings)

    for where, values, raw in _items(REQUESTS, lists):
        rows.requests.append(
            MeetingRequest(
                event=event,
                sender=_link(participants, raw["sender"], f"{where}.sender", "participant"),
                recipient=_link(
                    participants, raw["recipient"], f"{where}.recipient", "participant"
                ),
                meeting=_link(meetings, raw["meeting"], f"{where}.meeting", "meeting", True),
                **values,
            )
        )

    for where, values, raw in _items(SCHEDULE_RUNS, lists):
        run = ScheduleRun(event=event, **values)
        account(raw["created_by"], f"{where}.created_by", run, "created_by", nullable=True)
        account(raw["decided_by"], f"{where}.decided_by", run, "decided_by", nullable=True)
        rows.runs.append(run)

    for where, values, raw in _items(CHECK_INS, lists):
        check_in = CheckIn(
            participant=_link(
                participants, raw["participant"], f"{where}.participant", "participant"
            ),
            **values,
        )
        account(raw["checked_in_by"], f"{where}.checked_in_by", check_in, "checked_in_by", True)
        out_by = raw.get("checked_out_by")
        account(out_by, f"{where}.checked_out_by", check_in, "checked_out_by", True)
        rows.check_ins.append(check_in)

    for where, values, raw in _items(NO_SHOWS, lists):
        no_show = NoShow(
            meeting=_link(meetings, raw["meeting"], f"{where}.meeting", "meeting"), **values
        )
        slot = _link(slots, raw["slot"], f"{where}.slot", "slot")
        account(raw["marked_by"], f"{where}.marked_by", no_show, "marked_by")
        rows.no_shows.append((no_show, slot))

    invited: set[str] = set()
    for where, values, raw in _items(INVITATIONS, lists):
        person = _link(participants, raw["participant"], f"{where}.participant", "participant")
        if raw["participant"] in invited:
            raise BackupRefused(f"{where}.participant: {raw['participant']!r} is invited twice")
        invited.add(raw["participant"])
        invitation = Invitation(**values)
        account(raw["invited_by"], f"{where}.invited_by", invitation, "invited_by", True)
        rows.invitations.append((invitation, person))

    if doc.get(REGISTRATION_DIGEST.key) is not None:
        values, _ = _fields(
            REGISTRATION_DIGEST, doc[REGISTRATION_DIGEST.key], REGISTRATION_DIGEST.key
        )
        rows.digest = RegistrationDigest(**values)

    unused = sorted(emails - used)
    if unused:
        raise BackupRefused(f"accounts: {unused[0]!r} is not referred to by the event")
    return rows


def _mark_follow_ups(meetings: Mapping[str, Meeting]) -> None:
    """The n-th active meeting of the same people (a follow-up, as a problem file may ask) is
    keyed `ids#n`: the flush hook of partnering.meetings.integrity fills in the ids and keeps
    the `#n` it finds. The ref before it keeps pending keys apart until then."""
    seen: Counter[frozenset[int]] = Counter()
    for ref, meeting in meetings.items():
        if not meeting.is_active:
            continue
        people = frozenset(id(p) for p in meeting.participants)
        seen[people] += 1
        if seen[people] > 1:
            meeting.participants_key = f"{ref}#{seen[people]}"


def _event(raw: Any, slug: str | None) -> Event:
    values, _ = _fields(EVENT, raw, "event")
    if slug is not None:
        values["slug"] = slug
    if not SLUG_PATTERN.fullmatch(values["slug"]):
        raise BackupRefused(
            f"slug {values['slug']!r}: use 1-64 lowercase letters, digits and dashes, starting "
            "with a letter or digit"
        )
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise BackupRefused(f"event.timezone: unknown timezone {values['timezone']!r}") from None
    return Event(**values)


def _accounts(rows: _Rows, items: list) -> set[str]:
    for where, values, _ in _items(ACCOUNTS, {ACCOUNTS.key: items}):
        email = values["email"]
        if "@" not in email or email != email.strip().lower():
            raise BackupRefused(f"{where}.email: {email!r} is not a lowercase email address")
        if email in rows.accounts:
            raise BackupRefused(f"{where}.email: {email!r} is listed twice")
        rows.accounts[email] = values
    return set(rows.accounts)


def _items(section: Section, lists: Mapping[str, list]) -> Iterable[tuple[str, dict, dict]]:
    """(where, column values, raw object) of each item of the section's list."""
    for i, raw in enumerate(lists[section.key]):
        where = f"{section.key}[{i}]"
        values, obj = _fields(section, raw, where)
        yield where, values, obj


def _fields(section: Section, raw: Any, where: str) -> tuple[dict[str, Any], dict]:
    obj = _object(raw, where)
    _exact_keys(obj, section.keys, where, optional=frozenset(section.optional))
    values = {}
    for name in section.columns:
        if name not in obj:
            continue
        value = load_value(section.column(name), obj[name], f"{where}.{name}")
        words = CHOICES.get((section.key, name))
        if words is not None and value not in words:
            raise BackupRefused(f"{where}.{name}: {value!r} is not one of {', '.join(words)}")
        values[name] = value
    return values, obj


def _exact_keys(
    obj: dict, keys: frozenset[str], where: str, optional: frozenset[str] = frozenset()
) -> None:
    missing = sorted(keys - optional - obj.keys())
    if missing:
        raise BackupRefused(f"{where}: missing key {missing[0]!r}")
    unknown = sorted(obj.keys() - keys)
    if unknown:
        raise BackupRefused(f"{where}: unknown key {unknown[0]!r}")


def _object(raw: Any, where: str) -> dict:
    if not isinstance(raw, dict):
        raise BackupRefused(f"{where}: expected an object")
    return raw


def _list(raw: Any, where: str) -> list:
    if not isinstance(raw, list):
        raise BackupRefused(f"{where}: expected a list")
    return raw


def _typed_ref(raw: Any, where: str, nullable: bool) -> str | None:
    if raw is None and nullable:
        return None
    if not isinstance(raw, str):
        raise BackupRefused(f"{where}: expected a string reference")
    return raw


def _new_ref(known: Mapping[str, Any], raw: dict, where: str) -> str:
    ref = _typed_ref(raw["ref"], f"{where}.ref", nullable=False)
    if ref in known:
        raise BackupRefused(f"{where}.ref: {ref!r} is used twice")
    return ref


def _link(known: Mapping[str, Any], raw: Any, where: str, kind: str, nullable: bool = False):
    ref = _typed_ref(raw, where, nullable)
    if ref is None:
        return None
    if ref not in known:
        raise BackupRefused(f"{where}: no {kind} {ref!r} in the file")
    return known[ref]


def _links(known: Mapping[str, Any], raw: Any, where: str, kind: str) -> list:
    refs = _list(raw, where)
    if len(set(map(str, refs))) != len(refs):
        raise BackupRefused(f"{where}: a reference is listed twice")
    return [_link(known, ref, f"{where}[{i}]", kind) for i, ref in enumerate(refs)]


def _unique(items: Sequence[Any], key: str, where: str) -> None:
    seen: set[Any] = set()
    for i, raw in enumerate(items):
        value = raw.get(key) if isinstance(raw, dict) else None
        if isinstance(value, str) and value in seen:
            raise BackupRefused(f"{where}[{i}].{key}: {value!r} is used twice")
        seen.add(value)


# --- the database -------------------------------------------------------------------------------


def _refuse_taken_slug(slug: str) -> None:
    if db.session.scalar(select(Event.id).filter_by(slug=slug)) is not None:
        raise BackupRefused(f"slug {slug!r}: an event with this slug already exists (use --slug)")


def _uids_taken(uids: list[str]) -> bool:
    return any(
        db.session.scalar(select(Meeting.id).where(Meeting.uid.in_(chunk)).limit(1)) is not None
        for chunk in _chunks(uids)
    )


def _write(rows: _Rows) -> None:
    """Add every row: first the event and the accounts (ids the rest needs), then the others."""
    existing: dict[str, Account] = {}
    for chunk in _chunks(list(rows.accounts)):
        existing.update(
            (a.email, a)
            for a in db.session.scalars(select(Account).where(Account.email.in_(chunk)))
        )
    new = [Account(**values) for email, values in rows.accounts.items() if email not in existing]
    db.session.add(rows.event)  # with its sessions, slots and tables
    db.session.add_all(new)
    db.session.flush()
    account = existing | {a.email: a for a in new}
    for organisation in rows.organisations:
        organisation.event_id = rows.event.id
    for row, attribute, email in rows.account_of:
        target = account[email]
        setattr(row, attribute, target.id if attribute.endswith("_id") else target)
    db.session.add_all(rows.organisations)
    db.session.add_all(rows.participants)
    db.session.add_all(rows.feed_tokens)
    db.session.add_all(rows.meetings)
    db.session.add_all(rows.requests)
    db.session.add_all(rows.runs)
    db.session.flush()
    event_id = rows.event.id
    for check_in in rows.check_ins:
        check_in.event_id = event_id
    for no_show, slot in rows.no_shows:
        no_show.event_id, no_show.slot_id = event_id, slot.id
    for invitation, person in rows.invitations:
        invitation.participant_id = person.id
    if rows.digest is not None:
        rows.digest.event_id = event_id
        db.session.add(rows.digest)
    db.session.add_all(rows.check_ins)
    db.session.add_all(no_show for no_show, _ in rows.no_shows)
    db.session.add_all(invitation for invitation, _ in rows.invitations)
    db.session.flush()


def _chunks(items: list) -> Iterable[list]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]
