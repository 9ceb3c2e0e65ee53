"""The demo's meeting requests, drawn the way they happen at real events: by activity (who
asks) and popularity (who is asked); accepted ones become meetings while both sides are under
their limit and share a free slot."""

from __future__ import annotations

import bisect
import itertools
import random
from collections import Counter
from datetime import timedelta

from partnering.db_types import utcnow
from partnering.demo.profiles import (
    KINDS,
    DemoOrganisation,
    DemoPerson,
    request_message,
)
from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.meetings.models import (
    Meeting,
    MeetingRequest,
    RequestStatus,
)
from partnering.registrations.models import Participant

MAX_MEETINGS = 16
MAX_PENDING = 10
MEETINGS_PER_PERSON = 16 / 3
"""Agreed meetings drawn per registered person: ~800 for 150 people."""


def draw_requests(
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
