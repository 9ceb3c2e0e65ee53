"""A small event with agreed meetings, an organiser and helpers to look at its schedule."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from partnering import jobs
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from tests.partnering.scheduling.sized_events import LARGE, SMALL, build


@dataclass
class Fair:
    event: Event
    organiser: Participant
    people: list[Participant]
    meetings: list[Meeting]


@pytest.fixture
def create_meeting(ctx):
    def create(event, *people, priority=1, **fields):
        meeting = Meeting(event_id=event.id, participants=list(people), priority=priority, **fields)
        db.session.add(meeting)
        db.session.commit()
        return meeting

    return create


@pytest.fixture
def fair(create_event, create_participant, create_meeting):
    """Six people from three organisations, seven agreed meetings, one day of 12 slots and four
    tables: everything fits."""
    event = create_event(slug="fair", tables=4)
    organiser = create_participant(event, name="Olga Organiser", role="organiser")
    people = [
        create_participant(event, name=name, organisation=org)
        for name, org in [
            ("Aiko Sato", "Kobe Bio"),
            ("Ben Okafor", "Lagos Pharma"),
            ("Chloé Martin", "Lyon Capital"),
            ("Dmitri Ivanov", "Kobe Bio"),
            ("Eva Rossi", "Lagos Pharma"),
            ("Femi Adeyemi", "Lyon Capital"),
        ]
    ]
    a, b, c, d, e, f = people
    pairs = [(a, b), (a, c), (b, c), (d, e), (d, f), (e, f), (a, e)]
    meetings = [create_meeting(event, x, y, priority=1 + i % 2) for i, (x, y) in enumerate(pairs)]
    return Fair(event, organiser, people, meetings)


@pytest.fixture
def queue(app, tmp_path):
    """Jobs really queued (not run inline) on a SQLite queue of the test's own, in
    tmp_path/queue.db; the Huey instance."""
    app.config.update(HUEY_IMMEDIATE=False, HUEY_URL=f"sqlite:///{tmp_path / 'queue.db'}")
    jobs.init_app(app)  # the app's queue, from the configuration as it is now
    return jobs.huey


@pytest.fixture
def placed(ctx):
    """placed(event): meeting id -> (slot id, table id) of its scheduled active meetings."""

    def read(event: Event) -> dict[int, tuple[int, int]]:
        rows = db.session.execute(
            db.select(Meeting).filter_by(event_id=event.id, status="active")
        ).scalars()
        return {m.id: (m.slot_id, m.table_id) for m in rows if m.is_placed}

    return read


@pytest.fixture(autouse=True)
def quick_solver(monkeypatch):
    """The first-come baseline in place of the CP-SAT search: these tests are about the app
    around the solver (it places fixed meetings first, as the solver keeps them), and it is
    instant. test_scheduling_runs.py uses the real solver."""
    from partnering.scheduling import engine
    from scheduler import greedy

    def baseline(problem, *, time_limit, hint=None, on_progress=None):
        schedule = greedy(problem)
        if on_progress is not None:
            best = sum(problem.meeting_by_id[a.meeting].priority for a in schedule.assignments)
            on_progress(float(best), None, 0.0, "done")
        return schedule

    monkeypatch.setattr(engine, "solve", baseline)


@pytest.fixture
def sized(create_event, create_participant) -> list[Event]:
    """The same event at SMALL and LARGE (ten times) participants, every meeting placed."""
    return [build(create_event, create_participant, size) for size in (SMALL, LARGE)]


