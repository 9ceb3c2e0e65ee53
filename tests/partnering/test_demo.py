"""The demo event: realistic sizes, consistent with the app's rules, the same for a seed."""

from __future__ import annotations

from collections import Counter
from datetime import date, time

import pytest
from sqlalchemy import select

from partnering import create_app
from partnering.db_types import utcnow
from partnering.demo import SLUG, create_demo, demo_logins
from partnering.demo.event import MAX_MEETINGS, MAX_PENDING, first_day_after
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.registrations.models import Participant
from partnering.scheduling.problem import problem_for_event
from scheduler.problem_json import problem_from_dict, problem_to_dict
from tests.keys import TEST_SECRET_KEY

FIRST_DAY = date(2030, 5, 14)


def demo_app(database_url, participants=150, seed=1):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url}
    )
    with app.app_context():
        db.create_all()
        create_demo(participants=participants, seed=seed, first_day=FIRST_DAY)
    return app


@pytest.fixture(scope="module")
def osaka_app(empty_database):
    return demo_app(empty_database("demo_osaka"))


@pytest.fixture(scope="module")
def osaka(osaka_app):
    with osaka_app.app_context():
        event = db.session.execute(select(Event).filter_by(slug=SLUG)).scalar_one()
        people = db.session.scalars(select(Participant).filter_by(event_id=event.id)).all()
        requests = db.session.scalars(select(MeetingRequest).filter_by(event_id=event.id)).all()
        meetings = db.session.scalars(select(Meeting).filter_by(event_id=event.id)).all()
        yield event, people, requests, meetings
        db.session.remove()
        db.engine.dispose()


def snapshot(app) -> dict:
    """Everything the demo decides, without timestamps and calendar UIDs."""
    with app.app_context():
        try:
            return _snapshot()
        finally:
            db.session.remove()
            db.engine.dispose()


def _snapshot() -> dict:
    event = db.session.execute(select(Event).filter_by(slug=SLUG)).scalar_one()
    people = db.session.scalars(
        select(Participant).filter_by(event_id=event.id).order_by(Participant.id)
    ).all()
    return {
        "people": [
            (
                p.name,
                p.email,
                p.organisation.name,
                p.organisation.kind,
                p.organisation.country,
                p.status,
                p.job_title,
                p.topics_text,
                p.offer,
                p.seek,
                p.booth.name if p.booth else None,
                sorted(s.start for s in p.unavailable_slots),
            )
            for p in people
        ],
        "requests": [
            (r.sender.email, r.recipient.email, r.status, r.priority, r.message)
            for r in db.session.scalars(
                select(MeetingRequest).filter_by(event_id=event.id).order_by(MeetingRequest.id)
            )
        ],
        "meetings": [
            (m.priority, [p.email for p in m.participants])
            for m in db.session.scalars(
                select(Meeting).filter_by(event_id=event.id).order_by(Meeting.id)
            )
        ],
    }


def test_same_seed_gives_the_same_demo_and_another_seed_another(empty_database):
    first = snapshot(demo_app(empty_database("demo_a"), participants=40, seed=3))
    assert first == snapshot(demo_app(empty_database("demo_b"), participants=40, seed=3))
    assert first != snapshot(demo_app(empty_database("demo_c"), participants=40, seed=4))


def test_two_days_of_two_sessions_of_30_minute_slots_in_osaka_time(osaka):
    event, *_ = osaka
    assert event.timezone == "Asia/Tokyo"
    assert [(s.day, s.start, s.end) for s in event.sessions] == [
        (day, start, end)
        for day in (FIRST_DAY, date(2030, 5, 15))
        for start, end in ((time(9), time(12, 30)), (time(14), time(18)))
    ]
    assert len(event.slots) == 2 * (7 + 8)
    assert all((s.end - s.start).total_seconds() == 1800 for s in event.slots)
    assert 38 <= len(event.tables) <= 42
    assert event.request_deadline < event.slots[0].start


def test_the_first_day_is_a_tuesday_a_few_weeks_ahead():
    day = first_day_after(date(2030, 1, 1))
    assert day.weekday() == 1 and 28 <= (day - date(2030, 1, 1)).days < 35


def test_the_demo_avoids_the_new_year_break():
    day = first_day_after(date(2026, 11, 26))  # four weeks on is Tuesday 29 December
    assert day == date(2027, 1, 5)


