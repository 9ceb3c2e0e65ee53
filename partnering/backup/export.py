"""An event in the database as a `partnering-event/1` document.

Rows are read table by table (one query each, association tables as id pairs) and listed in
an order of their own content; a row's ref is its position in its list, so exporting a restored
event gives the same refs again, whatever ids it got."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select

from partnering.agenda.models import FeedToken
from partnering.attendance.models import CheckIn, NoShow
from partnering.auth.models import Account
from partnering.backup.document import (
    ACCOUNTS,
    CHECK_INS,
    EVENT,
    FEED_TOKEN,
    FORMAT,
    INVITATIONS,
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
    BackupRefused,
    Section,
    dump_value,
)
from partnering.events.models import Event, Session, Slot, Table
from partnering.extensions import db
from partnering.meetings.event_links import (
    allowed_slots_by_meeting,
    members_by_meeting,
    unavailable_slots_by_participant,
)
from partnering.meetings.models import (
    Meeting,
    MeetingRequest,
)
from partnering.outbox.models import OutboxMessage, OutboxStatus
from partnering.registrations.models import (
    Invitation,
    Organisation,
    Participant,
    RegistrationDigest,
)
from partnering.scheduling.models import ACTIVE_STATUSES, RunStatus, ScheduleRun

UNSENT_STATUSES = (OutboxStatus.WAITING, OutboxStatus.SENDING, OutboxStatus.FAILED)


def export_event(event: Event) -> dict[str, Any]:
    """Everything of the event as one JSON-ready document (see the package doc)."""
    _refuse_unsettled_runs(event)
    runs = _rows(ScheduleRun, event)
    meetings = _rows(Meeting, event)
    participants = _rows(Participant, event)
    check_ins = _rows(CheckIn, event)
    no_shows = _rows(NoShow, event)
    invitations = list(
        db.session.scalars(
            select(Invitation)
            .join(Participant, Participant.id == Invitation.participant_id)
            .where(Participant.event_id == event.id)
        )
    )
    digest = db.session.get(RegistrationDigest, event.id)
    account_ids = {p.account_id for p in participants}
    account_ids.update(m.cancelled_by_id for m in meetings)
    account_ids.update(r.created_by_id for r in runs)
    account_ids.update(r.decided_by_id for r in runs)
    account_ids.update(c.checked_in_by_id for c in check_ins)
    account_ids.update(c.checked_out_by_id for c in check_ins)
    account_ids.update(n.marked_by_id for n in no_shows)
    account_ids.update(i.invited_by_id for i in invitations)
    account_ids.discard(None)
    accounts = _accounts(event, account_ids)
    email = {a.id: a.email for a in accounts}

    # Each list in an order of its own content (never of ids), so that a restored event,
    # whatever ids it got, gives the same document.
    sessions = sorted(_rows(Session, event), key=lambda s: (s.day, s.start, s.end))
    slots = sorted(_rows(Slot, event), key=lambda s: s.start)
    tables = sorted(_rows(Table, event), key=lambda t: (t.position, t.name))
    organisations = sorted(_rows(Organisation, event), key=lambda o: o.name)
    participants.sort(key=lambda p: email[p.account_id])
    meetings.sort(key=lambda m: (m.created_at, m.uid))
    person = {p.id: i for i, p in enumerate(participants)}
    requests = sorted(
        _rows(MeetingRequest, event),
        key=lambda r: (r.created_at, person[r.sender_id], person[r.recipient_id]),
    )
    runs.sort(key=lambda r: r.created_at)
    check_ins.sort(key=lambda c: (c.day, person[c.participant_id]))
    invitations.sort(key=lambda i: person[i.participant_id])

    session_ref = _refs(SESSIONS, sessions)
    slot_ref = _refs(SLOTS, slots)
    slot_position = {row.id: i for i, row in enumerate(slots)}
    table_ref = _refs(TABLES, tables)
    organisation_ref = _refs(ORGANISATIONS, organisations)
    participant_ref = _refs(PARTICIPANTS, participants)
    meeting_ref = _refs(MEETINGS, meetings)
    no_shows.sort(key=lambda n: (n.marked_at, meeting_ref[n.meeting_id], slot_position[n.slot_id]))

    unavailable = unavailable_slots_by_participant(event)
    members = members_by_meeting(event)
    allowed = allowed_slots_by_meeting(event)
    feed_tokens = {
        t.participant_id: t
        for t in db.session.scalars(
            select(FeedToken)
            .join(Participant, Participant.id == FeedToken.participant_id)
            .where(Participant.event_id == event.id)
        )
    }

    def slot_list(ids: Iterable[int]) -> list[str]:
        return [slot_ref[i] for i in sorted(ids, key=slot_position.__getitem__)]

    return {
        "format": FORMAT,
        "event": _plain(EVENT, event),
        "accounts": [_plain(ACCOUNTS, a) for a in accounts],
        "sessions": [_plain(SESSIONS, s, ref=session_ref[s.id]) for s in sessions],
        "slots": [
            _plain(SLOTS, s, ref=slot_ref[s.id], session=_maybe(session_ref, s.session_id))
            for s in slots
        ],
        "tables": [_plain(TABLES, t, ref=table_ref[t.id]) for t in tables],
        "organisations": [
            _plain(ORGANISATIONS, o, ref=organisation_ref[o.id]) for o in organisations
        ],
        "participants": [
            _plain(
                PARTICIPANTS,
                p,
                ref=participant_ref[p.id],
                account=email[p.account_id],
                organisation=_maybe(organisation_ref, p.organisation_id),
                booth=_maybe(table_ref, p.booth_table_id),
                unavailable_slots=slot_list(unavailable.get(p.id, ())),
                feed_token=(_plain(FEED_TOKEN, feed_tokens[p.id]) if p.id in feed_tokens else None),
            )
            for p in participants
        ],
        "meetings": [
            _plain(
                MEETINGS,
                m,
                ref=meeting_ref[m.id],
                participants=[
                    participant_ref[i]
                    for i in sorted(members.get(m.id, ()), key=person.__getitem__)
                ],
                allowed_slots=slot_list(allowed.get(m.id, ())),
                slot=_maybe(slot_ref, m.slot_id),
                table=_maybe(table_ref, m.table_id),
                cancelled_by=_maybe(email, m.cancelled_by_id),
            )
            for m in meetings
        ],
        "requests": [
            _plain(
                REQUESTS,
                r,
                sender=participant_ref[r.sender_id],
                recipient=participant_ref[r.recipient_id],
                meeting=_maybe(meeting_ref, r.meeting_id),
            )
            for r in requests
        ],
        "schedule_runs": [
            _plain(
                SCHEDULE_RUNS,
                r,
                created_by=_maybe(email, r.created_by_id),
                decided_by=_maybe(email, r.decided_by_id),
            )
            for r in runs
        ],
        "check_ins": [
            _plain(
                CHECK_INS,
                c,
                participant=participant_ref[c.participant_id],
                checked_in_by=_maybe(email, c.checked_in_by_id),
                checked_out_by=_maybe(email, c.checked_out_by_id),
            )
            for c in check_ins
        ],
        "no_shows": [
            _plain(
                NO_SHOWS,
                n,
                meeting=meeting_ref[n.meeting_id],
                slot=slot_ref[n.slot_id],
                marked_by=email[n.marked_by_id],
            )
            for n in no_shows
        ],
        "invitations": [
            _plain(
                INVITATIONS,
                i,
                participant=participant_ref[i.participant_id],
                invited_by=_maybe(email, i.invited_by_id),
            )
            for i in invitations
        ],
        "registration_digest": (None if digest is None else _plain(REGISTRATION_DIGEST, digest)),
    }


def unsent_emails(event: Event) -> int:
    """The event's emails not (yet) sent: they stay behind with this site's outbox."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.event_id == event.id, OutboxMessage.status.in_(UNSENT_STATUSES)
        )
    )


