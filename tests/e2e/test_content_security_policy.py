"""In a real browser, with the app's Content-Security-Policy in force: the main pages of a
participant, an organiser and an anonymous visitor break no rule of the policy (no
securitypolicyviolation event, no CSP error in the console, no script error), and what the
pages' script does still works: confirmations before cancelling, "select all", the feed address
that selects itself, availability boxes in step, print and back on the printouts, and a scheduler
run's live progress."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from partnering import create_app
from partnering.auth.models import Account
from partnering.auth.operations import login_token
from partnering.extensions import db
from tests.keys import TEST_SECRET_KEY
from tests.security.world import World, build_world

# Reported through the console, which the test listens to (init scripts are not subject to the
# page's policy).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("securitypolicyviolation: " + e.violatedDirective + " blocked " +
                (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@dataclass
class Site:
    base_url: str
    world: World
    tokens: dict[str, str]
    """A login link token per person: participant, organiser."""


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

    @app.route("/inline-probe")
    def inline_probe():
        """What the policy must refuse, to show that the test sees refusals."""
        return (
            "<!doctype html><html><head><style>p { color: red; }</style></head>"
            '<body><p style="color: blue">x</p><script>document.title = "ran";</script>'
            "</body></html>"
        )

    with app.test_request_context():
        db.create_all()
        world = build_world()
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
class Visit:
    """A browser tab that records what the policy refused and what the scripts threw."""

    page: Page
    base_url: str
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.add_init_script(REPORT_VIOLATIONS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _console(self, message) -> None:
        text = message.text
        if "securitypolicyviolation" in text or "Content Security Policy" in text:
            self.problems.append(f"{self.page.url}: {text}")

    def open(self, path: str) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        return self.page

    def log_in(self, token: str) -> None:
        self.open(f"/login/{token}")
        self.page.locator("main form button[type=submit]").click()
        expect(self.page.locator(".flash")).to_contain_text("Welcome")


def visit(browser: Browser, site: Site) -> Visit:
    context = browser.new_context()
    return Visit(context.new_page(), site.base_url)


def test_the_browser_reports_what_the_policy_refuses(browser, site):
    tab = visit(browser, site)
    tab.open("/inline-probe")
    assert tab.page.title() != "ran"
    refused = "\n".join(tab.problems)
    assert "script-src" in refused and "style-src" in refused, refused


def test_participant_pages_keep_the_policy_and_their_behaviour(browser, site):
    alpha = site.world.alpha
    tab = visit(browser, site)
    page = tab.page
    tab.log_in(site.tokens["participant"])
    for path in [
        "/",
        "/e/alpha/",
        "/e/alpha/people",
        f"/e/alpha/people/{alpha.people['other'].participant_id}",
        "/e/alpha/meetings/",
        f"/e/alpha/meetings/request/{alpha.people['peer'].participant_id}",
        "/e/alpha/profile",
        "/e/alpha/delete",
    ]:
        tab.open(path)

    # Availability: a session's box and its slot boxes stay in step, and the count follows.
    tab.open("/e/alpha/availability")
    session = page.locator("[data-session]").first
    box = session.locator("[data-session-box]")
    slots = session.locator("[data-slot-box]")
    count = session.locator("[data-count]")
    expect(box).to_be_checked()
    total = slots.count()
    assert total > 1
    expect(count).to_have_text(str(total))
    box.uncheck()
    expect(count).to_have_text("0")
    for i in range(total):
        expect(slots.nth(i)).not_to_be_checked()
    session.locator("summary").click()
    slots.nth(1).check()
    expect(box).to_be_checked()
    expect(count).to_have_text("1")

    # The agenda: the feed address selects itself on a click.
    tab.open("/e/alpha/agenda/")
    feed = page.locator("#feed-url")
    feed.click()
    selected = feed.evaluate("el => [el.selectionStart, el.selectionEnd, el.value.length]")
    assert selected[0] == 0 and selected[1] == selected[2] > 0, selected

    # The printable agenda: Print opens the print dialog, Back returns to the agenda.
    page.get_by_role("link", name="Printable agenda").click()
    page.wait_for_url(re.compile(r"/agenda/print$"))
    back = page.get_by_role("link", name="← Back")
    assert back.get_attribute("href") == "/e/alpha/agenda/"  # without a history, too
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") == 1
    back.click()
    page.wait_for_url(re.compile(r"/e/alpha/agenda/$"))

    # Cancelling a meeting asks first: dismissed, nothing happens; accepted, it is cancelled.
    cancel = page.get_by_role("button", name="Cancel this meeting")
    questions: list[str] = []

    def answer(accept: bool):
        def handle(dialog):
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(accept=False))
    cancel.click()
    page.wait_for_timeout(300)
    assert questions == ["Cancel this meeting? The other participant will see it cancelled."]
    expect(page.locator(".badge-cancelled")).to_have_count(0)
    page.once("dialog", answer(accept=True))
    cancel.click()
    expect(page.locator(".badge-cancelled")).to_have_count(1)
    assert len(questions) == 2

    assert not tab.problems, "\n".join(tab.problems)


def test_organiser_pages_keep_the_policy_and_their_behaviour(browser, site):
    alpha = site.world.alpha
    tab = visit(browser, site)
    page = tab.page
    tab.log_in(site.tokens["organiser"])
    hidden = alpha.people["hidden"].participant_id
    for path in [
        "/e/alpha/admin/",
        f"/e/alpha/admin/participants/{hidden}",
        "/e/alpha/admin/settings",
        "/e/alpha/admin/tables",
        "/e/alpha/admin/participants/import",
        "/e/alpha/schedule/",
        "/e/alpha/schedule/grid",
        "/e/alpha/schedule/unscheduled",
        "/e/alpha/schedule/charts",
        f"/e/alpha/schedule/meetings/{alpha.meetings['published']}",
        f"/e/alpha/schedule/people/{hidden}",
        f"/e/alpha/schedule/runs/{alpha.runs['draft']}",
        "/e/alpha/outbox/",
        "/e/alpha/agenda/print/tables",
        "/e/alpha/agenda/print/days",
        f"/e/alpha/agenda/print/people/{hidden}",
    ]:
        tab.open(path)

    # The heat map is coloured by classes the stylesheet knows.
    tab.open("/e/alpha/schedule/charts")
    cells = page.locator("table.heat td")
    assert cells.count() > 0
    colours = cells.evaluate_all("tds => tds.map(td => getComputedStyle(td).backgroundColor)")
    assert all(re.match(r"rgba?\(31, 95, 191", c) for c in colours), colours

    # "Select all" ticks and unticks every registration of the page.
    tab.open("/e/alpha/admin/participants")
    everyone = page.locator("input[type=checkbox][name=ids]")
    assert everyone.count() > 2
    page.locator("input[data-select-all]").check()
    for i in range(everyone.count()):
        expect(everyone.nth(i)).to_be_checked()
    page.locator("input[data-select-all]").uncheck()
    for i in range(everyone.count()):
        expect(everyone.nth(i)).not_to_be_checked()

    # A queued run's page follows its progress by fetching it.
    with page.expect_response(re.compile(r"/schedule/runs/\d+/progress$")) as polled:
        tab.open(f"/e/alpha/schedule/runs/{alpha.runs['queued']}")
    assert polled.value.status == 200
    assert polled.value.headers["content-type"] == "application/json"

    # Cancelling a meeting from the organiser's page asks first.
    tab.open(f"/e/alpha/schedule/meetings/{alpha.meetings['published']}")
    questions: list[str] = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Cancel meeting").click()
    page.wait_for_timeout(300)
    assert questions == ["Cancel this meeting for both participants?"]
    assert page.url.endswith(f"/schedule/meetings/{alpha.meetings['published']}")

    assert not tab.problems, "\n".join(tab.problems)


def test_anonymous_pages_keep_the_policy(browser, site):
    tab = visit(browser, site)
    for path in ["/", "/login", "/e/alpha/", "/e/alpha/register"]:
        tab.open(path)
    assert not tab.problems, "\n".join(tab.problems)
