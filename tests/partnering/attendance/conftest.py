"""An event day in Tokyo with a published schedule placed by hand, and a clock the tests set.

The day is 2030-01-24, sessions 09:00-12:00 and 14:00-17:00 (30-minute slots), four
tables (T01-T04).
Six people of three organisations; their meetings, published:

    09:00 T01  Aiko & Ben        09:00 T02  Dmitri & Eva
    09:30 T01  Aiko & Chloé      10:00 T01  Aiko & Eva
    14:00 T02  Dmitri & Femi     14:30 T01  Ben & Chloé
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from partnering.scheduling import operations

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(hh_mm: str, day: str = "2030-01-24") -> datetime:
    return datetime.fromisoformat(f"{day}T{hh_mm}").replace(tzinfo=TOKYO)


@dataclass
class EventDay:
    event: Event
    organiser: Participant
    aiko: Participant
    ben: Participant
    chloe: Participant
    dmitri: Participant
    eva: Participant
    femi: Participant
    meetings: dict[str, Meeting]

    def slot(self, hh_mm: str) -> Slot:
        start = tokyo(hh_mm)
        return next(s for s in self.event.slots if s.start == start)

    def table(self, name: str) -> Table:
        return next(t for t in self.event.tables if t.name == name)


@pytest.fixture
def set_clock(app):
    """set_clock("10:05"): the app's now is that time of the event day (Tokyo)."""

    def set_to(hh_mm: str, day: str = "2030-01-24") -> datetime:
        instant = tokyo(hh_mm, day)
        app.config["CLOCK"] = lambda: instant
        return instant

    return set_to


@pytest.fixture
def quick_solver(monkeypatch):
    """The first-come baseline in place of the CP-SAT search (it places fixed meetings first,
    as the solver keeps them): these tests are about what the app tells the solver."""
    from partnering.scheduling import engine
    from scheduler import greedy

    def baseline(problem, *, time_limit, hint=None, on_progress=None):
        schedule = greedy(problem)
        if on_progress is not None:
            on_progress(float(len(schedule.assignments)), None, 0.0, "done")
        return schedule

    monkeypatch.setattr(engine, "solve", baseline)


@pytest.fixture
def event_day(create_event, create_participant) -> EventDay:
    event = create_event(slug="fair", venue="Grand Front Osaka", tables=4)
    organiser = create_participant(event, name="Olga Organiser", role="organiser")
    aiko, ben, chloe, dmitri, eva, femi = (
        create_participant(event, name=name, organisation=org)
        for name, org in [
            ("Aiko Sato", "Kobe Bio"),
            ("Ben Okafor", "Lagos Pharma"),
            ("Chloé Martin", "Lyon Capital"),
            ("Dmitri Ivanov", "Kobe Bio"),
            ("Eva Rossi", "Lagos Pharma"),
            ("Femi Adeyemi", "Lyon Capital"),
        ]
    )
    day = EventDay(event, organiser, aiko, ben, chloe, dmitri, eva, femi, {})
    plan = {
        "ab": (aiko, ben, "09:00", "1"),
        "de": (dmitri, eva, "09:00", "2"),
        "ac": (aiko, chloe, "09:30", "1"),
        "ae": (aiko, eva, "10:00", "1"),
        "df": (dmitri, femi, "14:00", "2"),
        "bc": (ben, chloe, "14:30", "1"),
    }
    for key, (x, y, at, table) in plan.items():
        meeting = Meeting(event_id=event.id, participants=[x, y])
        db.session.add(meeting)
        db.session.commit()
        operations.move_meeting(event, meeting, day.slot(at), day.table(f"T0{table}"))
        day.meetings[key] = meeting
    operations.publish(event, "final")
    return day
