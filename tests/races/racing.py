"""Racing real HTTP clients against a live server, and judging the outcome from the outside.

Threads are released together by a barrier. Each visitor is a browser of its own (cookies, CSRF
token, no redirects followed). The outcome is judged from the outside: every answer was a page
or a redirect, and the event's exported problem and schedule pass `scheduler.check`.
"""

from __future__ import annotations

import html
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from flask import Flask
from sqlalchemy import func, select

from partnering.auth.models import Account
from partnering.auth.operations import get_or_create_account, login_token
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting, meeting_participant
from partnering.registrations.models import Organisation, Participant
from scheduler import check, problem_from_dict, schedule_from_dict
from tests.servers import Page, WebClient, csrf_token

THREADS_TIMEOUT = 120

# The messages base.html flashes at the top of a page.
FLASHED = re.compile(r'<div class="flash flash-\w+" role="status">(.*?)</div>', re.S)


@dataclass
class RaceServer:
    """A live server, and an app of the test's own on the same database for setting scenes."""

    app: Flask
    base_url: str


class Visitor(WebClient):
    """A browser logged in as one person, holding its CSRF token; it does not follow redirects,
    so the test sees every answer as the server gave it."""

    csrf = ""

    def send(self, path: str, **data) -> Page:
        return self.post(path, {"csrf_token": self.csrf, **data}, follow=False)

    def log_in(self, token: str, landing: str) -> None:
        """Use a login link as a person would: open it, press the button, then open a page."""
        self.csrf = csrf_token(self.get(f"/login/{token}").text)
        assert self.send(f"/login/{token}").status == 302
        page = self.get(landing)
        assert page.status == 200, page.text[:500]
        self.csrf = csrf_token(page.text)

    def flashes(self, answer: Page) -> str:
        """The messages flashed on the page a redirect leads to (as a browser shows them after
        it), one per line; not the rest of the page, which may repeat a rule's wording."""
        location = answer.headers["Location"]
        page = self.get(urllib.parse.urlsplit(location).path).text
        return "\n".join(html.unescape(m) for m in FLASHED.findall(page))


def race(actions: list[Callable[[], Page]]) -> list[Page]:
    """Run every action in its own thread, all released at the same instant."""
    barrier = threading.Barrier(len(actions))
    answers: list[Page | BaseException | None] = [None] * len(actions)

    def go(i: int) -> None:
        barrier.wait()
        try:
            answers[i] = actions[i]()
        except BaseException as error:  # noqa: BLE001 - reported below, in the test's thread
            answers[i] = error

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREADS_TIMEOUT)
    failures = [a for a in answers if not isinstance(a, Page)]
    assert not failures, failures
    return answers


def assert_pages_or_redirects(answers: list[Page]) -> None:
    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {200, 302, 303}, (statuses, [a.text[:300] for a in answers])


# --- building the event --------------------------------------------------------------------


class Scene:
    """An event in the live server's database, and logged-in visitors for its people."""

    def __init__(self, live: RaceServer, *, tables: int = 6, max_meetings: int | None = None):
        self.live = live
        self.app = live.app
        self.context = self.app.test_request_context(base_url=live.base_url)
        self.context.push()
        # Scenes may share a server and its database: each has an event and people of its own.
        self.event = create_event(
            slug=f"race-{uuid.uuid4().hex[:8]}",
            name="Race Day",
            timezone="Europe/Paris",
            max_meetings=max_meetings,
        )
        add_sessions(
            self.event,
            [
                SessionSpec(date(2030, 3, 5), time(9), time(12)),
                SessionSpec(date(2030, 3, 5), time(14), time(17)),
            ],
        )
        add_tables(self.event, tables, seats=4)
        db.session.commit()
        self.slug = self.event.slug
        self._count = 0

    def close(self) -> None:
        db.session.remove()
        self.context.pop()

    def person(self, *, role: str = "participant", organisation: str | None = None, **fields):
        self._count += 1
        n = self._count
        account = get_or_create_account(f"racer{n}@{self.slug}.example.org", f"Racer {n}")
        org = None
        if organisation is not None:
            org = db.session.execute(
                select(Organisation).filter_by(event_id=self.event.id, name=organisation)
            ).scalar_one_or_none() or Organisation(event_id=self.event.id, name=organisation)
        participant = Participant(
            event_id=self.event.id,
            account=account,
            organisation=org,
            role=role,
            status="approved",
            show_profile=True,
            **fields,
        )
        db.session.add(participant)
        db.session.commit()
        return participant

    def meeting(self, *people, **fields) -> Meeting:
        meeting = Meeting(event_id=self.event.id, participants=list(people), **fields)
        db.session.add(meeting)
        db.session.commit()
        return meeting

    def visitor(self, person: Participant | Account) -> Visitor:
        """A browser logged in as this person (each login spends a fresh link)."""
        account = person if isinstance(person, Account) else person.account
        db.session.refresh(account)
        token = login_token(account)
        visitor = Visitor(self.live.base_url)
        visitor.log_in(token, f"/e/{self.slug}/")
        db.session.rollback()
        return visitor

    def url(self, path: str) -> str:
        return f"/e/{self.slug}{path}"

    # --- judging the outcome from the outside ----------------------------------------------

    def exported(self) -> tuple[dict, dict]:
        runner = self.app.test_cli_runner()
        problem = runner.invoke(args=["event", "export-problem", self.slug])
        assert problem.exit_code == 0, problem.output
        schedule = runner.invoke(args=["schedule", "export", self.slug])
        assert schedule.exit_code == 0, schedule.output
        return json.loads(problem.output), json.loads(schedule.output)

    def assert_valid(self) -> None:
        """The database as an outsider sees it: a valid schedule, no pair met twice, nobody
        over their limit."""
        db.session.rollback()
        problem_doc, schedule_doc = self.exported()
        problem = problem_from_dict(problem_doc)
        violations = check(problem, schedule_from_dict(schedule_doc))
        assert violations == [], violations
        sets = Counter(frozenset(m.participants) for m in problem.meetings)
        assert max(sets.values(), default=1) == 1, sets.most_common(3)
        counts = self.active_meeting_counts()
        for p in db.session.scalars(select(Participant).filter_by(event_id=self.event.id)):
            limit = p.meeting_limit
            assert limit is None or counts.get(p.id, 0) <= limit, (p.name, counts.get(p.id))

    def active_meeting_counts(self) -> dict[int, int]:
        db.session.rollback()  # a fresh read: the race's writes came from other connections
        return dict(
            db.session.execute(
                select(meeting_participant.c.participant_id, func.count())
                .join(Meeting, Meeting.id == meeting_participant.c.meeting_id)
                .where(Meeting.event_id == self.event.id, Meeting.status == "active")
                .group_by(meeting_participant.c.participant_id)
            ).all()
        )

    def active_meetings(self) -> list[Meeting]:
        db.session.rollback()
        return list(
            db.session.scalars(
                select(Meeting)
                .filter_by(event_id=self.event.id, status="active")
                .order_by(Meeting.id)
            )
        )

    def reload(self, row):
        db.session.rollback()
        return db.session.get(type(row), row.id)
