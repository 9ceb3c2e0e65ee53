"""The organiser's actions: one function per action. Each checks its rules, writes and commits
once; a refused action raises AdminActionRefused (or EventEditRefused) before any write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from partnering.admin.participant_csv import ParticipantRow
from partnering.auth.models import Account
from partnering.auth.operations import normalise_email
from partnering.events.models import Event, Table
from partnering.events.operations import (
    EventEditRefused,
    SessionSpec,
    TableEdit,
    add_sessions,
    add_tables,
    describe_meeting,
    replace_sessions,
    update_tables,
)
from partnering.events.operations import create_event as new_event
from partnering.extensions import db
from partnering.locks import lock_for_writing
from partnering.outbox.operations import batched_emails, queue_email
from partnering.registrations.models import (
    DECIDED_STATUSES,
    DECISIONS,
    Organisation,
    Participant,
    RegistrationStatus,
)
from partnering.registrations.notify import invite
from partnering.scheduling.conflict_guard import (
    ConflictRefused,
    ScheduleSnapshot,
    holds_placed_meetings,
    placed_meetings_of,
    refuse_new_conflicts,
)


class AdminActionRefused(Exception):
    """An organiser action that breaks a rule; the message says which, for the organiser."""


@dataclass(frozen=True)
class EventSettings:
    """Everything the settings form edits; instants are aware."""

    name: str
    venue: str
    description: str
    timezone: str
    slot_minutes: int
    sessions: list[SessionSpec]
    registration_deadline: datetime | None
    request_deadline: datetime | None
    cancellation_cutoff: datetime | None
    max_meetings: int | None
    max_pending_requests: int | None
    topics_text: str
    privacy_note: str = ""
    contact_visibility: str = "meeting"

    def plain_fields(self) -> dict:
        """The fields that are simply copied onto the event."""
        fields = dict(self.__dict__)
        del fields["sessions"], fields["slot_minutes"], fields["timezone"]
        return fields


def create_event(
    creator: Account, slug: str, settings: EventSettings, *, tables: int, seats: int | None
) -> Event:
    """A new event with its sessions, slots and tables; its creator becomes its organiser."""
    if not creator.is_admin:
        raise AdminActionRefused("Only site administrators create events.")
    if db.session.execute(db.select(Event.id).filter_by(slug=slug)).first():
        raise AdminActionRefused(f"The address /e/{slug}/ is taken: choose another.")
    event = new_event(
        slug=slug,
        timezone=settings.timezone,
        slot_minutes=settings.slot_minutes,
        **settings.plain_fields(),
    )
    add_sessions(event, settings.sessions)
    add_tables(event, tables, seats=seats)
    db.session.add(
        Participant(
            event=event, account=creator, role="organiser", status=RegistrationStatus.APPROVED
        )
    )
    db.session.commit()
    return event


def edit_event(event: Event, settings: EventSettings) -> None:
    """Save the settings; slots are regenerated, keeping those whose start is unchanged.

    Raises EventEditRefused (nothing written) when a removed slot holds a meeting."""
    # Under the event's lock, as runs apply and meetings move: a slot is judged empty only
    # while nothing can be placed in it.
    lock_for_writing(event)
    try:
        event.timezone = settings.timezone
        replace_sessions(event, settings.sessions, slot_minutes=settings.slot_minutes)
    except EventEditRefused:
        db.session.rollback()
        raise
    for name, value in settings.plain_fields().items():
        setattr(event, name, value)
    db.session.commit()


def edit_tables(event: Event, edits: list[TableEdit], *, add: int, add_seats: int | None) -> None:
    """Save the table list. Raises EventEditRefused (nothing written) when a removed table
    holds a meeting or a booth, or names repeat, or fewer seats leave a scheduled meeting
    with more people than its table seats."""
    lock_for_writing(event)  # as in edit_event: nothing is placed at a table being removed
    current = {t.id: t for t in event.tables}
    shrinking = any(
        edit.id in current
        and edit.seats is not None
        and (current[edit.id].seats is None or edit.seats < current[edit.id].seats)
        for edit in edits
    )
    before = ScheduleSnapshot.of(event) if shrinking else None
    try:
        update_tables(event, edits, add=add, add_seats=add_seats)
        if before is not None:
            refuse_new_conflicts(event, before)
    except ConflictRefused as refused:
        db.session.rollback()
        raise EventEditRefused(str(refused)) from None
    except EventEditRefused:
        db.session.rollback()
        raise
    db.session.commit()


def check_decision(participant_ids: Iterable[int], status: str) -> list[int]:
    """The ticked ids, once each, if the decision may be asked at all (before queueing it)."""
    if status not in DECISIONS:
        raise AdminActionRefused(f"Unknown decision {status!r}.")
    ids = sorted({int(i) for i in participant_ids})
    if not ids:
        raise AdminActionRefused("Tick at least one participant first.")
    return ids


def decide_registrations(event: Event, participant_ids: Iterable[int], status: str) -> int:
    """Approve or reject registrations; emails each person whose status changes (queued in
    the same transaction). Returns how many changed."""
    changed = apply_decisions(event, participant_ids, status)
    db.session.commit()
    return changed


def apply_decisions(event: Event, participant_ids: Iterable[int], status: str) -> int:
    """`decide_registrations` without the commit: the bulk job commits it together with its
    own result. A fixed number of statements however many people (the emails in one INSERT).
    Asked twice, the second changes nobody: the people are already decided."""
    ids = check_decision(participant_ids, status)
    lock_for_writing(event)  # as runs and hand edits: nobody is placed while being rejected
    participants = db.session.execute(
        db.select(Participant)
        .where(
            Participant.event_id == event.id,
            Participant.id.in_(ids),
            # Only registrations their owners made or confirmed are the organiser's to decide.
            Participant.status.in_(DECIDED_STATUSES),
        )
        .options(selectinload(Participant.account))  # their names and addresses, for emails
    ).scalars()
    changed = [p for p in participants if p.status != status and not p.is_organiser]
    if status != RegistrationStatus.APPROVED:
        _refuse_if_scheduled([p for p in changed if p.is_approved])
    if not changed:
        return 0
    db.session.execute(
        update(Participant)
        .where(Participant.id.in_([p.id for p in changed]))
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    approved = status == RegistrationStatus.APPROVED
    with batched_emails():
        for participant in changed:
            _tell_decision(event, participant, approved=approved)
    db.session.expire_all()  # the loaded participants still hold their old status
    return len(changed)


def _refuse_if_scheduled(participants: list[Participant]) -> None:
    """Someone leaving the schedule's problem must not leave meetings in it: the run would
    no longer see them, yet they would hold their table and the other side's time."""
    held = placed_meetings_of({p.id for p in participants})
    if held:
        shown = "; ".join(describe_meeting(m) for m in held[:5])
        more = f" and {len(held) - 5} more" if len(held) > 5 else ""
        raise AdminActionRefused(
            f"These people have scheduled meetings: {shown}{more}. Unschedule or cancel "
            "those meetings first; nothing was changed."
        )


