"""The demo event: a two-day biotech partnering event in Osaka, with registrations, meeting
requests in every state and agreed meetings, as it looks a few weeks before the event.

Requests follow popularity the way they do at real events: pharma and investors are asked far
more often than they can accept, so they fill up to the meeting limit and decline or leave the
rest pending. Deterministic for a seed (apart from creation timestamps and calendar UIDs).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from partnering.auth.models import Account
from partnering.auth.operations import get_or_create_account
from partnering.db_types import utcnow
from partnering.demo.profiles import (
    KINDS,
    TOPICS,
    DemoOrganisation,
    DemoPerson,
    draw_organisation,
    draw_person,
    request_message,
)
from partnering.events.models import Event, Slot, Table
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    meeting_participant,
)
from partnering.registrations.models import Organisation, Participant, RegistrationStatus

SLUG = "osaka-bio"
TIMEZONE = "Asia/Tokyo"
SESSIONS = ((time(9, 0), time(12, 30)), (time(14, 0), time(18, 0)))
DAYS = 2
MAX_MEETINGS = 16
MAX_PENDING = 10
ORGANISER_EMAIL = "organiser@osaka-bio.example"
ORGANISER_NAME = "Haruka Mori"
ORGANISATION_SIZE_WEIGHTS = {1: 0.55, 2: 0.33, 3: 0.12}
BOOTH_KINDS = ("pharma", "cluster", "investor", "service")
MEETINGS_PER_PERSON = 16 / 3
"""Agreed meetings drawn per registered person: ~800 for 150 people."""


class DemoExists(Exception):
    """The demo event is already there."""


@dataclass(frozen=True)
class DemoLogin:
    who: str
    account: Account


def find_demo() -> Event | None:
    return db.session.execute(select(Event).filter_by(slug=SLUG)).scalar_one_or_none()


def first_day_after(today: date) -> date:
    """A Tuesday about four weeks ahead: near enough to feel real, after the deadlines, and
    not in Japan's New Year break, when nobody holds a partnering day in Osaka."""
    day = today + timedelta(days=28)
    day += timedelta(days=(1 - day.weekday()) % 7)
    while any(_new_year_break(day + timedelta(days=d)) for d in range(DAYS)):
        day += timedelta(days=7)
    return day


def _new_year_break(day: date) -> bool:
    return (day.month, day.day) >= (12, 27) or (day.month, day.day) <= (1, 4)


def create_demo(participants: int = 150, seed: int = 1, first_day: date | None = None) -> Event:
    """Create and commit the demo event with `participants` registrations besides the
    organiser."""
    if participants < 10:
        raise ValueError("the demo needs at least 10 participants")
    if find_demo() is not None:
        raise DemoExists(f"the demo event already exists: /e/{SLUG}/")
    rng = random.Random(seed)
    first_day = first_day or first_day_after(date.today())
    event = _event(first_day)
    slots = sorted(event.slots, key=lambda s: s.start)
    people = _draw_people(rng, participants)
    booth_count = max(1, round(participants / 40))
    add_tables(event, max(1, round(participants / 3.75)) - booth_count, seats=4)
    booths = [
        Table(event=event, name=f"Booth {chr(ord('A') + i)}", seats=6, position=100 + i)
        for i in range(booth_count)
    ]
    db.session.add_all(booths)

    rows = _participants(event, people)
    _organiser(event)
    _statuses(rng, rows)
    _booths(rng, rows, people, booths)
    available = _availability(rng, event, rows, slots)
    _requests(rng, event, rows, people, available, slots)
    db.session.commit()
    return event


def demo_logins(event: Event) -> list[DemoLogin]:
    """Who to log in as: the organiser, a start-up with requests waiting for an answer, and a
    much-requested pharma partner."""
    logins = []
    organiser = db.session.execute(
        select(Participant)
        .filter_by(event_id=event.id, role="organiser")
        .order_by(Participant.id)
        .limit(1)
    ).scalar_one_or_none()
    if organiser is not None:
        logins.append(DemoLogin("the organiser (also a site administrator)", organiser.account))
    for kind, who in (("sme", "a start-up founder"), ("pharma", "a pharma partner")):
        person = _most_asked(event, kind)
        if person is not None:
            logins.append(
                DemoLogin(f"{who}, {person.name} ({person.organisation.name})", person.account)
            )
    return logins


