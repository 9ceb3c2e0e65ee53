"""Whether people still have time for a meeting, and if not, what would make room for it.

A meeting goes into a slot that all its people are available for and that none of them already
holds with a fixed meeting (published or pinned by the organiser: later scheduler runs keep those
where they are). Their other agreed meetings still wait for a slot of their own, so a person whose
waiting meetings already fill every free slot they have cannot get one more, however the
scheduler tries. These checks are necessary, not sufficient (tables and the other people's
diaries decide the rest), so whatever they let through is left to the scheduler.

Everything here reads `Diaries`, loaded for all the people of a page in a fixed number of
queries, and words its findings for the person looking (the viewer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from partnering.auth.models import Account
from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, MeetingStatus, meeting_participant
from partnering.registrations.models import Participant, unavailable_slot
from partnering.wording import counted

MOST_SLOTS_NAMED = 4
"""A fix names at most this many slots to free; more would drown the sentence."""


@dataclass(frozen=True)
class Booking:
    """A slot held by one of a person's fixed meetings."""

    slot_id: int
    meeting_id: int


@dataclass
class Diary:
    """One person's time: what they are available for, what fixed meetings hold, and how many
    agreed meetings still wait for a slot."""

    participant: Participant
    available: set[int] = field(default_factory=set)
    fixed: dict[int, Booking] = field(default_factory=dict)
    """Slot id -> the fixed meeting holding it."""
    waiting: set[int] = field(default_factory=set)
    """Active meetings whose slot is still the scheduler's to choose (ids)."""

    @property
    def free(self) -> set[int]:
        return self.available - set(self.fixed)

    @property
    def meetings(self) -> int:
        """Active meetings: what the meeting limit counts."""
        return len(self.fixed) + len(self.waiting)

    def spare(self, counted_in: int | None = None) -> int:
        """Free slots left once every other waiting meeting has one (`counted_in`, a waiting
        meeting asking for its own slot, is not one of the others)."""
        others = len(self.waiting - {counted_in}) if counted_in is not None else len(self.waiting)
        return len(self.free) - others


@dataclass
class Diaries:
    event: Event
    slots: dict[int, Slot]
    of: dict[int, Diary]
    names: dict[int, list[str]]
    """The viewer's fixed meeting id -> the names of its people (to say whose meeting holds a
    slot)."""

    def __getitem__(self, participant: Participant) -> Diary:
        return self.of[participant.id]

    def slot_text(self, slot_id: int) -> str:
        return self.event.local(self.slots[slot_id].start).strftime("%a %d %b %H:%M")


def fixed_meeting(meeting_slot: int | None, locked: bool, published_at) -> bool:
    """Kept in its slot by later runs: the solver's notion of a fixed meeting."""
    return meeting_slot is not None and (locked or published_at is not None)


def load_diaries(event: Event, people: Iterable[Participant], viewer: Participant) -> Diaries:
    """The diaries of `people` (of one event, the viewer among them), in four queries whatever
    their number; the names behind the viewer's own fixed meetings only (nobody else's are
    shown)."""
    by_id = {p.id: p for p in people}
    ids = list(by_id)
    slots = {
        s.id: s
        for s in db.session.execute(
            db.select(Slot).filter_by(event_id=event.id).order_by(Slot.start)
        ).scalars()
    }
    diaries = {pid: Diary(p, available=set(slots)) for pid, p in by_id.items()}
    if not ids:
        return Diaries(event, slots, diaries, {})
    for pid, slot_id in db.session.execute(
        db.select(unavailable_slot.c.participant_id, unavailable_slot.c.slot_id).where(
            unavailable_slot.c.participant_id.in_(ids)
        )
    ):
        diaries[pid].available.discard(slot_id)
    for pid, meeting_id, slot_id, locked, published_at in db.session.execute(
        db.select(
            meeting_participant.c.participant_id,
            Meeting.id,
            Meeting.slot_id,
            Meeting.locked,
            Meeting.published_at,
        )
        .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
        .where(
            meeting_participant.c.participant_id.in_(ids), Meeting.status == MeetingStatus.ACTIVE
        )
    ):
        if fixed_meeting(slot_id, locked, published_at):
            diaries[pid].fixed[slot_id] = Booking(slot_id, meeting_id)
        else:
            diaries[pid].waiting.add(meeting_id)
    names: dict[int, list[str]] = {}
    fixed_ids = {booking.meeting_id for booking in diaries[viewer.id].fixed.values()}
    if fixed_ids:
        for meeting_id, name in db.session.execute(
            db.select(meeting_participant.c.meeting_id, Account.name)
            .join(Participant, Participant.id == meeting_participant.c.participant_id)
            .join(Account, Account.id == Participant.account_id)
            .where(meeting_participant.c.meeting_id.in_(fixed_ids))
            .order_by(meeting_participant.c.meeting_id, Account.name)
        ):
            names.setdefault(meeting_id, []).append(name)
    return Diaries(event, slots, diaries, names)


def limit_text(person: Participant, meetings: int, viewer: Participant) -> str | None:
    """Why `person`, with `meetings` active meetings, cannot take one more, worded for
    `viewer`; None while under their limit."""
    limit = person.meeting_limit
    if limit is None or meetings < limit:
        return None
    if person.id == viewer.id:
        return f"You have reached your limit of {counted(limit, 'meeting')}."
    return f"{person.name} has reached their limit of {counted(limit, 'meeting')}."