def test_about_150_people_of_every_kind_and_many_countries(osaka):
    event, people, *_ = osaka
    organisers = [p for p in people if p.is_organiser]
    assert len(organisers) == 1 and organisers[0].account.is_admin
    others = [p for p in people if not p.is_organiser]
    assert len(others) == 150
    kinds = Counter(p.organisation.kind for p in others)
    assert set(kinds) == {"sme", "pharma", "investor", "academia", "cluster", "service"}
    assert len({p.organisation.country for p in others}) >= 8
    assert Counter(p.status for p in others)["pending"] >= 2
    assert len({p.email for p in people}) == len(people)
    assert len({p.name for p in people}) == len(people)
    assert all(set(p.topics) <= set(event.topics) and p.topics for p in others)
    assert all(p.job_title and p.offer and p.seek for p in others)
    partial = sum(1 for p in others if p.unavailable_slots)
    assert 0.25 <= partial / len(others) <= 0.42
    booths = [p for p in others if p.booth]
    assert 3 <= len(booths) <= 5 and all(p.is_approved for p in booths)


def test_requests_in_every_state_and_about_800_meetings(osaka):
    _, _, requests, meetings = osaka
    statuses = Counter(r.status for r in requests)
    assert statuses["accepted"] == len(meetings)
    assert 700 <= len(meetings) <= 800
    assert statuses["pending"] >= 100 and statuses["declined"] >= 100
    assert any(len(m.participants) > 2 for m in meetings)


def test_pharma_and_investors_are_the_most_requested(osaka):
    _, people, requests, _ = osaka
    received = Counter(r.recipient_id for r in requests)
    by_kind: dict[str, list[int]] = {}
    for p in people:
        if p.is_approved and not p.is_organiser:
            by_kind.setdefault(p.organisation.kind, []).append(received[p.id])
    mean = {kind: sum(n) / len(n) for kind, n in by_kind.items()}
    popular = min(mean["pharma"], mean["investor"])
    assert all(popular > 2 * mean[k] for k in ("sme", "academia", "cluster", "service"))


def test_the_demo_keeps_the_apps_rules(osaka):
    event, people, requests, meetings = osaka
    load = Counter(p.id for m in meetings for p in m.participants)
    assert max(load.values()) <= MAX_MEETINGS
    waiting = Counter(r.sender_id for r in requests if r.status == "pending")
    assert max(waiting.values()) <= MAX_PENDING
    all_slots = set(event.slots)
    for m in meetings:
        assert all(p.is_approved for p in m.participants)
        organisations = {p.organisation_id for p in m.participants}
        assert len(organisations) >= 2  # nobody meets only their colleagues
        free = set.intersection(*(all_slots - set(p.unavailable_slots) for p in m.participants))
        assert free, f"meeting {m.id} has no common free slot"
    for r in requests:
        assert r.sender.organisation_id != r.recipient.organisation_id
        assert (r.answered_at is None) == (r.status == "pending")
        assert r.created_at <= (r.answered_at or r.created_at) <= utcnow()


def test_the_demo_is_a_valid_scheduling_problem(osaka):
    event, *_ = osaka
    problem = problem_for_event(event)
    assert problem_from_dict(problem_to_dict(problem)) == problem
    assert len(problem.meetings) >= 700
    assert len(problem.tables) == len(event.tables)


def test_logins_name_the_organiser_and_two_people_who_can_answer_requests(osaka):
    event, *_ = osaka
    logins = demo_logins(event)
    assert [login.who.split(",")[0] for login in logins] == [
        "the organiser (also a site administrator)",
        "a start-up founder",
        "a pharma partner",
    ]
    for login, kind in zip(logins[1:], ("sme", "pharma"), strict=True):
        person = db.session.execute(
            select(Participant).filter_by(event_id=event.id, account_id=login.account.id)
        ).scalar_one()
        assert person.organisation.kind == kind and person.name in login.who
        waiting = db.session.scalars(
            select(MeetingRequest).filter_by(recipient_id=person.id, status="pending")
        ).all()
        agreed = db.session.scalars(
            select(Meeting).where(Meeting.participants.contains(person))
        ).all()
        assert waiting and len(agreed) < person.meeting_limit  # they can accept one