def _refuse_unsettled_runs(event: Event) -> None:
    run = db.session.scalars(
        select(ScheduleRun)
        .where(
            ScheduleRun.event_id == event.id,
            ScheduleRun.status.in_((*ACTIVE_STATUSES, RunStatus.DONE)),
        )
        .order_by(ScheduleRun.id)
    ).first()
    if run is None:
        return
    if run.is_draft:
        raise BackupRefused(
            f"scheduler run #{run.id} is a draft waiting for review: apply or reject it first "
            "(its result names rows of this database)"
        )
    raise BackupRefused(
        f"scheduler run #{run.id} is {run.status}: wait for it to finish or cancel it first"
    )


def _rows(model: type, event: Event) -> list:
    return list(db.session.scalars(select(model).filter_by(event_id=event.id).order_by(model.id)))


def _accounts(event: Event, ids: set[int]) -> list[Account]:
    """The accounts behind `ids`, by email. Participants' accounts come through a join (an
    event may have thousands); the few others (who cancelled, who ran the scheduler) by id."""
    found = {
        a.id: a
        for a in db.session.scalars(
            select(Account)
            .join(Participant, Participant.account_id == Account.id)
            .where(Participant.event_id == event.id)
        )
    }
    others = sorted(ids - found.keys())
    if others:
        found.update(
            (a.id, a) for a in db.session.scalars(select(Account).where(Account.id.in_(others)))
        )
    return sorted((found[i] for i in ids), key=lambda a: a.email)


def _refs(section: Section, rows: list) -> dict[int, str]:
    return {row.id: f"{section.ref_prefix}{i}" for i, row in enumerate(rows, start=1)}


def _maybe(refs: Mapping[int, str], key: int | None) -> str | None:
    return None if key is None else refs[key]


def _plain(section: Section, row: Any, **links: Any) -> dict[str, Any]:
    """The row's columns of the section, then its ref and links (refs first, for reading)."""
    out: dict[str, Any] = {"ref": links.pop("ref")} if "ref" in links else {}
    for name in section.columns:
        out[name] = dump_value(section.column(name), getattr(row, name))
    out.update(links)
    return out
