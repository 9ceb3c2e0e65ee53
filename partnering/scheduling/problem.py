"""The bridge's first half: an event in the database as a scheduling `Problem`, and a
`Problem` (a `partnering-problem/1` file) as a new event.

Ids in a problem are the rows' `ref`s: the external reference an imported row keeps, else a
generated stable id (`s12`, `p40`, `m7`, a table's name, `o3`). `EventRefs` maps them back to
database ids, for whoever applies a `Schedule` to the event.

What the problem holds:

- every slot; the tables that are not hidden, plus a hidden table while it holds an active
  meeting (hidden tables keep their meetings but get no new ones, so those meetings are fixed);
- the approved participants, with their organisation, availability, booth and meeting limit;
- the active meetings whose members are all approved, with priority, allowed slots and
  members: the request's sender first, its recipient last, colleagues in between. A meeting
  that is locked, published or at a hidden table is `fixed` where it is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, insert, select

import scheduler as fmt  # the solver's formats, beside the models of the same names
from partnering.auth.models import Account
from partnering.db_types import utcnow
from partnering.events.models import Event, Session, Slot, Table
from partnering.extensions import db
from partnering.meetings.event_links import (
    allowed_slots_by_meeting,
    members_by_meeting,
    unavailable_slots_by_participant,
)
from partnering.meetings.integrity import participants_key
from partnering.meetings.models import (
    PRIORITIES,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    meeting_allowed_slot,
    meeting_participant,
    meeting_ref,
)
from partnering.plain_text import control_problem
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


class ImportRefused(Exception):
    """A problem that cannot become an event; nothing was written."""


def organisation_ref(organisation: Organisation) -> str:
    return organisation.external_ref or f"o{organisation.id}"


# --- the event as a problem -----------------------------------------------------------------


@dataclass(frozen=True)
class EventRefs:
    """Problem ids -> database ids of one event's rows."""

    slots: Mapping[str, int]
    tables: Mapping[str, int]
    participants: Mapping[str, int]
    meetings: Mapping[str, int]


def problem_for_event(event: Event) -> fmt.Problem:
    """The event's scheduling problem, as the solver sees it."""
    return _build_problem(event)[0]


def event_refs(event: Event) -> EventRefs:
    """The database ids behind the ids of `problem_for_event(event)`."""
    return _build_problem(event)[1]


def schedulable_meeting_ids(event: Event) -> set[str]:
    """The ids of the meetings `problem_for_event(event)` holds, in one query: the active
    meetings of two or more people, all of them approved."""
    someone_not_approved = case((Participant.status == RegistrationStatus.APPROVED, 0), else_=1)
    rows = db.session.execute(
        select(Meeting.id, Meeting.external_ref)
        .join(meeting_participant, meeting_participant.c.meeting_id == Meeting.id)
        .join(Participant, Participant.id == meeting_participant.c.participant_id)
        .where(Meeting.event_id == event.id, Meeting.status == MeetingStatus.ACTIVE)
        .group_by(Meeting.id, Meeting.external_ref)
        .having(func.count() >= 2, func.sum(someone_not_approved) == 0)
    )
    return {meeting_ref(mid, external) for mid, external in rows}


