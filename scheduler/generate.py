"""Synthetic partnering events of any size, deterministic for a seed.

The events look like real ones where it matters to a scheduler:

- organisations of 1-3 people, each of a type (SME, pharma, investor, academia, cluster,
  service provider) and a country; the organisation id carries both, e.g. ``o0012-pharma-JP``,
  so anyone reading a problem file (or a test) can see who is who;
- every day has two sessions of 30-minute slots (09:00-12:30 and 14:00-18:00) in the event's
  timezone; the lunch break is a gap between sessions, not a slot;
- tables seat 2-4 people; a few booth holders meet only at their own booth;
- requests follow popularity: pharma and investor participants are asked for far more meetings
  than their ``max_meetings`` lets them take, the way big partners are at real events;
- about 15 % of meetings are group meetings: the requester brings a colleague;
- about a third of the people are there only part of the time (one day or one session a day);
- priorities 1-3 (3 = must meet).

`osaka`, `large` and `bio` are the sizes of the benchmark; `replan` turns a valid schedule of a
problem into a re-planning problem where most meetings are already published (fixed).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.greedy import greedy
from scheduler.problem import Fixed, Meeting, Participant, Problem, Schedule, Slot, Table

SESSIONS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 30)), (time(14, 0), time(18, 0)))
"""The meeting windows of every day: a morning and an afternoon session."""


@dataclass(frozen=True)
class OrganisationType:
    name: str
    share: float
    """Fraction of organisations of this type."""
    activity: float
    """How many requests its people send, relative to others."""
    popularity: float
    """How many requests its people receive, relative to others."""


ORGANISATION_TYPES: tuple[OrganisationType, ...] = (
    OrganisationType("sme", 0.44, activity=1.6, popularity=0.7),
    OrganisationType("academia", 0.16, activity=1.0, popularity=0.8),
    OrganisationType("service", 0.13, activity=1.3, popularity=0.5),
    OrganisationType("cluster", 0.05, activity=0.8, popularity=1.0),
    OrganisationType("pharma", 0.12, activity=0.3, popularity=7.0),
    OrganisationType("investor", 0.10, activity=0.3, popularity=6.0),
)
OVER_REQUESTED = frozenset({"pharma", "investor"})
BOOTH_TYPES = ("pharma", "cluster", "investor", "service")

ORGANISATION_SIZES = (1, 2, 3)
ORGANISATION_SIZE_WEIGHTS = (0.55, 0.33, 0.12)
PRIORITIES = (1, 2, 3)
PRIORITY_WEIGHTS = (0.55, 0.30, 0.15)
SEATS = (2, 3, 4)
SEAT_WEIGHTS = (0.25, 0.25, 0.50)


@dataclass(frozen=True)
class EventShape:
    """Where and when an event takes place, and which countries its people come from."""

    name: str
    timezone: str
    first_day: date
    countries: tuple[str, ...]
    country_weights: tuple[float, ...]


OSAKA = EventShape(
    "Osaka partnering days",
    "Asia/Tokyo",
    date(2018, 1, 24),
    ("JP", "US", "DE", "FR", "CH", "GB", "KR", "CN"),
    (0.55, 0.1, 0.07, 0.06, 0.05, 0.07, 0.05, 0.05),
)
EUROPE = EventShape(
    "European partnering conference",
    "Europe/Berlin",
    date(2025, 11, 3),
    ("DE", "FR", "GB", "CH", "NL", "SE", "US", "JP", "IT", "ES"),
    (0.2, 0.12, 0.14, 0.08, 0.07, 0.06, 0.15, 0.05, 0.07, 0.06),
)
CONVENTION = EventShape(
    "International biotech convention",
    "America/Los_Angeles",
    date(2025, 6, 16),
    ("US", "CA", "GB", "DE", "JP", "KR", "CN", "FR", "CH", "IN"),
    (0.5, 0.06, 0.07, 0.07, 0.06, 0.06, 0.06, 0.04, 0.04, 0.04),
)


def generate(
    *,
    participants: int,
    days: int,
    seed: int,
    tables: int | None = None,
    meetings: int | None = None,
    group_share: float = 0.15,
    partial_share: float = 1 / 3,
    booth_share: float = 0.03,
    shape: EventShape = OSAKA,
    slot_minutes: int = 30,
) -> Problem:
    """A synthetic event of `participants` people over `days` days.

    `tables` defaults to one per 3.75 people (40 for 150); `meetings` (the agreed meetings to
    draw) to about 5.3 per person; booth tables are part of `tables`.
    """
    if participants < 2 or days < 1:
        raise ValueError("an event needs at least two participants and one day")
    rng = random.Random(seed)
    n_tables = tables if tables is not None else max(1, round(participants / 3.75))
    n_meetings = meetings if meetings is not None else round(participants * 5.3)

    slots = _slots(shape, days, slot_minutes)
    people = _people(rng, participants, shape)
    booth_holders = _booth_holders(
        rng, people, min(round(participants * booth_share), n_tables // 4)
    )
    table_list = _tables(rng, n_tables, len(booth_holders))
    sessions = _sessions(slots, shape)
    all_slot_ids = [s.id for s in slots]

    part_time = set(rng.sample(range(len(people)), round(partial_share * len(people))))
    availability = [
        frozenset(_partial_availability(rng, sessions))
        if i in part_time
        else frozenset(all_slot_ids)
        for i in range(len(people))
    ]
    meeting_list, load = _meetings(rng, people, availability, n_meetings, group_share)
    participant_list = [
        Participant(
            id=person.id,
            available=available,
            organisation=person.organisation,
            max_meetings=_max_meetings(rng, person.kind, drawn_into),
            booth=booth_holders.get(person.id),
        )
        for person, available, drawn_into in zip(people, availability, load, strict=True)
    ]
    return Problem(
        slots=tuple(slots),
        tables=tuple(table_list),
        participants=tuple(participant_list),
        meetings=tuple(meeting_list),
        name=f"{shape.name} ({participants} participants, {days} days, seed {seed})",
        timezone=shape.timezone,
    )


def osaka(seed: int = 1) -> Problem:
    """A regional partnering event: 150 people, 2 days, 40 tables, ~800 agreed meetings."""
    return generate(participants=150, days=2, seed=seed, tables=40, meetings=800, shape=OSAKA)


def large(seed: int = 1) -> Problem:
    """A large international event: 2,000 people, 3 days, ~13,000 agreed meetings."""
    return generate(participants=2000, days=3, seed=seed, tables=420, meetings=13000, shape=EUROPE)


def bio(seed: int = 1) -> Problem:
    """The size of the biggest conventions: 18,000 people, 3 days, 1,500 tables, ~45,000
    agreed meetings."""
    return generate(
        participants=18000,
        days=3,
        seed=seed,
        tables=1500,
        meetings=45000,
        booth_share=0.01,
        shape=CONVENTION,
    )


PRESETS = {"osaka": osaka, "large": large, "bio": bio}


def replan(
    problem: Problem,
    fixed_share: float = 0.7,
    *,
    publish: Callable[[Problem], Schedule] = greedy,
) -> Problem:
    """The re-planning situation: a schedule was published when the first requests were in,
    and more requests came afterwards.

    Meetings are requested in the problem's order. The organiser published `publish(early)`
    (the first-come baseline by default) for the shortest head of that order that makes its
    placed meetings `fixed_share` of the result; those become fixed to their slot and table,
    the head's meetings it could not place are dropped (declined for lack of room), and every
    later meeting is new and free to place. `publish` runs a few times (a binary search over
    the head's length), so it should be fast.
    """
    meetings = problem.meetings

    def published(head: int) -> Schedule:
        return publish(replace(problem, meetings=meetings[:head]))

    def share(head: int, schedule: Schedule) -> float:
        total = len(schedule.assignment_of) + len(meetings) - head
        return len(schedule.assignment_of) / total if total else 1.0

    low, high = 0, len(meetings)  # the share grows with the head: find the shortest enough
    while low < high:
        middle = (low + high) // 2
        if share(middle, published(middle)) >= fixed_share:
            high = middle
        else:
            low = middle + 1
    head, early = low, published(low)
    kept = [
        replace(m, fixed=Fixed(early.assignment_of[m.id].slot, early.assignment_of[m.id].table))
        for m in meetings[:head]
        if m.id in early.assignment_of
    ]
    return replace(problem, meetings=(*kept, *meetings[head:]), name=f"{problem.name}, re-planned")


# --- the pieces ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    id: str
    organisation: str
    kind: OrganisationType


def _slots(shape: EventShape, days: int, minutes: int) -> list[Slot]:
    tz = ZoneInfo(shape.timezone)
    step = timedelta(minutes=minutes)
    slots = []
    for d in range(days):
        day = shape.first_day + timedelta(days=d)
        for opens, closes in SESSIONS:
            start = datetime.combine(day, opens, tz)
            end_of_session = datetime.combine(day, closes, tz)
            while start + step <= end_of_session:
                slots.append(Slot(f"d{d + 1}-{start:%H%M}", start, start + step))
                start += step
    return slots


def _sessions(slots: Sequence[Slot], shape: EventShape) -> list[list[str]]:
    """Slot ids per (day, session), in order."""
    tz = ZoneInfo(shape.timezone)
    groups: dict[tuple[date, int], list[str]] = {}
    for s in slots:
        local = s.start.astimezone(tz)
        session = next(i for i, (_, closes) in enumerate(SESSIONS) if local.time() < closes)
        groups.setdefault((local.date(), session), []).append(s.id)
    return list(groups.values())


def _people(rng: random.Random, count: int, shape: EventShape) -> list[_Person]:
    kinds = ORGANISATION_TYPES
    kind_weights = [k.share for k in kinds]
    people: list[_Person] = []
    for org_number in itertools.count(1):
        if len(people) >= count:
            break
        kind = rng.choices(kinds, kind_weights)[0]
        country = rng.choices(shape.countries, shape.country_weights)[0]
        size = rng.choices(ORGANISATION_SIZES, ORGANISATION_SIZE_WEIGHTS)[0]
        organisation = f"o{org_number:04d}-{kind.name}-{country}"
        for _ in range(min(size, count - len(people))):
            people.append(_Person(f"p{len(people) + 1:05d}", organisation, kind))
    return people


def _booth_holders(rng: random.Random, people: Sequence[_Person], count: int) -> dict[str, str]:
    """At most one booth holder per organisation, among the types that take booths."""
    first_of_org: dict[str, _Person] = {}
    for person in people:
        if person.kind.name in BOOTH_TYPES:
            first_of_org.setdefault(person.organisation, person)
    candidates = list(first_of_org.values())
    chosen = rng.sample(candidates, min(count, len(candidates)))
    chosen.sort(key=lambda p: p.id)
    return {p.id: f"B{i + 1:04d}" for i, p in enumerate(chosen)}


def _tables(rng: random.Random, count: int, booths: int) -> list[Table]:
    booth_tables = [Table(f"B{i + 1:04d}", seats=4) for i in range(booths)]
    open_tables = [
        Table(f"T{i + 1:04d}", seats=rng.choices(SEATS, SEAT_WEIGHTS)[0])
        for i in range(max(0, count - booths))
    ]
    return open_tables + booth_tables


def _partial_availability(rng: random.Random, sessions: Sequence[Sequence[str]]) -> list[str]:
    """One day, one session on every day, or a single session: how people come part-time."""
    per_day = len(SESSIONS)
    days = len(sessions) // per_day
    choice = rng.random()
    if days > 1 and choice < 0.5:
        day = rng.randrange(days)
        return [s for sess in sessions[day * per_day : (day + 1) * per_day] for s in sess]
    if choice < 0.8:
        which = rng.randrange(per_day)
        return [s for i, sess in enumerate(sessions) if i % per_day == which for s in sess]
    return list(rng.choice(sessions))


def _meetings(
    rng: random.Random,
    people: Sequence[_Person],
    availability: Sequence[frozenset[str]],
    count: int,
    group_share: float,
) -> tuple[list[Meeting], list[int]]:
    """Agreed meetings drawn by popularity (who asks follows activity, who is asked follows
    popularity, heavy-tailed within a type too), and how many meetings each person is in."""
    asking = _cumulative([p.kind.activity * rng.lognormvariate(0, 0.5) for p in people])
    asked = _cumulative([p.kind.popularity * rng.lognormvariate(0, 0.6) for p in people])
    colleagues: dict[str, list[int]] = {}
    for i, p in enumerate(people):
        colleagues.setdefault(p.organisation, []).append(i)
    with_colleague = sum(1 for p in people if len(colleagues[p.organisation]) > 1)
    # Only people with a colleague can bring one: scale so the overall share is `group_share`.
    group_chance = min(1.0, group_share * len(people) / max(1, with_colleague))
    # Nobody is drawn into more meetings than they have slots: even the most wanted partner
    # is not sent hundreds of accepted requests.
    load_cap = [len(available) for available in availability]
    load = [0] * len(people)
    pairs: set[tuple[int, int]] = set()
    meetings: list[Meeting] = []
    attempts = 0
    while len(meetings) < count and attempts < 50 * count:
        attempts += 1
        a = min(bisect.bisect(asking, rng.random() * asking[-1]), len(people) - 1)
        b = min(bisect.bisect(asked, rng.random() * asked[-1]), len(people) - 1)
        if people[a].organisation == people[b].organisation:
            continue
        key = (min(a, b), max(a, b))
        if key in pairs or load[a] >= load_cap[a] or load[b] >= load_cap[b]:
            continue
        if not availability[a] & availability[b] and rng.random() < 0.9:
            continue  # most people do not ask someone they can never meet
        members = [a]
        others = [c for c in colleagues[people[a].organisation] if c != a]
        if others and rng.random() < group_chance:
            colleague = rng.choice(others)
            if load[colleague] < load_cap[colleague]:
                members.append(colleague)
        members.append(b)
        pairs.add(key)
        for i in members:
            load[i] += 1
        meetings.append(
            Meeting(
                id=f"m{len(meetings) + 1:06d}",
                participants=tuple(people[i].id for i in members),
                priority=rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0],
            )
        )
    return meetings, load


def _max_meetings(rng: random.Random, kind: OrganisationType, drawn_into: int) -> int:
    """The most meetings a person accepts: the sought-after take about half of what they were
    asked for; most others can take all of theirs, some a little less."""
    if kind.name in OVER_REQUESTED:
        return max(1, round(drawn_into / rng.uniform(1.7, 2.6)))
    if rng.random() < 0.2:
        return max(1, round(drawn_into * rng.uniform(0.7, 0.95)))
    return drawn_into + rng.randint(0, 4)


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))