def no_room(
    diaries: Diaries,
    people: Sequence[Participant],
    viewer: Participant,
    *,
    waiting_meeting: int | None = None,
) -> str | None:
    """Why a meeting of `people` could never be placed, with the fix; None when there may be
    room. Without `waiting_meeting` the question is one more meeting; with it, that agreed
    meeting (already among their waiting ones)."""
    if not diaries.slots:
        return None  # no sessions yet: nothing to judge
    for person in people:
        diary = diaries[person]
        if diary.spare(waiting_meeting) >= 1:
            continue
        return _overflow(diary, person, viewer, waiting_meeting is not None)
    others = [p for p in people if p.id != viewer.id]
    together = _names(others)
    common = set.intersection(*(diaries[p].available for p in people))
    if not common:
        return (
            f"You and {together} have no meeting time in common: {_this(waiting_meeting)} "
            "cannot be scheduled. Make more of your time available, or ask the organiser."
        )
    if set.intersection(*(diaries[p].free for p in people)):
        return None
    return (
        f"You and {together} have no common free slot left: {_this(waiting_meeting)} cannot "
        f"be scheduled. Free one of these slots: {_taken(diaries, common, people, viewer)}; "
        "or ask the organiser."
    )


def _overflow(diary: Diary, person: Participant, viewer: Participant, waiting: bool) -> str:
    """Why `person` has no slot for one more meeting (`waiting`: for one of their waiting
    meetings)."""
    if person.id == viewer.id:
        if waiting:
            problem = (
                f"You have {counted(len(diary.waiting), 'agreed meeting')} waiting for "
                f"{counted(len(diary.free), 'free slot')}: not all of them can be scheduled."
            )
        else:
            problem = (
                "Your agreed meetings already fill every free slot you have "
                f"({counted(len(diary.free), 'free slot')}, "
                f"{counted(len(diary.waiting), 'meeting')} waiting for one): a new meeting "
                "cannot be scheduled."
            )
        return (
            f"{problem} Make more of your time available, cancel or decline a meeting, or ask "
            "the organiser."
        )
    if waiting:
        problem = (
            f"{person.name} has more agreed meetings waiting than free slots: not all of them "
            "can be scheduled."
        )
    else:
        problem = (
            f"{person.name}'s agreed meetings already fill every free slot they have: a new "
            "meeting cannot be scheduled."
        )
    return f"{problem} Ask {person.name} or the organiser."


def _this(waiting_meeting: int | None) -> str:
    return "this meeting" if waiting_meeting is not None else "a new meeting"


def _names(people: Sequence[Participant]) -> str:
    names = [p.name for p in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _taken(
    diaries: Diaries, slot_ids: set[int], people: Sequence[Participant], viewer: Participant
) -> str:
    """The slots of `slot_ids` with who holds each: the viewer's own meetings by the other
    people's names, anybody else's only as "X is booked" (whom they meet is theirs)."""
    parts = []
    for slot_id in sorted(slot_ids, key=lambda s: diaries.slots[s].start):
        holders = []
        for person in people:
            booking = diaries[person].fixed.get(slot_id)
            if booking is None:
                continue
            if person.id == viewer.id:
                with_whom = [
                    n for n in diaries.names.get(booking.meeting_id, []) if n != viewer.name
                ]
                holders.append(f"your meeting with {_joined(with_whom)}")
            else:
                holders.append(f"{person.name} is booked")
        parts.append(f"{diaries.slot_text(slot_id)} ({', '.join(holders)})")
    if len(parts) > MOST_SLOTS_NAMED:
        rest = len(parts) - MOST_SLOTS_NAMED
        parts = [*parts[:MOST_SLOTS_NAMED], f"{counted(rest, 'other')}"]
    return ", ".join(parts)


def _joined(names: list[str]) -> str:
    return " and ".join(names) if names else "someone"


@dataclass(frozen=True)
class TimeNotes:
    """What "My meetings" says about time, by row."""

    refusals: dict[int, str]
    """Incoming request id -> why it cannot be accepted (a meeting limit is reached)."""
    warnings: dict[int, str]
    """Pending request id -> why its meeting could not be scheduled if agreed."""
    waiting: dict[int, str]
    """Agreed meeting id -> why it cannot be scheduled."""


def time_notes(
    viewer: Participant,
    incoming: Sequence[MeetingRequest],
    outgoing: Sequence[MeetingRequest],
    meetings: Sequence[Meeting],
) -> TimeNotes:
    """The notes for a participant's requests and agreed meetings, from one load of the
    diaries of everyone they concern."""
    people = {viewer.id: viewer}
    people.update((r.sender.id, r.sender) for r in incoming)
    people.update((r.recipient.id, r.recipient) for r in outgoing)
    # Only a meeting still without a slot gets a reason, so only its people's diaries matter:
    # a busy participant's placed meetings would load dozens of diaries for nothing.
    unplaced = [m for m in meetings if m.slot_id is None]
    for meeting in unplaced:
        people.update((p.id, p) for p in meeting.participants)
    diaries = load_diaries(viewer.event, people.values(), viewer)
    refusals, warnings, waiting = {}, {}, {}
    for request in incoming:
        for person in (viewer, request.sender):
            refusal = limit_text(person, diaries[person].meetings, viewer)
            if refusal:
                refusals[request.id] = refusal
                break
        else:
            warning = no_room(diaries, (viewer, request.sender), viewer)
            if warning:
                warnings[request.id] = warning
    for request in outgoing:
        warning = no_room(diaries, (viewer, request.recipient), viewer)
        if warning:
            warnings[request.id] = warning
    for meeting in unplaced:
        # A meeting placed in a draft has its slot; only those without one need a reason.
        if meeting.id in diaries[viewer].waiting:
            reason = no_room(diaries, meeting.participants, viewer, waiting_meeting=meeting.id)
            if reason:
                waiting[meeting.id] = reason
    return TimeNotes(refusals, warnings, waiting)
