"""What the agenda emails of a batch of participants show, loaded as plain rows: four Core
queries per batch, whatever its size, and no ORM objects (loading them with their
relationships was a third of the time of an agenda). The records carry the attribute names the
agenda templates and `entry_for` read of the models (person.name, meeting.slot.start,
meeting.others(person), ...), so the same templates write the same bytes from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from partnering.auth.models import Account
from partnering.events.models import Event, Slot, Table, table_label
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, MeetingStatus, meeting_participant
from partnering.registrations.models import Organisation, Participant, RegistrationStatus


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    name: str


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    name: str
    email: str
    job_title: str
    organisation: OrganisationRow | None
    is_deleted: bool


@dataclass(frozen=True, slots=True)
class SlotRow:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class TableRow:
    name: str
    label: str


@dataclass(frozen=True, slots=True)
class RequestRow:
    message: str
    sender: PersonRow


@dataclass(slots=True)
class MeetingRow:
    """A published active meeting, with its people (in id order, as Meeting.participants)."""

    id: int
    uid: str
    sequence: int
    updated_at: datetime
    event: Event
    slot: SlotRow
    table: TableRow
    participants: list[PersonRow]
    requests: list[RequestRow]
    is_cancelled: bool = False

    def others(self, participant) -> list[PersonRow]:
        return [p for p in self.participants if p.id != participant.id]


def agendas_of(
    event: Event, participant_ids: Collection[int]
) -> tuple[dict[int, PersonRow], dict[int, list[MeetingRow]]]:
    """(participant id -> the person, participant id -> their published active meetings in
    time order) for the given participants and everyone they meet."""
    mp = meeting_participant
    theirs = (
        select(mp.c.meeting_id)
        .join(Meeting, Meeting.id == mp.c.meeting_id)
        .where(
            mp.c.participant_id.in_(participant_ids),
            Meeting.event_id == event.id,
            Meeting.status == MeetingStatus.ACTIVE,
            Meeting.published_at.is_not(None),
            Meeting.slot_id.is_not(None),
            Meeting.table_id.is_not(None),
        )
    )
    meetings = db.session.execute(
        select(
            Meeting.id,
            Meeting.uid,
            Meeting.sequence,
            Meeting.updated_at,
            Slot.start,
            Slot.end,
            Table.name,
        )
        .join(Slot, Slot.id == Meeting.slot_id)
        .join(Table, Table.id == Meeting.table_id)
        .where(Meeting.id.in_(theirs))
    ).all()
    members = db.session.execute(
        select(mp.c.meeting_id, mp.c.participant_id)
        .where(mp.c.meeting_id.in_(theirs))
        .order_by(mp.c.participant_id)
    ).all()
    requests = db.session.execute(
        select(MeetingRequest.meeting_id, MeetingRequest.sender_id, MeetingRequest.message)
        .where(MeetingRequest.meeting_id.in_(theirs), MeetingRequest.message != "")
        .order_by(MeetingRequest.id)
    ).all()
    people = _people(
        {*participant_ids, *(m.participant_id for m in members)} | {r.sender_id for r in requests}
    )

    tables: dict[str, TableRow] = {}
    rows: dict[int, MeetingRow] = {}
    for m in meetings:
        if m.name not in tables:
            tables[m.name] = TableRow(m.name, table_label(m.name))
        rows[m.id] = MeetingRow(
            m.id,
            m.uid,
            m.sequence,
            m.updated_at,
            event,
            SlotRow(m.start, m.end),
            tables[m.name],
            [],
            [],
        )
    for r in requests:
        rows[r.meeting_id].requests.append(RequestRow(r.message, people[r.sender_id]))
    found: dict[int, list[MeetingRow]] = defaultdict(list)
    for meeting_id, participant_id in members:
        meeting = rows[meeting_id]
        meeting.participants.append(people[participant_id])
        found[participant_id].append(meeting)
    wanted = set(participant_ids)
    agendas = {
        pid: sorted(ms, key=lambda m: (m.slot.start, m.id))
        for pid, ms in found.items()
        if pid in wanted
    }
    return people, agendas


def _people(ids: set[int]) -> dict[int, PersonRow]:
    organisations: dict[str, OrganisationRow] = {}
    people = {}
    for p in db.session.execute(
        select(
            Participant.id,
            Account.name,
            Account.email,
            Participant.job_title,
            Organisation.name.label("organisation"),
            Participant.status,
        )
        .join(Account, Account.id == Participant.account_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(Participant.id.in_(ids))
    ):
        organisation = None
        if p.organisation is not None:
            organisation = organisations.setdefault(p.organisation, OrganisationRow(p.organisation))
        people[p.id] = PersonRow(
            p.id,
            p.name,
            p.email,
            p.job_title,
            organisation,
            p.status == RegistrationStatus.DELETED,
        )
    return people
