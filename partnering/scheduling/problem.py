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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, select

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
from partnering.registrations.models import (
    Organisation,
    Participant,
    RegistrationStatus,
)


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


def problem_document(event: Event) -> str:
    """The event's scheduling problem as partnering-problem/1 JSON text."""
    return fmt.dump_json(fmt.problem_to_dict(problem_for_event(event)))
