"""A small event for the browser tests of keyboard use and reflow, served by werkzeug in a
thread with jobs run inline: a day of sixteen slots (the grid scrolls sideways), people with
long unbroken names, meetings placed on every slot of table T01 and two unplaced, a declined
request, and a newcomer who has asked nobody yet.

    with serve_event(database_url, tmp_path, published=True) as event:
        page.goto(event.login_link("aiko@example.org"))
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time
from itertools import combinations
from pathlib import Path

from flask import Flask

from partnering import create_app
from partnering.auth.operations import get_or_create_account, login_url
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest, RequestStatus
from partnering.registrations.models import Organisation, Participant, RegistrationStatus
from partnering.scheduling.operations import publish, start_run
from tests.keys import TEST_SECRET_KEY
from tests.servers import start_threaded

LONG_NAME = "Maximiliane Wolfeschlegelsteinhausenbergerdorff"
LONG_ORGANISATION = "Hochleistungsbiotechnologieentwicklungsgesellschaft mbH"
PEOPLE = [
    ("Aiko Sato", "aiko@example.org", "Kobe Bio"),
    (LONG_NAME, "maxi@example.de", LONG_ORGANISATION),
    ("Ben Okafor", "ben@example.org", "Lagos Pharma"),
    ("Chloé Martin", "chloe@example.org", "Lyon Capital"),
    ("Dmitri Ivanov", "dmitri@example.org", "Kyoto Cells"),
    ("Eva Rossi", "eva@example.org", "Milan Vax"),
    ("Femi Adeyemi", "femi@example.org", "Abuja Genomics"),
]
NEWCOMER = ("Gina Novak", "gina@example.org", "Zagreb Biotech")
ORGANISER = "olga@example.org"
PLACED = 16  # meetings on T01, one per slot of the day
UNPLACED = 2


@dataclass
class ServedEvent:
    base_url: str
    app: Flask

    def url(self, path: str) -> str:
        return f"{self.base_url}/e/osaka{path}"

    def login_link(self, email: str) -> str:
        with self.app.test_request_context(base_url=self.base_url):
            return login_url(get_or_create_account(email, ""))


def _participant(event, name: str, email: str, organisation: Organisation | None, **fields):
    return Participant(
        event_id=event.id,
        account=get_or_create_account(email, name),
        organisation=organisation,
        status=RegistrationStatus.APPROVED,
        show_profile=True,
        **fields,
    )


def seed(*, published: bool) -> None:
    event = create_event(
        slug="osaka",
        name="Osaka Partnering Day",
        timezone="Asia/Tokyo",
        topics_text="Oncology\nVaccines",
    )
    slots = add_sessions(event, [SessionSpec(date(2030, 1, 24), time(9), time(17))])
    t01, _t02, _t03 = add_tables(event, 3, seats=4)
    people = [
        _participant(event, name, email, Organisation(event_id=event.id, name=org))
        for name, email, org in PEOPLE
    ]
    newcomer_name, newcomer_email, newcomer_org = NEWCOMER
    people.append(
        _participant(
            event,
            newcomer_name,
            newcomer_email,
            Organisation(event_id=event.id, name=newcomer_org),
        )
    )
    organiser = _participant(event, "Olga Organiser", ORGANISER, None, role="organiser")
    db.session.add_all([*people, organiser])
    db.session.flush()
    pairs = list(combinations(people[: len(PEOPLE)], 2))
    for slot, pair in zip(slots, pairs[:PLACED], strict=True):
        db.session.add(
            Meeting(event_id=event.id, participants=list(pair), slot_id=slot.id, table_id=t01.id)
        )
    for pair in pairs[PLACED : PLACED + UNPLACED]:
        db.session.add(Meeting(event_id=event.id, participants=list(pair)))
    sender, recipient = pairs[PLACED + UNPLACED]
    db.session.add(
        MeetingRequest(
            event_id=event.id,
            sender=sender,
            recipient=recipient,
            message="Could we talk about vaccines?",
            status=RequestStatus.DECLINED,
        )
    )
    db.session.commit()
    if published:
        publish(event, "preliminary")
        start_run(event, organiser.account, time_limit=2)  # a draft: the run page has its tables


@contextmanager
def serve_event(database_url: str, tmp_path: Path, *, published: bool) -> Iterator[ServedEvent]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "HUEY_IMMEDIATE": True,  # publications and runs happen within their request
        },
        instance_path=tmp_path / "instance",
    )
    with app.app_context():
        db.create_all()
        seed(published=published)
    server = start_threaded(app)
    try:
        yield ServedEvent(server.base_url, app)
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
