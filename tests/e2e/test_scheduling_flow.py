"""In a real browser against a real server and a real job consumer: the organiser runs the
scheduler, watches its progress, applies the result, looks at the grid and publishes (the job's
progress, then its result); a participant then sees their agenda."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time

import pytest
from playwright.sync_api import expect

from partnering.auth.operations import get_or_create_account
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Organisation, Participant
from tests.apps import app_for
from tests.logins import login_link
from tests.servers import serving

PEOPLE = [
    ("Aiko Sato", "Kobe Bio"),
    ("Ben Okafor", "Lagos Pharma"),
    ("Chloé Martin", "Lyon Capital"),
    ("Dmitri Ivanov", "Kobe Bio"),
    ("Eva Rossi", "Lagos Pharma"),
    ("Femi Adeyemi", "Lyon Capital"),
]


def _seed() -> None:
    event = create_event(slug="osaka", name="Osaka Partnering Day", timezone="Asia/Tokyo")
    add_sessions(event, [SessionSpec(date(2030, 1, 24), time(9), time(12))])
    add_tables(event, 3, seats=4)
    organisations: dict[str, Organisation] = {}
    people = []
    for name, org in PEOPLE:
        organisation = organisations.setdefault(org, Organisation(event_id=event.id, name=org))
        account = get_or_create_account(f"{name.split()[0].lower()}@example.org", name)
        people.append(
            Participant(
                event_id=event.id, account=account, organisation=organisation, status="approved"
            )
        )
    organiser = get_or_create_account("olga@example.org", "Olga Organiser")
    db.session.add(
        Participant(event_id=event.id, account=organiser, role="organiser", status="approved")
    )
    db.session.add_all(people)
    a, b, c, d, e, f = people
    for pair in [(a, b), (a, c), (b, c), (d, e), (d, f), (e, f), (a, e), (c, d)]:
        db.session.add(Meeting(event_id=event.id, participants=list(pair)))
    db.session.commit()


@pytest.fixture
def server(tmp_path, database_url) -> Iterator[tuple[str, object]]:
    settings = {"TESTING": True, "HUEY_URL": f"sqlite://{tmp_path / 'queue.db'}"}
    with app_for(database_url, settings, tables=True, instance_path=tmp_path / "instance") as app:
        with app.app_context():
            _seed()
        with serving(app, consumer=True) as base:
            yield base, app


def test_run_progress_apply_grid_publish(server, browser) -> None:
    base, app = server
    page = browser.new_context().new_page()
    page.goto(login_link(app, base, "olga@example.org"))
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/e/osaka/schedule/")
    expect(page.locator("main")).to_contain_text("0 / 8")
    page.get_by_label("Time limit (seconds)").fill("5")
    page.get_by_role("button", name="Run scheduler").click()

    # The consumer picks the job up; the page follows it, then shows the draft.
    expect(page.locator("#run-progress")).to_be_visible()
    expect(page.get_by_role("heading", name="Draft result")).to_be_visible(timeout=60_000)
    expect(page.locator("main")).to_contain_text("8 / 8")
    page.get_by_role("button", name="Apply this schedule").click()
    # Applying is a job too: its page follows it, then shows the result.
    expect(page.locator("#job-result")).to_contain_text("Applied: 8 meetings", timeout=60_000)

    page.get_by_role("link", name="Back to the run").click()
    page.get_by_role("link", name="Grid").click()
    expect(page.locator("table.schedule-grid a")).to_have_count(8)
    expect(page.locator("table.schedule-grid")).to_contain_text("Chloé Martin")

    page.goto(f"{base}/e/osaka/schedule/")
    page.get_by_label("Publish as").select_option("preliminary")
    page.get_by_role("button", name="Publish schedule").click()
    # A confirm page first says what will be sent; nothing is sent before the confirm.
    page.get_by_role("button", name="Publish as preliminary and send 6 emails").click()
    # The consumer publishes; the page follows the job, then shows its result.
    expect(page.locator("#publication-result")).to_contain_text(
        "Published as preliminary", timeout=60_000
    )
    expect(page.locator("#publication-result")).to_contain_text("8 meetings newly published")

    aiko = browser.new_context().new_page()
    aiko.goto(login_link(app, base, "aiko@example.org"))
    aiko.get_by_role("button", name="Log in").click()
    aiko.goto(f"{base}/e/osaka/agenda/")
    expect(aiko.locator("main")).to_contain_text("Preliminary")
    expect(aiko.locator("ul.agenda")).to_contain_text("Ben Okafor")
    expect(aiko.locator("ul.agenda")).to_contain_text("Lyon Capital")