def _tell_decision(event: Event, participant: Participant, *, approved: bool) -> None:
    if approved:
        link = url_for("events.home", slug=event.slug, _external=True)
        text = (
            f"Hello {participant.name},\n\nYour registration for {event.name} is approved. "
            f"You can now browse participants and request meetings:\n{link}\n"
        )
        queue_email(
            participant.email, f"{event.name}: registration approved", text, event_id=event.id
        )
    else:
        text = (
            f"Hello {participant.name},\n\nThank you for your interest in {event.name}. "
            "The organisers could not accept your registration.\n"
        )
        queue_email(participant.email, f"{event.name}: registration", text, event_id=event.id)


def update_participant(
    participant: Participant, *, booth_id: int | None, max_meetings: int | None, role: str
) -> None:
    """Set a participant's booth, personal meeting limit and role. Refused, nothing written,
    when the booth or the limit would leave one of their scheduled meetings breaking it."""
    event = participant.event
    lock_for_writing(event, participant)
    if role == "organiser" and participant.status not in DECIDED_STATUSES:
        raise AdminActionRefused(
            f"{participant.name} has not confirmed taking part: they cannot be an organiser."
        )
    booth = None
    if booth_id is not None:
        booth = db.session.get(Table, booth_id)
        if booth is None or booth.event_id != event.id:
            raise AdminActionRefused("That table is not one of this event's.")
        _refuse_booth_of_another_organisation(participant, booth)
    if role != "organiser" and participant.is_organiser and _organiser_count(event) == 1:
        raise AdminActionRefused(f"{participant.name} is the only organiser: name another first.")
    rules_change = (booth.id if booth else None, max_meetings) != (
        participant.booth_table_id,
        participant.max_meetings,
    )
    before = (
        ScheduleSnapshot.of(event)
        if rules_change and holds_placed_meetings({participant.id})
        else None
    )
    participant.booth = booth
    participant.max_meetings = max_meetings
    participant.role = role
    if role == "organiser":
        participant.status = RegistrationStatus.APPROVED
    _refuse_new_conflicts(event, before)
    db.session.commit()


def _refuse_new_conflicts(event: Event, before: ScheduleSnapshot | None) -> None:
    if before is None:
        return  # nobody with a scheduled meeting changed
    try:
        refuse_new_conflicts(event, before)
    except ConflictRefused as refused:
        db.session.rollback()
        raise AdminActionRefused(str(refused)) from None


