"""A `Problem` (a `partnering-problem/1` file) as a new event: the bridge read backwards
(`scheduling/problem.py` is the event as a problem). The file's ids become the rows' external
references, so that exporting the event again gives the same ids.

Over 400 lines for a reason: `_write_event` stores a whole event in bulk inserts, one
statement per table, and reads best as one piece next to the checks that guard it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

import scheduler as fmt  # the solver's formats, beside the models of the same names
from partnering.auth.models import Account
from partnering.db_types import utcnow
from partnering.events.models import Event, Session, Slot, Table
from partnering.extensions import db
from partnering.meetings.integrity import participants_key
from partnering.meetings.models import (
    PRIORITIES,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    meeting_allowed_slot,
    meeting_participant,
)
from partnering.plain_text import control_problem
from partnering.planner_statistics import refresh_statistics
from partnering.registrations.models import (
    ORGANISATION_TYPE_LABELS,
    Organisation,
    Participant,
    RegistrationStatus,
    unavailable_slot,
)

SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_REF_LENGTH = 100  # the external_ref columns
MAX_REQUEST_PRIORITY = max(PRIORITIES)  # a request says "must meet" at most
WRITTEN_TABLES = [
    *(
        model.__table__
        for model in (Account, Session, Slot, Table, Organisation, Participant, Meeting)
    ),
    unavailable_slot,
    meeting_participant,
    meeting_allowed_slot,
    MeetingRequest.__table__,
]
"""The tables an import fills in bulk: analysed once it commits."""


class ImportRefused(Exception):
    """A problem that cannot become an event; nothing was written."""


@dataclass(frozen=True)
class Profile:
    """What a problem file may say about a person beyond the format (optional keys)."""

    name: str | None = None
    email: str | None = None


def profiles_from_document(doc: object) -> dict[str, Profile]:
    """The optional `name` and `email` of each participant of a parsed problem document."""
    out: dict[str, Profile] = {}
    if not isinstance(doc, dict) or not isinstance(doc.get("participants"), list):
        return out
    for raw in doc["participants"]:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            name, email = raw.get("name"), raw.get("email")
            out[raw["id"]] = Profile(
                name if isinstance(name, str) and name.strip() else None,
                email if isinstance(email, str) and email.strip() else None,
            )
    return out


def import_document(doc: object, slug: str, name: str | None = None) -> tuple[Event, fmt.Problem]:
    """A new event from a parsed partnering-problem/1 document (see `import_problem`); a
    document that breaks the format is refused with `ImportRefused` naming the offending item."""
    try:
        problem = fmt.problem_from_dict(doc)
    except fmt.FormatError as exc:
        raise ImportRefused(str(exc)) from None
    return import_problem(problem, slug, name, profiles_from_document(doc)), problem


def import_problem(
    problem: fmt.Problem,
    slug: str,
    name: str | None = None,
    profiles: Mapping[str, Profile] | None = None,
) -> Event:
    """A new event holding everything `problem` says, committed in one transaction.

    The file's ids are kept as external references; its meetings become accepted meetings
    (each with the accepted request behind it) and a `fixed` one arrives placed and locked.
    Raises `ImportRefused` before writing anything when the problem cannot be stored.
    """
    profiles = profiles or {}
    event_name = (name or problem.name or slug).strip()
    emails = _emails(problem, slug, profiles)
    _check_importable(problem, slug, event_name, emails)
    _check_text(problem, event_name, profiles)
    try:
        event = _write_event(problem, slug, event_name, profiles, emails)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    refresh_statistics(WRITTEN_TABLES)
    return event


def placeholder_email(participant_id: str, slug: str) -> str:
    local = re.sub(r"[^a-z0-9._-]+", "-", participant_id.lower()).strip("-.") or "participant"
    return f"{local}@{slug}.invalid"


def _emails(problem: fmt.Problem, slug: str, profiles: Mapping[str, Profile]) -> list[str]:
    out = []
    for p in problem.participants:
        given = profiles.get(p.id, Profile()).email
        out.append(given.strip().lower() if given else placeholder_email(p.id, slug))
    return out


def _check_importable(problem: fmt.Problem, slug: str, name: str, emails: Sequence[str]) -> None:
    if not SLUG_PATTERN.fullmatch(slug):
        raise ImportRefused(
            f"slug {slug!r}: use 1-64 lowercase letters, digits and dashes, starting with a "
            "letter or digit"
        )
    if db.session.scalar(select(Event.id).filter_by(slug=slug)) is not None:
        raise ImportRefused(f"slug {slug!r}: an event with this slug already exists")
    if len(name) > 200:
        raise ImportRefused("event name: at most 200 characters")
    starts: dict[datetime, str] = {}
    for s in problem.slots:
        if s.start in starts:
            raise ImportRefused(
                f"slot '{s.id}': starts at the same time as slot '{starts[s.start]}'"
            )
        starts[s.start] = s.id
    organisations = {p.organisation for p in problem.participants if p.organisation}
    for kind, ids in (
        ("slot", [s.id for s in problem.slots]),
        ("table", [t.id for t in problem.tables]),
        ("participant", [p.id for p in problem.participants]),
        ("organisation", sorted(organisations)),
        ("meeting", [m.id for m in problem.meetings]),
    ):
        for ident in ids:
            if len(ident) > MAX_REF_LENGTH:
                raise ImportRefused(f"{kind} '{ident[:20]}...': ids are at most 100 characters")
    owner: dict[str, str] = {}
    for p, email in zip(problem.participants, emails, strict=True):
        if "@" not in email or len(email) > 254:
            raise ImportRefused(f"participant '{p.id}': invalid email {email!r}")
        if email in owner:
            raise ImportRefused(
                f"participant '{p.id}': email {email} is also participant '{owner[email]}'"
            )
        owner[email] = p.id


def _check_text(problem: fmt.Problem, name: str, profiles: Mapping[str, Profile]) -> None:
    """Names and ids are single lines, as the forms require: they end up in email headers."""
    texts = [("event name", name)]
    for kind, items in (
        ("slot", problem.slots),
        ("table", problem.tables),
        ("participant", problem.participants),
        ("meeting", problem.meetings),
    ):
        texts += [(f"{kind} id {item.id[:20]!r}", item.id) for item in items]
    texts += [(f"organisation of '{p.id}'", p.organisation or "") for p in problem.participants]
    for ident, profile in profiles.items():
        texts += [(f"participant '{ident}': name", profile.name or "")]
        texts += [(f"participant '{ident}': email", profile.email or "")]
    for where, text in texts:
        problem_text = control_problem(text)
        if problem_text:
            raise ImportRefused(f"{where}: {problem_text[0].lower()}{problem_text[1:-1]}")


def _write_event(
    problem: fmt.Problem,
    slug: str,
    name: str,
    profiles: Mapping[str, Profile],
    emails: Sequence[str],
) -> Event:
    now = utcnow()
    event = Event(
        slug=slug,
        name=name,
        timezone=problem.timezone,
        slot_minutes=_usual_slot_minutes(problem),
        topics_text="",
    )
    db.session.add(event)
    db.session.flush()

    session_of = _write_sessions(event, problem)
    slot_id = _insert_returning_ids(
        Slot,
        [
            {
                "event_id": event.id,
                "session_id": session_of[s.id],
                "start": s.start,
                "end": s.end,
                "external_ref": s.id,
            }
            for s in problem.slots
        ],
        keys=[s.id for s in problem.slots],
    )
    table_id = _insert_returning_ids(
        Table,
        [
            {
                "event_id": event.id,
                "name": t.id,
                "seats": t.seats,
                "position": i,
                "external_ref": t.id,
            }
            for i, t in enumerate(problem.tables, start=1)
        ],
        keys=[t.id for t in problem.tables],
    )
    org_ids = list(dict.fromkeys(p.organisation for p in problem.participants if p.organisation))
    organisation_id = _insert_returning_ids(
        Organisation,
        [
            {"event_id": event.id, "name": o, "kind": _organisation_kind(o), "external_ref": o}
            for o in org_ids
        ],
        keys=org_ids,
    )
    account_id = _accounts(problem, profiles, emails)
    participant_id = _insert_returning_ids(
        Participant,
        [
            {
                "event_id": event.id,
                "account_id": account_id[email],
                "organisation_id": organisation_id.get(p.organisation) if p.organisation else None,
                "role": "participant",
                "status": RegistrationStatus.APPROVED,
                "show_profile": True,
                "booth_table_id": table_id[p.booth] if p.booth else None,
                "max_meetings": p.max_meetings,
                "external_ref": p.id,
            }
            for p, email in zip(problem.participants, emails, strict=True)
        ],
        keys=[p.id for p in problem.participants],
    )
    _insert_rows(
        unavailable_slot,
        [
            {"participant_id": participant_id[p.id], "slot_id": slot_id[s.id]}
            for p in problem.participants
            for s in problem.slots
            if s.id not in p.available
        ],
    )
    repeat = _repeats(problem)
    meeting_id = _insert_returning_ids(
        Meeting,
        [
            {
                "event_id": event.id,
                "priority": m.priority,
                "status": MeetingStatus.ACTIVE,
                "slot_id": slot_id[m.fixed.slot] if m.fixed else None,
                "table_id": table_id[m.fixed.table] if m.fixed and m.fixed.table else None,
                "locked": m.fixed is not None,
                "external_ref": m.id,
                "participants_key": participants_key(
                    (participant_id[p] for p in m.participants), repeat.get(m.id, "")
                ),
            }
            for m in problem.meetings
        ],
        keys=[m.id for m in problem.meetings],
    )
    _insert_rows(
        meeting_participant,
        [
            {
                "meeting_id": meeting_id[m.id],
                "participant_id": participant_id[p],
                "slot_id": slot_id[m.fixed.slot] if m.fixed else None,
            }
            for m in problem.meetings
            for p in m.participants
        ],
    )
    _insert_rows(
        meeting_allowed_slot,
        [
            {"meeting_id": meeting_id[m.id], "slot_id": slot_id[s]}
            for m in problem.meetings
            for s in sorted(m.allowed_slots or (), key=problem.slot_index.__getitem__)
        ],
    )
    # The request each agreed meeting came from: the first member asked the last one.
    _insert_rows(
        MeetingRequest,
        [
            {
                "event_id": event.id,
                "sender_id": participant_id[m.participants[0]],
                "recipient_id": participant_id[m.participants[-1]],
                "priority": min(m.priority, MAX_REQUEST_PRIORITY),
                "status": RequestStatus.ACCEPTED,
                "meeting_id": meeting_id[m.id],
                "created_at": now,
                "answered_at": now,
            }
            for m in problem.meetings
        ],
    )
    return event


def _repeats(problem: fmt.Problem) -> dict[str, str]:
    """Meetings of people who already meet in an earlier meeting of the file (a follow-up):
    "2" for the second of the same people, and so on."""
    seen: Counter[frozenset[str]] = Counter()
    out = {}
    for m in problem.meetings:
        people = frozenset(m.participants)
        seen[people] += 1
        if seen[people] > 1:
            out[m.id] = str(seen[people])
    return out


def _usual_slot_minutes(problem: fmt.Problem) -> int:
    lengths = Counter(round((s.end - s.start).total_seconds() / 60) for s in problem.slots)
    return lengths.most_common(1)[0][0] if lengths else 30


def _write_sessions(event: Event, problem: fmt.Problem) -> dict[str, int]:
    """Sessions from runs of back-to-back slots on each day; the session id of every slot."""
    runs: list[list[fmt.Slot]] = []
    for s in problem.slots:
        last = runs[-1][-1] if runs else None
        if last and last.end == s.start and problem.slot_day[last.id] == problem.slot_day[s.id]:
            runs[-1].append(s)
        else:
            runs.append([s])
    sessions = [
        Session(
            event=event,
            day=problem.slot_day[run[0].id],
            start=event.local(run[0].start).time(),
            end=event.local(run[-1].end).time(),
        )
        for run in runs
    ]
    db.session.add_all(sessions)
    db.session.flush()
    return {s.id: session.id for run, session in zip(runs, sessions, strict=True) for s in run}


def _organisation_kind(organisation_id: str) -> str:
    """An organisation type named in the id (as generated files do: `o0012-pharma-JP`)."""
    for token in re.split(r"[^a-z]+", organisation_id.lower()):
        if token in ORGANISATION_TYPE_LABELS:
            return token
    return "other"


def _accounts(
    problem: fmt.Problem, profiles: Mapping[str, Profile], emails: Sequence[str]
) -> dict[str, int]:
    """The account id of every email: existing accounts are reused, the others created."""
    found: dict[str, int] = {}
    for chunk in _chunks(list(emails), 500):
        found.update(
            db.session.execute(select(Account.email, Account.id).where(Account.email.in_(chunk)))
            .tuples()
            .all()
        )
    new = [
        (email, profiles.get(p.id, Profile()).name or f"Participant {p.id}")
        for p, email in zip(problem.participants, emails, strict=True)
        if email not in found
    ]
    found.update(
        _insert_returning_ids(
            Account,
            [{"email": email, "name": name[:200]} for email, name in new],
            keys=[email for email, _ in new],
        )
    )
    return found


def _insert_returning_ids(model, rows: list[dict], keys: Sequence[str]) -> dict[str, int]:
    """Bulk insert; the new ids by key, in row order."""
    if not rows:
        return {}
    ids = db.session.scalars(
        insert(model).returning(model.id, sort_by_parameter_order=True), rows
    ).all()
    return dict(zip(keys, ids, strict=True))


def _insert_rows(target, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(target), rows)


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
