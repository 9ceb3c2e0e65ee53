"""The bridge's first half: an event in the database as a scheduling `Problem` (and as a
`partnering-problem/1` file). The way back, a problem file as a new event, is
`scheduling/problem_import.py`.

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

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Row, Select, case, func, or_, select
from sqlalchemy.orm import aliased

import scheduler as fmt  # the solver's formats, beside the models of the same names
from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.event_links import (
    allowed_slots_by_meeting,
    members_by_meeting,
    unavailable_slots_by_participant,
)
from partnering.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    meeting_participant,
    meeting_ref,
)
from partnering.registrations import models as registrations
from partnering.registrations.models import (
    Organisation,
    Participant,
    RegistrationStatus,
)


def organisation_ref(organisation: Organisation | Row) -> str:
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


def problem_around(event: Event, meetings: Select) -> fmt.Problem:
    """The part of the event's problem that `scheduler.check` needs to judge the places of
    some meetings (`meetings`, a query of their ids): them, the meetings in their slots of
    their members or at their tables, every meeting of a member who has more placed meetings
    than their limit, everyone in those, and their tables' booth holders; every slot and table.

    `check` finds for those meetings exactly the violations it finds for them in the whole
    problem: a rule reads a meeting's members (availability, booth, limit), its allowed slots,
    its table (seats, booth holders) and the other meetings in its slot of its members or at
    its table; the limit's count needs all of a member's meetings only when it is exceeded.
    Meetings elsewhere are left out: for them, this part says nothing."""
    members = select(meeting_participant.c.participant_id).where(
        meeting_participant.c.meeting_id.in_(meetings)
    )
    placed = (
        (Meeting.event_id == event.id)
        & (Meeting.status == MeetingStatus.ACTIVE)
        & Meeting.slot_id.is_not(None)
        & Meeting.table_id.is_not(None)
    )
    # The meetings sharing a member and a slot, or a table and a slot, with one of them.
    theirs, mine, other = aliased(Meeting), meeting_participant.alias(), meeting_participant.alias()
    beside = select(Meeting.id).join(
        theirs, (theirs.slot_id == Meeting.slot_id) & theirs.id.in_(meetings)
    )
    same_member = (
        beside.join(other, other.c.meeting_id == Meeting.id)
        .join(
            mine,
            (mine.c.meeting_id == theirs.id) & (mine.c.participant_id == other.c.participant_id),
        )
        .where(placed)
    )
    same_table = beside.where(placed, Meeting.table_id == theirs.table_id)
    tables = select(Meeting.table_id).where(Meeting.id.in_(meetings))
    placed_count = db.session.execute(
        select(meeting_participant.c.participant_id, Participant.max_meetings, func.count())
        .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
        .join(Participant, Participant.id == meeting_participant.c.participant_id)
        .where(placed, meeting_participant.c.participant_id.in_(members))
        .group_by(meeting_participant.c.participant_id, Participant.max_meetings)
    )
    over_limit = [
        pid
        for pid, own, count in placed_count
        if (limit := registrations.meeting_limit(own, event.max_meetings)) is not None
        and count > limit
    ]
    around = select(Meeting.id).where(
        Meeting.event_id == event.id,
        Meeting.status == MeetingStatus.ACTIVE,
        or_(
            Meeting.id.in_(meetings),
            Meeting.id.in_(same_member),
            Meeting.id.in_(same_table),
            Meeting.id.in_(
                select(meeting_participant.c.meeting_id).where(
                    meeting_participant.c.participant_id.in_(over_limit)
                )
            ),
        ),
    )
    # Ids rather than nested subqueries: every query of the problem reads them again.
    around_ids = list(db.session.scalars(around))
    people = select(Participant.id).where(
        Participant.event_id == event.id,
        or_(
            Participant.id.in_(
                select(meeting_participant.c.participant_id).where(
                    meeting_participant.c.meeting_id.in_(around_ids)
                )
            ),
            Participant.booth_table_id.in_(tables),
        ),
    )
    return _build_problem(event, _Part(around_ids, list(db.session.scalars(people))))[0]


def event_refs(event: Event) -> EventRefs:
    """The database ids behind the ids of `problem_for_event(event)`."""
    return _build_problem(event)[1]


def schedulable_meeting_ids(event: Event) -> set[str]:
    """The ids of the meetings `problem_for_event(event)` holds, in one query: the active
    meetings of two or more people, all of them approved."""
    rows = db.session.execute(schedulable_meetings(event, Meeting.id, Meeting.external_ref))
    return {meeting_ref(mid, external) for mid, external in rows}


def schedulable_meetings(event: Event, *columns) -> Select:
    """A query of `columns` of each meeting `problem_for_event(event)` holds: the active
    meetings of two or more people, all of them approved."""
    someone_not_approved = case((Participant.status == RegistrationStatus.APPROVED, 0), else_=1)
    return (
        select(*columns)
        .join(meeting_participant, meeting_participant.c.meeting_id == Meeting.id)
        .join(Participant, Participant.id == meeting_participant.c.participant_id)
        .where(Meeting.event_id == event.id, Meeting.status == MeetingStatus.ACTIVE)
        .group_by(*columns)
        .having(func.count() >= 2, func.sum(someone_not_approved) == 0)
    )


@dataclass(frozen=True)
class _Part:
    """Part of an event: the ids of the meetings and participants it holds."""

    meetings: list[int]
    participants: list[int]


def _build_problem(event: Event, part: _Part | None = None) -> tuple[fmt.Problem, EventRefs]:
    # Columns rather than rows: a convention has tens of thousands of meetings and people.
    slots = db.session.scalars(
        select(Slot).filter_by(event_id=event.id).order_by(Slot.start, Slot.id)
    ).all()
    slot_ref = {s.id: s.ref for s in slots}

    meeting_query = (
        select(
            Meeting.id,
            Meeting.external_ref,
            Meeting.priority,
            Meeting.slot_id,
            Meeting.table_id,
            Meeting.locked,
            Meeting.published_at,
        )
        .where(Meeting.event_id == event.id, Meeting.status == MeetingStatus.ACTIVE)
        .order_by(Meeting.id)
    )
    if part is not None:
        meeting_query = meeting_query.where(Meeting.id.in_(part.meetings))
    meetings = db.session.execute(meeting_query).all()
    all_tables = db.session.scalars(
        select(Table).filter_by(event_id=event.id).order_by(Table.position, Table.id)
    ).all()
    hidden_ids = [t.id for t in all_tables if t.hidden]
    holding = set(
        db.session.scalars(
            select(Meeting.table_id).where(
                Meeting.event_id == event.id,
                Meeting.status == MeetingStatus.ACTIVE,
                Meeting.slot_id.is_not(None),
                Meeting.table_id.in_(hidden_ids),
            )
        )
        if hidden_ids
        else ()
    )
    tables = [t for t in all_tables if not t.hidden or t.id in holding]
    table_ref = {t.id: t.ref for t in tables}
    hidden = {t.id for t in tables if t.hidden}

    people_query = (
        select(
            Participant.id,
            Participant.external_ref,
            Participant.organisation_id,
            Participant.booth_table_id,
            Participant.max_meetings,
        )
        .where(Participant.event_id == event.id, Participant.status == RegistrationStatus.APPROVED)
        .order_by(Participant.id)
    )
    if part is not None:
        people_query = people_query.where(Participant.id.in_(part.participants))
    people = db.session.execute(people_query).all()
    org_ref = {
        o.id: organisation_ref(o)
        for o in db.session.execute(
            select(Organisation.id, Organisation.external_ref).filter_by(event_id=event.id)
        )
    }
    unavailable = unavailable_slots_by_participant(
        event, part.participants if part is not None else None
    )
    every_slot = frozenset(slot_ref.values())
    participant_ref = {p.id: registrations.participant_ref(p.id, p.external_ref) for p in people}
    participants = tuple(
        fmt.Participant(
            id=participant_ref[p.id],
            available=every_slot - {slot_ref[s] for s in unavailable.get(p.id, ())},
            organisation=org_ref.get(p.organisation_id) if p.organisation_id else None,
            max_meetings=registrations.meeting_limit(p.max_meetings, event.max_meetings),
            booth=table_ref.get(p.booth_table_id) if p.booth_table_id not in hidden else None,
        )
        for p in people
    )

    only = part.meetings if part is not None else None
    members = members_by_meeting(event, only)
    allowed = allowed_slots_by_meeting(event, only)
    asked = _first_request_of_each_meeting(event, only)
    problem_meetings = []
    meeting_ids = {}
    for m in meetings:
        ids = _member_order(members.get(m.id, []), asked.get(m.id))
        if len(ids) < 2 or any(i not in participant_ref for i in ids):
            continue  # someone is not (or no longer) approved: nothing to schedule
        ref = meeting_ref(m.id, m.external_ref)
        meeting_ids[ref] = m.id
        problem_meetings.append(
            fmt.Meeting(
                id=ref,
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
        meetings=meeting_ids,
    )
    _refuse_duplicate_ids(problem)
    return problem, refs


def _first_request_of_each_meeting(
    event: Event, only: Collection[int] | None = None
) -> dict[int, tuple[int, int]]:
    """(sender, recipient) of the oldest request behind each meeting (of `only`'s ids)."""
    query = (
        select(MeetingRequest.meeting_id, MeetingRequest.sender_id, MeetingRequest.recipient_id)
        .where(MeetingRequest.event_id == event.id, MeetingRequest.meeting_id.is_not(None))
        .order_by(MeetingRequest.id.desc())
    )
    if only is not None:
        query = query.where(MeetingRequest.meeting_id.in_(only))
    rows = db.session.execute(query)
    return {meeting: (sender, recipient) for meeting, sender, recipient in rows}


def _member_order(members: Iterable[int], request: tuple[int, int] | None) -> list[int]:
    """Who asked first, who was asked last, colleagues in between (by id)."""
    ids = sorted(members)
    if request is None or not set(request) <= set(ids) or request[0] == request[1]:
        return ids
    sender, recipient = request
    return [sender, *(i for i in ids if i not in request), recipient]


def _fixed(
    meeting: Row, slot_ref: Mapping[int, str], table_ref: Mapping[int, str], hidden: set[int]
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


def problem_document(event: Event) -> str:
    """The event's scheduling problem as partnering-problem/1 JSON text."""
    return fmt.dump_json(fmt.problem_to_dict(problem_for_event(event)))
