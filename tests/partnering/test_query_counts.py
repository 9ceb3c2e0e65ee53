"""The pages people open most issue a number of SQL statements that does not grow with the event.

The same event is built at two sizes (10 and 40 participants, with proportionally more
organisations, meetings and requests, and a viewer with proportionally more of their own); each
page is requested at both sizes as a logged-in user, and the statements sent to the database are
counted with the engine's `before_cursor_execute` event. An N+1 (a query per row shown) makes the
larger event's count grow; a page that loads what it shows with a fixed number of queries does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from partnering.agenda import operations as feeds
from partnering.auth.operations import get_or_create_account
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.registrations.models import Organisation, Participant
from partnering.scheduling import operations as scheduling
from tests.statements import statements_seen

SMALL, LARGE = 10, 40
# The request cycle, login and flash messages cost a few statements that can differ by a
# small constant; anything proportional to the event's size is far larger than this.
TOLERANCE = 2
DAYS = (date(2030, 1, 24), date(2030, 1, 25))


@dataclass(frozen=True)
class Built:
    slug: str
    viewer_account: int
    organiser_account: int
    viewer_id: int
    feed_secret: str
    other_id: int


def build(app, size: int) -> Built:
    """An event of `size` participants in organisations of two, a published schedule of pairs
    and trios on day 1, and a viewer with size/4 meetings on day 2 and as many pending, answered
    and historic requests."""
    slug = f"size-{size}"
    share = min(size // 4, 12)  # the viewer's meetings fill at most day 2's 12 slots
    with app.app_context():
        event = create_event(slug=slug, name=f"Event of {size}", timezone="Asia/Tokyo")
        event.topics_text = "Oncology\nDiagnostics\nVaccines"
        add_sessions(
            event,
            [
                SessionSpec(d, time(start), time(end))
                for d in DAYS
                for start, end in ((9, 12), (14, 17))
            ],
        )
        add_tables(event, 4 + size // 4, seats=4)
        db.session.flush()

        def person(n: int, role: str = "participant") -> Participant:
            organisation = db.session.execute(
                db.select(Organisation).filter_by(event_id=event.id, name=f"Org {n // 2}")
            ).scalar_one_or_none() or Organisation(
                event_id=event.id, name=f"Org {n // 2}", kind="sme", country=f"C{n % 5}"
            )
            participant = Participant(
                event_id=event.id,
                account=get_or_create_account(f"p{n}@{slug}.example.org", f"Person {n:03}"),
                organisation=organisation,
                role=role,
                status="approved",
                show_profile=True,
                job_title="Director",
                topics_text="Oncology\nVaccines",
                offer="Antibody assays",
                seek="Partners in Asia",
            )
            db.session.add(participant)
            db.session.flush()
            return participant

        organiser = person(10_000, role="organiser")
        viewer = person(0)
        people = [person(n) for n in range(1, size)]
        slots, tables = event.slots, event.tables
        day1 = [s for s in slots if event.local(s.start).date() == DAYS[0]]
        day2 = [s for s in slots if event.local(s.start).date() == DAYS[1]]

        # Day 1: everybody but the viewer meets in pairs, every third meeting a trio.
        groups, rest = [], list(people)
        while len(rest) >= 2:
            take = 3 if len(groups) % 3 == 2 and len(rest) >= 3 else 2
            groups.append(rest[:take])
            rest = rest[take:]
        for i, group in enumerate(groups):
            meeting = Meeting(
                event_id=event.id,
                participants=group,
                slot=day1[i % len(day1)],
                table=tables[i // len(day1)],
                locked=i % 2 == 0,
            )
            db.session.add(meeting)
        # Day 2: the viewer's own meetings, each with the accepted request and its message.
        for i, other in enumerate(people[:share]):
            meeting = Meeting(
                event_id=event.id, participants=[viewer, other], slot=day2[i], table=tables[0]
            )
            db.session.add(meeting)
            db.session.flush()
            db.session.add(
                MeetingRequest(
                    event_id=event.id,
                    sender_id=other.id,
                    recipient_id=viewer.id,
                    status="accepted",
                    message=f"About assays, {i}",
                    meeting_id=meeting.id,
                )
            )
        # Pending both ways, and answered ones in the history.
        for status, senders in (
            ("pending", people[share : 2 * share]),
            ("declined", people[2 * share : 3 * share]),
        ):
            for other in senders:
                db.session.add(
                    MeetingRequest(
                        event_id=event.id,
                        sender_id=other.id,
                        recipient_id=viewer.id,
                        status=status,
                        message="Shall we meet?",
                    )
                )
        for other in people[3 * share : 4 * share - 1]:
            db.session.add(
                MeetingRequest(
                    event_id=event.id,
                    sender_id=viewer.id,
                    recipient_id=other.id,
                    status="pending",
                    message="Shall we meet?",
                )
            )
        db.session.commit()
        scheduling.publish(event, "final")
        token = feeds.renew_feed_token(viewer)
        built = Built(
            slug=slug,
            viewer_account=viewer.account_id,
            organiser_account=organiser.account_id,
            viewer_id=viewer.id,
            feed_secret=token.secret,
            other_id=people[-1].id,
        )
        db.session.remove()
    return built


@pytest.fixture
def sized(app):
    """Both sizes in one database, built outside any request so each request starts cold; the
    app's clock at noon of the viewer's day of meetings (the Today page)."""
    app.config["CLOCK"] = lambda: datetime(2030, 1, 25, 12, tzinfo=ZoneInfo("Asia/Tokyo"))
    return build(app, SMALL), build(app, LARGE)


@pytest.fixture
def count_queries(app):
    """count(client, url) -> (status, statements issued while serving it)."""
    with app.app_context():
        engine = db.engine

    def count(client, url: str) -> tuple[int, int]:
        with statements_seen(engine) as seen:
            response = client.get(url)
        return response.status_code, len(seen)

    return count


PAGES = {
    "directory": ("viewer", "/e/{slug}/people"),
    "directory search": ("viewer", "/e/{slug}/people?q=person&topic=Oncology"),
    "directory page 2": ("viewer", "/e/{slug}/people?page=2"),
    "profile": ("viewer", "/e/{slug}/people/{other}"),
    "my meetings": ("viewer", "/e/{slug}/meetings/"),
    "agenda": ("viewer", "/e/{slug}/agenda/"),
    "agenda print": ("viewer", "/e/{slug}/agenda/print"),
    "agenda .ics": ("viewer", "/e/{slug}/agenda/agenda.ics"),
    "calendar feed": (None, "/e/{slug}/agenda/feed/{viewer}/{secret}.ics"),
    "today": ("viewer", "/e/{slug}/today"),
    "check-in desk search": ("organiser", "/e/{slug}/check-in/?q=person"),
    "schedule grid": ("organiser", "/e/{slug}/schedule/grid"),
    "schedule grid, one participant": ("organiser", "/e/{slug}/schedule/grid?participant={other}"),
    "unscheduled meetings": ("organiser", "/e/{slug}/schedule/unscheduled"),
    "one participant's schedule": ("organiser", "/e/{slug}/schedule/people/{other}"),
    "schedule charts": ("organiser", "/e/{slug}/schedule/charts"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_queries_do_not_grow_with_the_event(app, auth, sized, count_queries, page):
    small, large = statements_at_both_sizes(auth, count_queries, sized, page)
    assert large - small <= TOLERANCE, (
        f"{page}: {small} statements at {SMALL} participants, {large} at {LARGE}"
    )


TENFOLD = 10 * SMALL
ORGANISER_PAGES = ["schedule grid", "unscheduled meetings", "schedule charts"]


@pytest.fixture
def tenfold(app):
    """The event at ten times the small size: the organiser's pages read the whole event."""
    return build(app, SMALL), build(app, TENFOLD)


@pytest.mark.parametrize("page", ORGANISER_PAGES)
def test_organiser_page_queries_do_not_grow_with_ten_times_the_event(
    app, auth, tenfold, count_queries, page
):
    small, large = statements_at_both_sizes(auth, count_queries, tenfold, page)
    assert large - small <= TOLERANCE, (
        f"{page}: {small} statements at {SMALL} participants, {large} at {TENFOLD}"
    )


def statements_at_both_sizes(auth, count_queries, sized, page) -> list[int]:
    who, pattern = PAGES[page]
    counts = []
    for built in sized:
        auth.logout()
        if who is not None:
            account = built.viewer_account if who == "viewer" else built.organiser_account
            auth.login(SimpleNamespace(account_id=account))
        url = pattern.format(
            slug=built.slug, other=built.other_id, viewer=built.viewer_id, secret=built.feed_secret
        )
        status, statements = count_queries(auth.client, url)
        assert status == 200, url
        counts.append(statements)
    return counts