def _refuse_booth_of_another_organisation(participant: Participant, booth: Table) -> None:
    holders = db.session.execute(
        db.select(Participant).where(
            Participant.booth_table_id == booth.id, Participant.id != participant.id
        )
    ).scalars()
    for holder in holders:
        if holder.organisation_id is None or holder.organisation_id != participant.organisation_id:
            raise AdminActionRefused(
                f"{booth.name} is already the booth of {holder.name}; "
                "only colleagues of the same organisation share a booth."
            )


def _organiser_count(event: Event) -> int:
    return db.session.scalar(
        db.select(db.func.count(Participant.id)).filter_by(event_id=event.id, role="organiser")
    )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    invited: int = 0


def import_participants(event: Event, rows: list[ParticipantRow]) -> ImportResult:
    """Create or update participants from checked rows, in one transaction (see
    `write_participants`)."""
    result = write_participants(event, rows)
    db.session.commit()
    return result


def write_participants(event: Event, rows: list[ParticipantRow]) -> ImportResult:
    """Create or update participants from checked rows, without the commit (the import job
    commits it together with its own result).

    An address is its owner's: the import never renames an account nor rewrites what its
    owner said about themselves.

    - A new address: its account and an approved participant are created from the row.
    - An address already taking part in the event: only the organiser's own field, the
      booth, is set from the row; name and profile stay the participant's.
    - An address with an account that does not take part yet: an invitation (status
      invited, the row's profile as a proposal) that counts once its owner confirms it
      through the emailed link."""
    lock_for_writing(event)
    accounts = _accounts_by_email([row.email for row in rows])
    registered = {
        p.account_id: p
        for p in db.session.execute(db.select(Participant).filter_by(event_id=event.id)).scalars()
    }
    booths = {t.name: t for t in event.tables}
    before = _snapshot_if_booths_move(event, rows, accounts, registered, booths)
    organisations = {
        o.name.casefold(): o
        for o in db.session.execute(db.select(Organisation).filter_by(event_id=event.id)).scalars()
    }
    created = updated = 0
    invitations = []
    for row in rows:
        account = accounts.get(row.email)
        participant = registered.get(account.id) if account is not None else None
        if participant is not None and participant.status not in (
            RegistrationStatus.UNCONFIRMED,
            RegistrationStatus.DELETED,
        ):
            participant.booth = booths.get(row.booth)
            updated += 1
            continue
        if account is None:
            account = Account(email=row.email, name=row.name)
            db.session.add(account)
            accounts[row.email] = account
            participant = Participant(
                event=event, account=account, status=RegistrationStatus.APPROVED
            )
            db.session.add(participant)
            created += 1
        else:
            if participant is None:
                participant = Participant(event=event, account=account)
                db.session.add(participant)
            participant.status, participant.role = RegistrationStatus.INVITED, "participant"
            participant.privacy_consent_at = None
            invitations.append(participant)
        participant.organisation = _organisation(event, organisations, row)
        participant.topics_text = "\n".join(row.topics)
        participant.description = row.description
        participant.booth = booths.get(row.booth)
    _refuse_new_conflicts(event, before)
    for participant in invitations:
        invite(participant)
    return ImportResult(created, updated, len(invitations))


def _snapshot_if_booths_move(
    event: Event,
    rows: list[ParticipantRow],
    accounts: dict[str, Account],
    registered: dict[int, Participant],
    booths: dict[str, Table],
) -> ScheduleSnapshot | None:
    """The schedule before the import, when the import gives someone with scheduled meetings
    another booth (nothing else it writes touches the schedule's rules)."""
    moved = set()
    for row in rows:
        account = accounts.get(row.email)
        participant = registered.get(account.id) if account is not None else None
        booth = booths.get(row.booth)
        if participant is not None and participant.booth_table_id != (booth and booth.id):
            moved.add(participant.id)
    return ScheduleSnapshot.of(event) if holds_placed_meetings(moved) else None


def _accounts_by_email(emails: list[str]) -> dict[str, Account]:
    found: dict[str, Account] = {}
    wanted = sorted({normalise_email(e) for e in emails})
    for start in range(0, len(wanted), 500):  # keeps each IN (...) list short
        chunk = wanted[start : start + 500]
        accounts = db.session.execute(db.select(Account).where(Account.email.in_(chunk)))
        found.update((a.email, a) for a in accounts.scalars())
    return found


def _organisation(
    event: Event, organisations: dict[str, Organisation], row: ParticipantRow
) -> Organisation | None:
    if not row.organisation:
        return None
    organisation = organisations.get(row.organisation.casefold())
    if organisation is None:
        organisation = Organisation(
            event_id=event.id, name=row.organisation, kind=row.kind or "other"
        )
        db.session.add(organisation)
        organisations[row.organisation.casefold()] = organisation
    elif row.kind:
        organisation.kind = row.kind
    if row.country:
        organisation.country = row.country
    return organisation
