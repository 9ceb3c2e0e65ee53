"""The demo event: a two-day biotech partnering event in Osaka, with registrations, meeting
requests in every state and agreed meetings, as it looks a few weeks before the event.

Requests follow popularity the way they do at real events: pharma and investors are asked far
more often than they can accept, so they fill up to the meeting limit and decline or leave the
rest pending. Deterministic for a seed (apart from creation timestamps and calendar UIDs).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from partnering.auth.operations import get_or_create_account
from partnering.demo.profiles import (
    TOPICS,
    DemoOrganisation,
    DemoPerson,
    draw_organisation,
    draw_person,
)
from partnering.demo.requests import MAX_MEETINGS, MAX_PENDING, draw_requests
from partnering.events.models import Event, Slot, Table
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.registrations.models import Organisation, Participant, RegistrationStatus

SLUG = "osaka-bio"
TIMEZONE = "Asia/Tokyo"
SESSIONS = ((time(9, 0), time(12, 30)), (time(14, 0), time(18, 0)))
DAYS = 2
ORGANISER_EMAIL = "organiser@osaka-bio.example"
ORGANISER_NAME = "Haruka Mori"
ORGANISATION_SIZE_WEIGHTS = {1: 0.55, 2: 0.33, 3: 0.12}
BOOTH_KINDS = ("pharma", "cluster", "investor", "service")


class DemoExists(Exception):
    """The demo event is already there."""


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
    draw_requests(rng, event, rows, people, available, slots)
    db.session.commit()
    return event


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