def _most_asked(event: Event, kind: str) -> Participant | None:
    """The person of this organisation type with the most requests waiting for their answer,
    preferring someone who can still accept one."""
    pending = func.count(MeetingRequest.id)
    candidates = db.session.scalars(
        select(Participant)
        .join(Organisation, Participant.organisation_id == Organisation.id)
        .join(
            MeetingRequest,
            (MeetingRequest.recipient_id == Participant.id)
            & (MeetingRequest.status == RequestStatus.PENDING),
        )
        .where(
            Participant.event_id == event.id,
            Participant.status == RegistrationStatus.APPROVED,
            Participant.role == "participant",
            Organisation.kind == kind,
        )
        .group_by(Participant.id)
        .order_by(pending.desc(), Participant.id)
        .limit(30)
    ).all()
    agreed = dict(
        db.session.execute(
            select(meeting_participant.c.participant_id, func.count())
            .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
            .where(
                Meeting.status == MeetingStatus.ACTIVE,
                meeting_participant.c.participant_id.in_([p.id for p in candidates]),
            )
            .group_by(meeting_participant.c.participant_id)
        ).all()
    )
    with_room = [
        p for p in candidates if p.meeting_limit is None or agreed.get(p.id, 0) < p.meeting_limit
    ]
    return (with_room or candidates or [None])[0]


# --- the pieces ------------------------------------------------------------------------------


def _event(first_day: date) -> Event:
    days = [first_day + timedelta(days=d) for d in range(DAYS)]
    event = create_event(
        slug=SLUG,
        name=f"Osaka Bio Partnering Days {first_day.year}",
        timezone=TIMEZONE,
        venue="Knowledge Capital Congrès Convention Center, Grand Front Osaka",
        description=(
            "Two days of pre-arranged 30-minute meetings between biotech start-ups, pharma, "
            "investors, universities and clusters from Japan and abroad. Browse the "
            "participants, send meeting requests, and get your personal agenda before the event."
        ),
        slot_minutes=30,
        topics_text="\n".join(TOPICS),
        registration_deadline=_local(first_day - timedelta(days=7), time(23, 59)),
        request_deadline=_local(first_day - timedelta(days=2), time(18, 0)),
        cancellation_cutoff=_local(first_day - timedelta(days=1), time(12, 0)),
        max_meetings=MAX_MEETINGS,
        max_pending_requests=MAX_PENDING,
    )
    add_sessions(event, [SessionSpec(day, start, end) for day in days for start, end in SESSIONS])
    return event


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(TIMEZONE))


def _draw_people(rng: random.Random, count: int) -> list[DemoPerson]:
    organisation_names: set[str] = set()
    names: set[str] = {ORGANISER_NAME}
    emails: set[str] = {ORGANISER_EMAIL}
    people: list[DemoPerson] = []
    sizes, weights = list(ORGANISATION_SIZE_WEIGHTS), list(ORGANISATION_SIZE_WEIGHTS.values())
    while len(people) < count:
        organisation = draw_organisation(rng, organisation_names)
        for _ in range(min(rng.choices(sizes, weights)[0], count - len(people))):
            people.append(draw_person(rng, organisation, names, emails))
    return people