def _build_problem(event: Event) -> tuple[fmt.Problem, EventRefs]:
    slots = db.session.scalars(
        select(Slot).filter_by(event_id=event.id).order_by(Slot.start, Slot.id)
    ).all()
    slot_ref = {s.id: s.ref for s in slots}

    meetings = db.session.scalars(
        select(Meeting)
        .filter_by(event_id=event.id, status=MeetingStatus.ACTIVE)
        .order_by(Meeting.id)
    ).all()
    all_tables = db.session.scalars(
        select(Table).filter_by(event_id=event.id).order_by(Table.position, Table.id)
    ).all()
    holding = {m.table_id for m in meetings if m.slot_id is not None}
    tables = [t for t in all_tables if not t.hidden or t.id in holding]
    table_ref = {t.id: t.ref for t in tables}
    hidden = {t.id for t in tables if t.hidden}

    people = db.session.scalars(
        select(Participant)
        .filter_by(event_id=event.id, status=RegistrationStatus.APPROVED)
        .order_by(Participant.id)
    ).all()
    org_ref = {
        o.id: organisation_ref(o)
        for o in db.session.scalars(select(Organisation).filter_by(event_id=event.id))
    }
    unavailable = unavailable_slots_by_participant(event)
    every_slot = frozenset(slot_ref.values())
    participant_ref = {p.id: p.ref for p in people}
    participants = tuple(
        fmt.Participant(
            id=p.ref,
            available=every_slot - {slot_ref[s] for s in unavailable.get(p.id, ())},
            organisation=org_ref.get(p.organisation_id) if p.organisation_id else None,
            max_meetings=p.meeting_limit,
            booth=table_ref.get(p.booth_table_id) if p.booth_table_id not in hidden else None,
        )
        for p in people
    )

    members = members_by_meeting(event)
    allowed = allowed_slots_by_meeting(event)
    asked = _first_request_of_each_meeting(event)
    problem_meetings = []
    meeting_ref = {}
    for m in meetings:
        ids = _member_order(members.get(m.id, []), asked.get(m.id))
        if len(ids) < 2 or any(i not in participant_ref for i in ids):
            continue  # someone is not (or no longer) approved: nothing to schedule
        meeting_ref[m.ref] = m.id
        problem_meetings.append(
            fmt.Meeting(
                id=m.ref,
                participants=tuple(participant_ref[i] for i in ids),
                priority=m.priority,
                allowed_slots=(
                    frozenset(slot_ref[s] for s in allowed[m.id]) if m.id in allowed else None
                ),
                fixed=_fixed(m, slot_ref, table_ref, hidden),
            )
        )

    problem = fmt.Problem(
        slots=tuple(fmt.Slot(s.ref, event.local(s.start), event.local(s.end)) for s in slots),
        tables=tuple(fmt.Table(t.ref, t.seats) for t in tables),
        participants=participants,
        meetings=tuple(problem_meetings),
        name=event.name,
        timezone=event.timezone,
    )
    refs = EventRefs(
        slots={ref: sid for sid, ref in slot_ref.items()},
        tables={ref: tid for tid, ref in table_ref.items()},
        participants={ref: pid for pid, ref in participant_ref.items()},
        meetings=meeting_ref,
    )
    _refuse_duplicate_ids(problem)
    return problem, refs


def _first_request_of_each_meeting(event: Event) -> dict[int, tuple[int, int]]:
    """(sender, recipient) of the oldest request behind each meeting."""
    rows = db.session.execute(
        select(MeetingRequest.meeting_id, MeetingRequest.sender_id, MeetingRequest.recipient_id)
        .where(MeetingRequest.event_id == event.id, MeetingRequest.meeting_id.is_not(None))
        .order_by(MeetingRequest.id.desc())
    )
    return {meeting: (sender, recipient) for meeting, sender, recipient in rows}


def _member_order(members: Iterable[int], request: tuple[int, int] | None) -> list[int]:
    """Who asked first, who was asked last, colleagues in between (by id)."""
    ids = sorted(members)
    if request is None or not set(request) <= set(ids) or request[0] == request[1]:
        return ids
    sender, recipient = request
    return [sender, *(i for i in ids if i not in request), recipient]


def _fixed(
    meeting: Meeting, slot_ref: Mapping[int, str], table_ref: Mapping[int, str], hidden: set[int]
) -> fmt.Fixed | None:
    if meeting.slot_id is None:
        return None
    at_hidden_table = meeting.table_id in hidden
    if not (meeting.locked or meeting.published_at is not None or at_hidden_table):
        return None
    return fmt.Fixed(slot_ref[meeting.slot_id], table_ref.get(meeting.table_id))


def _refuse_duplicate_ids(problem: fmt.Problem) -> None:
    # A generated ref (s12, p40, ...) may collide with an imported one: say so, never
    # hand the solver an ambiguous problem.
    for kind, items in (
        ("slot", problem.slots),
        ("table", problem.tables),
        ("participant", problem.participants),
        ("meeting", problem.meetings),
    ):
        twice = [ref for ref, n in Counter(i.id for i in items).items() if n > 1]
        if twice:
            raise ValueError(f"two {kind}s of this event share the id {twice[0]!r}")


# --- a problem as a new event ---------------------------------------------------------------


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


def problem_document(event: Event) -> str:
    """The event's scheduling problem as partnering-problem/1 JSON text."""
    return fmt.dump_json(fmt.problem_to_dict(problem_for_event(event)))


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
