"""WCAG 2.1 A and AA, checked by axe-core in a real browser: every page of the participant's,
the organiser's and an anonymous visitor's journeys, with data in every state (pending, accepted,
declined and withdrawn requests, a draft and a queued run, a published schedule with a meeting
placed since publishing, sent and failed emails) and with form errors shown, has no violation of
impact serious or critical. A failure lists each violation's rule, page and elements."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from partnering import create_app
from partnering.auth.models import Account
from partnering.auth.operations import login_token
from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.scheduling import operations as scheduling
from tests.keys import TEST_SECRET_KEY
from tests.security.world import World, build_world

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_21_AA},
    "resultTypes": ["violations"],
}


@dataclass
class Site:
    base_url: str
    world: World
    tokens: dict[str, str]


def _place_since_publishing(world: World) -> None:
    """Place the meeting agreed after publishing, so the grid shows a change since publishing."""
    alpha = world.alpha
    event = db.session.get(Event, alpha.event_id)
    meeting = db.session.get(Meeting, alpha.meetings["unplaced"])
    for slot_id in alpha.slots:
        for table_id in alpha.tables:
            try:
                scheduling.move_meeting(
                    event, meeting, db.session.get(Slot, slot_id), db.session.get(Table, table_id)
                )
                return
            except scheduling.ScheduleRefused:
                db.session.rollback()
    raise AssertionError("the late meeting fits nowhere")


@pytest.fixture
def site(database_url) -> Iterator[Site]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "HUEY_IMMEDIATE": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.test_request_context():
        db.create_all()
        world = build_world()
        _place_since_publishing(world)
        people = {
            "participant": world.alpha.people["visible"].account_id,
            "organiser": world.alpha.organiser.account_id,
        }
        tokens = {who: login_token(db.session.get(Account, i)) for who, i in people.items()}
        db.session.remove()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{http.server_port}", world, tokens)
    http.shutdown()
    thread.join(timeout=5)
    http.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass
class Audit:
    """A browser tab that runs axe on each page it is shown and keeps what blocks."""

    page: Page
    base_url: str
    axe: Axe = field(default_factory=Axe)
    found: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.check()
        return self.page

    def check(self, name: str | None = None) -> None:
        """Run axe on the page as it is now."""
        where = name or self.page.url.removeprefix(self.base_url)
        self.checked.append(where)
        results = self.axe.run(self.page, options=AXE_OPTIONS)
        for violation in results.response["violations"]:
            if violation["impact"] not in BLOCKING:
                continue
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            more = len(violation["nodes"]) - 5
            self.found.append(
                f"{where}: {violation['id']} ({violation['impact']}): {violation['help']} "
                f"at {targets}{f' and {more} more' if more > 0 else ''}"
            )

    def submit_empty(self, path: str, form: str = "main form[method=post]") -> None:
        """Open a form, empty its text fields, submit it and check the page with its errors."""
        self.page.goto(self.base_url + path)
        target = self.page.locator(form).first
        for box in target.locator("input[type=text], input[type=email], textarea").all():
            box.fill("")
        target.locator("button[type=submit]").last.click()
        self.page.wait_for_load_state("load")
        expect(self.page.locator("small.error").first).to_be_visible()
        self.check(f"{path} (with errors)")

    def log_in(self, token: str) -> None:
        self.page.goto(f"{self.base_url}/login/{token}")
        self.page.locator("main form button[type=submit]").click()
        expect(self.page.locator(".flash")).to_contain_text("Welcome")

    def assert_clean(self) -> None:
        assert self.checked
        assert not self.found, "axe found serious or critical WCAG 2.1 AA violations:\n" + (
            "\n".join(self.found)
        )


def audit(browser: Browser, site: Site) -> Audit:
    return Audit(browser.new_context().new_page(), site.base_url)


def test_axe_reports_what_it_should(browser, site):
    """The check sees violations: a page with an unnamed field and a grey link fails it."""
    tab = audit(browser, site)
    tab.page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<p style="color:#000">Text <a href="#x" style="color:#111;text-decoration:none">'
        'a link</a> text.</p><input type="text"></main></body></html>'
    )
    tab.check("probe")
    rules = "\n".join(tab.found)
    assert "label" in rules and "link-in-text-block" in rules, rules


def test_participant_pages(browser, site):
    alpha = site.world.alpha
    tab = audit(browser, site)
    tab.log_in(site.tokens["participant"])
    for path in [
        "/",
        "/account",
        "/e/alpha/",
        "/e/alpha/people",
        f"/e/alpha/people/{alpha.people['other'].participant_id}",
        f"/e/alpha/people/{alpha.people['visible'].participant_id}",
        "/e/alpha/meetings/",
        f"/e/alpha/meetings/request/{alpha.people['peer'].participant_id}",
        f"/e/alpha/meetings/request/{alpha.people['other'].participant_id}",
        "/e/alpha/profile",
        "/e/alpha/availability",
        "/e/alpha/agenda/",
        "/e/alpha/agenda/print",
        "/e/alpha/delete",
    ]:
        tab.open(path)
    tab.submit_empty(f"/e/alpha/meetings/request/{alpha.people['peer'].participant_id}")
    tab.submit_empty("/e/alpha/profile")
    tab.assert_clean()


def test_organiser_pages(browser, site):
    alpha = site.world.alpha
    tab = audit(browser, site)
    tab.log_in(site.tokens["organiser"])
    hidden = alpha.people["hidden"].participant_id
    for path in [
        "/e/alpha/admin/",
        "/e/alpha/admin/participants",
        f"/e/alpha/admin/participants/{hidden}",
        f"/e/alpha/admin/participants/{alpha.people['pending'].participant_id}",
        "/e/alpha/admin/settings",
        "/e/alpha/admin/tables",
        "/e/alpha/admin/participants/import",
        f"/e/alpha/admin/participants/import/columns?upload={alpha.upload}",
        "/e/alpha/schedule/",
        "/e/alpha/schedule/grid",
        "/e/alpha/schedule/unscheduled",
        "/e/alpha/schedule/charts",
        f"/e/alpha/schedule/meetings/{alpha.meetings['published']}",
        f"/e/alpha/schedule/meetings/{alpha.meetings['unplaced']}",
        f"/e/alpha/schedule/meetings/{alpha.meetings['cancelled']}",
        f"/e/alpha/schedule/people/{hidden}",
        f"/e/alpha/schedule/runs/{alpha.runs['draft']}",
        f"/e/alpha/schedule/runs/{alpha.runs['applied']}",
        f"/e/alpha/schedule/runs/{alpha.runs['queued']}",
        "/e/alpha/outbox/",
        "/e/alpha/agenda/print/tables",
        "/e/alpha/agenda/print/days",
        f"/e/alpha/agenda/print/people/{hidden}",
    ]:
        tab.open(path)
    expect(tab.page.locator("td.cell.changed")).to_have_count(0)  # (the print page)
    tab.page.goto(tab.base_url + "/e/alpha/schedule/grid")
    expect(tab.page.locator("td.cell.changed")).to_have_count(1)
    tab.submit_empty("/e/alpha/admin/settings")
    tab.assert_clean()


def test_anonymous_pages(browser, site):
    tab = audit(browser, site)
    for path in ["/", "/login", "/e/alpha/", "/e/alpha/register"]:
        tab.open(path)
    tab.submit_empty("/login")
    tab.submit_empty("/e/alpha/register")
    tab.assert_clean()
