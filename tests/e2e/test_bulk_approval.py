"""In a real browser against a real server and a real job consumer: the organiser approves the
ticked registrations, which a background job decides while the job's page follows it; then
finds a participant and an organisation on the grid by typing part of the name and picking a
suggestion."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, time

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from partnering import create_app
from partnering.auth.operations import get_or_create_account, login_url
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.registrations.models import Organisation, Participant
from tests.keys import TEST_SECRET_KEY

PEOPLE = [
    ("Aiko Sato", "Kobe Bio"),
    ("Ben Okafor", "Lagos Pharma"),
    ("Chloé Martin", "Lyon Capital"),
    ("Dmitri Ivanov", "Kobe Bio"),
    ("Eva Rossi", "Lagos Pharma"),
    ("Femi Adeyemi", "Lyon Capital"),
]
SHOTS = os.environ.get("BULK_JOBS_SCREENSHOTS")
"""A folder to keep screenshots in, when set (to look at the pages)."""


def _seed() -> None:
    event = create_event(slug="osaka", name="Osaka Partnering Day", timezone="Asia/Tokyo")
    add_sessions(event, [SessionSpec(date(2030, 1, 24), time(9), time(12))])
    add_tables(event, 3, seats=4)
    organisations: dict[str, Organisation] = {}
    for name, org in PEOPLE:
        organisation = organisations.setdefault(org, Organisation(event_id=event.id, name=org))
        account = get_or_create_account(f"{name.split()[0].lower()}@example.org", name)
        db.session.add(
            Participant(
                event_id=event.id, account=account, organisation=organisation, status="pending"
            )
        )
    organiser = get_or_create_account("olga@example.org", "Olga Organiser")
    db.session.add(
        Participant(event_id=event.id, account=organiser, role="organiser", status="approved")
    )
    db.session.commit()


@pytest.fixture
def server(tmp_path, database_url) -> Iterator[tuple[str, object]]:
    queue = tmp_path / "queue.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "HUEY_URL": f"sqlite://{queue}",
        },
        instance_path=tmp_path / "instance",
    )
    with app.app_context():
        db.create_all()
        _seed()
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "partnering.jobs.huey", "--quiet"],
        env={
            **os.environ,
            "PARTNERING_SQLALCHEMY_DATABASE_URI": database_url,
            "PARTNERING_HUEY_URL": f"sqlite://{queue}",
            "PARTNERING_SECRET_KEY": TEST_SECRET_KEY,
        },
    )
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", app
    http.shutdown()
    thread.join(timeout=5)
    http.server_close()
    consumer.terminate()
    consumer.wait(timeout=10)
    with app.app_context():
        db.engine.dispose()


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_bulk_approval_job_then_grid_name_search(server, browser) -> None:
    base, app = server
    with app.test_request_context(base_url=base):
        link = login_url(get_or_create_account("olga@example.org", ""))
    page = browser.new_context().new_page()
    page.goto(link)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{base}/e/osaka/admin/participants")
    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Approve selected").click()
    # The request queued a job; its page follows the consumer's work, then shows the result.
    expect(page.get_by_role("heading", name="Registration decisions")).to_be_visible()
    expect(page.locator("#job-result")).to_contain_text("6 registrations approved.", timeout=60_000)
    _shot(page, "job-done")

    page.goto(f"{base}/e/osaka/schedule/grid")
    field = page.get_by_label("Participant")
    field.press_sequentially("oka", delay=50)
    suggestion = page.locator("#who-suggestions option")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_attribute("value", "Ben Okafor")
    field.fill("Ben Okafor")
    field.press("Enter")  # the form's own submit: no script needed to filter
    expect(page).to_have_url(re.compile(r"/schedule/grid\?.*who=Ben\+Okafor"))
    expect(page.get_by_label("Participant")).to_have_value("Ben Okafor")
    expect(page.locator("#who-choices")).to_have_count(0)

    page.get_by_label("Participant").fill("a")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#who-choices")).to_contain_text("pick one")
    _shot(page, "grid-choices")
    page.locator("#who-choices").get_by_role("link", name="Eva Rossi").click()
    expect(page.get_by_label("Participant")).to_have_value("Eva Rossi")

    # The organisation filter is a search with suggestions too.
    page.get_by_label("Participant").fill("")
    org = page.get_by_label("Organisation")
    org.press_sequentially("lago", delay=50)
    org_suggestion = page.locator("#org-suggestions option")
    expect(org_suggestion).to_have_count(1)
    expect(org_suggestion).to_have_attribute("value", "Lagos Pharma")
    org.fill("Lagos Pharma")
    org.press("Enter")
    expect(page).to_have_url(re.compile(r"/schedule/grid\?.*org=Lagos\+Pharma"))
    expect(page.get_by_label("Organisation")).to_have_value("Lagos Pharma")
    expect(page.locator("#org-choices")).to_have_count(0)
    _shot(page, "grid-organisation")