def _participants(event: Event, people: list[DemoPerson]) -> list[Participant]:
    organisations: dict[DemoOrganisation, Organisation] = {}
    rows = []
    for person in people:
        org = person.organisation
        if org not in organisations:
            organisations[org] = Organisation(
                event_id=event.id, name=org.name, kind=org.kind, country=org.country
            )
        rows.append(
            Participant(
                event_id=event.id,
                account=get_or_create_account(person.email, person.name),
                organisation=organisations[org],
                role="participant",
                status=RegistrationStatus.APPROVED,
                job_title=person.job_title,
                topics_text="\n".join(person.topics),
                offer=person.offer,
                seek=person.seek,
                description=person.description,
                show_profile=True,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _organiser(event: Event) -> Participant:
    account = get_or_create_account(ORGANISER_EMAIL, ORGANISER_NAME)
    account.is_admin = True
    office = Organisation(
        event_id=event.id, name="Osaka Bio Partnering Office", kind="cluster", country="Japan"
    )
    organiser = Participant(
        event_id=event.id,
        account=account,
        organisation=office,
        role="organiser",
        status=RegistrationStatus.APPROVED,
        job_title="Event organiser",
        description="Contact us for anything about the event, the venue or your agenda.",
        show_profile=True,
    )
    db.session.add(organiser)
    return organiser


def _statuses(rng: random.Random, rows: list[Participant]) -> None:
    """A few registrations still wait for approval, one was turned down."""
    waiting = rng.sample(range(len(rows)), max(2, len(rows) // 25) + 1)
    for i in waiting[:-1]:
        rows[i].status = RegistrationStatus.PENDING
    rows[waiting[-1]].status = RegistrationStatus.REJECTED


def _booths(
    rng: random.Random, rows: list[Participant], people: list[DemoPerson], booths: list[Table]
) -> None:
    """Booths go to one person of an organisation that exhibits."""
    first_of_org: dict[DemoOrganisation, Participant] = {}
    for row, person in zip(rows, people, strict=True):
        if person.organisation.kind in BOOTH_KINDS and row.is_approved:
            first_of_org.setdefault(person.organisation, row)
    holders = rng.sample(list(first_of_org.values()), min(len(booths), len(first_of_org)))
    for holder, booth in zip(sorted(holders, key=lambda p: p.id), booths, strict=False):
        holder.booth = booth


def _availability(
    rng: random.Random, event: Event, rows: list[Participant], slots: list[Slot]
) -> list[frozenset[int]]:
    """A third of the people come for one day or one session a day; the rest for all of it.
    Returns the slot indexes each person can meet in."""
    sessions: dict[tuple[date, int], list[int]] = {}
    for i, s in enumerate(slots):
        local = event.local(s.start)
        which = 0 if local.time() < SESSIONS[0][1] else 1
        sessions.setdefault((local.date(), which), []).append(i)
    days = sorted({d for d, _ in sessions})
    everything = frozenset(range(len(slots)))
    out = []
    for row in rows:
        if rng.random() >= 1 / 3:
            out.append(everything)
            continue
        if rng.random() < 0.5:
            day = rng.choice(days)
            keep = {i for (d, _), ids in sessions.items() if d == day for i in ids}
        else:
            half = rng.randrange(len(SESSIONS))
            keep = {i for (_, w), ids in sessions.items() if w == half for i in ids}
        out.append(frozenset(keep))
        row.unavailable_slots = [slots[i] for i in sorted(everything - keep)]
    return out


def _requests(
    rng: random.Random,
    event: Event,
    rows: list[Participant],
    people: list[DemoPerson],
    available: list[frozenset[int]],
    slots: list[Slot],
) -> None:
    """Requests drawn by activity (who asks) and popularity (who is asked); accepted ones
    become meetings while both sides are under their limit and share a free slot."""
    approved = [i for i, row in enumerate(rows) if row.is_approved]
    kind = [p.organisation.kind for p in people]
    asking = _cumulative([KINDS[kind[i]][1] * rng.lognormvariate(0, 0.5) for i in approved])
    asked = _cumulative([KINDS[kind[i]][2] * rng.lognormvariate(0, 0.6) for i in approved])
    colleagues: dict[DemoOrganisation, list[int]] = {}
    for i in approved:
        colleagues.setdefault(people[i].organisation, []).append(i)
    room = {i: min(MAX_MEETINGS, len(available[i])) for i in approved}
    load: Counter[int] = Counter()
    waiting: Counter[int] = Counter()
    pairs: set[frozenset[int]] = set()
    target = round(len(rows) * MEETINGS_PER_PERSON)
    meetings = 0
    now = utcnow()
    for _ in range(60 * target):
        if meetings >= target:
            break
        a = approved[_pick(rng, asking)]
        b = approved[_pick(rng, asked)]
        pair = frozenset((a, b))
        if people[a].organisation == people[b].organisation or pair in pairs:
            continue
        if not available[a] & available[b]:
            continue  # people do not ask someone they can never meet
        full = load[a] >= room[a] or load[b] >= room[b]
        roll = rng.random()
        if full:
            status = RequestStatus.DECLINED if roll < 0.6 else RequestStatus.PENDING
        elif roll < 0.10:
            status = RequestStatus.DECLINED
        elif roll < 0.13:
            status = RequestStatus.WITHDRAWN
        elif roll < 0.25:
            status = RequestStatus.PENDING
        else:
            status = RequestStatus.ACCEPTED
        if status == RequestStatus.PENDING and waiting[a] >= MAX_PENDING:
            continue
        pairs.add(pair)
        sent = now - timedelta(hours=rng.uniform(2, 21 * 24))
        answered = sent + (now - sent) * rng.uniform(0.05, 0.8)  # always in the past
        request = MeetingRequest(
            event_id=event.id,
            sender=rows[a],
            recipient=rows[b],
            message=request_message(rng, people[b], people[a]),
            priority=2 if rng.random() < 0.3 else 1,
            status=status,
            created_at=sent,
            answered_at=None if status == RequestStatus.PENDING else answered,
        )
        db.session.add(request)
        if status == RequestStatus.PENDING:
            waiting[a] += 1
        if status != RequestStatus.ACCEPTED:
            continue
        members = [a]
        common = available[a] & available[b]
        others = [
            c
            for c in colleagues[people[a].organisation]
            if c != a and load[c] < room[c] and available[c] & common
        ]
        if others and rng.random() < 0.12:
            members.append(rng.choice(others))
        members.append(b)
        for i in members:
            load[i] += 1
        meetings += 1
        request.meeting = Meeting(
            event_id=event.id,
            priority=request.priority,
            participants=[rows[i] for i in members],
        )


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))
