"""WCAG 2.1 A and AA in a real browser.

First, axe-core: every page of the participant's, the organiser's, the site administrator's and
an anonymous visitor's journeys, with data in every state (pending, accepted, declined and
withdrawn requests, a draft and a queued run, a published schedule with a meeting placed since
publishing, a publication under way, sent and failed emails) and with form errors shown, has no
violation of impact serious or critical. A failure lists each violation's rule, page and
elements.

Then what axe cannot judge, as a keyboard or screen reader user meets it: errors tied to their
fields and the focus on the first, named groups of choices, the skip link, the focus outline's
contrast, the current page in menus, repeated buttons that say whom they act on, a change since
publishing told in words, charts' values, titles and headings, and live progress."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect

from partnering.auth.models import Account
from partnering.auth.operations import login_token
from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.scheduling import operations as scheduling
from partnering.scheduling.publishing import create_publication
from tests.apps import app_for
from tests.security.world import World, build_world
from tests.servers import serving

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_21_AA},
    "resultTypes": ["violations"],
}


@dataclass
class Site:
    app: Flask
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
def site(tmp_path, database_url) -> Iterator[Site]:
    settings = {"TESTING": True, "HUEY_IMMEDIATE": True, "RATELIMIT_ENABLED": False}
    with app_for(database_url, settings, tables=True, instance_path=tmp_path / "instance") as app:
        with app.test_request_context():
            world = build_world()
            _place_since_publishing(world)
            people = {
                "participant": world.alpha.people["visible"].account_id,
                "organiser": world.alpha.organiser.account_id,
                "admin": world.admin_account_id,
            }
            tokens = {who: login_token(db.session.get(Account, i)) for who, i in people.items()}
            db.session.remove()
        with serving(app) as base:
            yield Site(app, base, world, tokens)


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
        self.check("/login/<token>")
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
        f"/e/alpha/jobs/{alpha.bulk_jobs['export']}",
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


def test_site_administrator_pages(browser, site):
    tab = audit(browser, site)
    tab.log_in(site.tokens["admin"])
    for path in ["/", "/account", "/events/new"]:
        tab.open(path)
    tab.submit_empty("/events/new")
    tab.assert_clean()


# --- what axe cannot judge: the page's behaviour and names, as a screen reader meets them ---


def logged_in(browser: Browser, site: Site, who: str | None) -> Page:
    page = browser.new_context().new_page()
    if who:
        page.goto(f"{site.base_url}/login/{site.tokens[who]}")
        page.locator("main form button[type=submit]").click()
        expect(page.locator(".flash")).to_contain_text("Welcome")
    return page


def described_by(field: Locator) -> list[str]:
    """The texts a field's aria-describedby points at, in order."""
    return field.evaluate(
        """el => (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
                 .map(id => document.getElementById(id))
                 .map(d => d ? d.textContent.trim() : null)"""
    )


def test_a_refused_form_ties_each_error_to_its_field_and_focuses_the_first(browser, site):
    page = logged_in(browser, site, None)
    page.goto(site.base_url + "/e/alpha/register")
    email = page.locator("#email")
    assert email.get_attribute("aria-invalid") is None
    assert described_by(email) == ["We send a login link to this address; there is no password."]
    page.locator("#name").fill("Ana Silva")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state("load")

    # The focus is on the first invalid field, which names its hint and its error.
    expect(email).to_be_focused()
    expect(email).to_have_attribute("aria-invalid", "true")
    assert described_by(email) == [
        "We send a login link to this address; there is no password.",
        "This field is required.",
    ]
    # A valid field says nothing of errors, and keeps what was typed.
    name = page.locator("#name")
    assert name.get_attribute("aria-invalid") is None
    expect(name).to_have_value("Ana Silva")
    # Every invalid field names an error that is shown next to it.
    invalid = page.locator('main [aria-invalid="true"]')
    assert invalid.count() >= 4
    for i in range(invalid.count()):
        errors = described_by(invalid.nth(i))
        assert errors and errors[-1], invalid.nth(i).get_attribute("name")
    # The consent box is invalid too: a checkbox with its error.
    consent = page.get_by_role("checkbox", name="I have read the privacy note and agree to it")
    expect(consent).to_have_attribute("aria-invalid", "true")
    assert described_by(consent)[-1] == "Agree to the privacy note to take part."


def test_the_login_form_focuses_its_refused_address(browser, site):
    page = logged_in(browser, site, None)
    page.goto(site.base_url + "/login")
    page.locator("#email").fill("not an address")
    page.get_by_role("button", name="Email me a login link").click()
    page.wait_for_load_state("load")
    email = page.get_by_role("textbox", name="Email")
    expect(email).to_be_focused()
    expect(email).to_have_attribute("aria-invalid", "true")
    assert described_by(email)[-1] == page.locator("#email-errors").inner_text()


def test_choices_are_groups_named_by_their_question(browser, site):
    alpha = site.world.alpha
    page = logged_in(browser, site, "participant")
    page.goto(f"{site.base_url}/e/alpha/meetings/request/{alpha.people['peer'].participant_id}")
    priority = page.get_by_role("group", name="How much do you want this meeting?")
    expect(priority.get_by_role("radio")).to_have_count(2)
    # A refused request: the message box gets the focus; the radios keep their group.
    page.get_by_role("radio", name="Must meet").check()
    page.get_by_role("button", name="Send request").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    expect(page.get_by_role("radio", name="Must meet")).to_be_checked()

    page.goto(f"{site.base_url}/e/alpha/profile")
    topics = page.get_by_role("group", name="Topics")
    expect(topics.get_by_role("checkbox")).to_have_count(2)
    expect(topics.get_by_role("checkbox", name="Oncology")).to_be_checked()

    # Each session of the availability page is a group named by its time, with its slots.
    page.goto(f"{site.base_url}/e/alpha/availability")
    sessions = page.locator("fieldset[data-session]")
    assert sessions.count() == 2
    first = sessions.first
    expect(first).to_have_accessible_name(re.compile(r"09:00–12:00"))
    assert first.locator("input[data-slot-box]").count() > 1


def test_a_skip_link_is_the_first_tab_stop_and_leads_to_the_content(browser, site):
    page = logged_in(browser, site, "organiser")
    for path in ["/e/alpha/schedule/grid", "/e/alpha/agenda/", "/account"]:
        page.goto(site.base_url + path)
        skip = page.get_by_role("link", name="Skip to content")
        expect(skip).not_to_be_in_viewport()
        page.keyboard.press("Tab")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        # The next tab stop is the first one of the content, not the menu.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('main') !== null"), path


def _luminance(colour: str) -> float:
    red, green, blue = (int(c) / 255 for c in re.findall(r"[\d.]+", colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_focus_is_shown_by_an_outline_of_three_to_one_or_more(browser, site):
    alpha = site.world.alpha
    page = logged_in(browser, site, "participant")
    page.goto(f"{site.base_url}/e/alpha/meetings/request/{alpha.people['peer'].participant_id}")
    targets = {
        "radio": page.get_by_role("radio", name="Would like to meet"),
        "text box": page.get_by_role("textbox", name="Message"),
        "button": page.get_by_role("button", name="Send request"),
        "link": page.get_by_role("link", name=re.compile("^← .*profile$")),
    }
    page.goto(f"{site.base_url}/e/alpha/profile")
    targets |= {
        "checkbox": page.get_by_role("checkbox", name="Oncology"),
        "select": page.get_by_role("combobox", name="Organisation type"),
    }
    for what in list(targets):
        page.goto(
            f"{site.base_url}/e/alpha/meetings/request/{alpha.people['peer'].participant_id}"
            if what in ("radio", "text box", "button", "link")
            else f"{site.base_url}/e/alpha/profile"
        )
        target = targets[what]
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focused from the keyboard, as :focus-visible means
        expect(target).to_be_focused()
        style = target.evaluate(
            """el => { const s = getComputedStyle(el);
                       let bg = el.parentElement, c = "rgba(0, 0, 0, 0)";
                       const clear = "rgba(0, 0, 0, 0)";
                       while (bg && (c = getComputedStyle(bg).backgroundColor) === clear)
                         bg = bg.parentElement;
                       return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor, c]; }"""
        )
        outline, width, colour, background = style
        assert outline == "solid" and width >= 2, (what, style)
        assert contrast(colour, background) >= 3, (what, style)


def test_menus_and_tabs_say_which_page_is_current(browser, site):
    page = logged_in(browser, site, "organiser")
    page.goto(site.base_url + "/e/alpha/schedule/")
    current = page.locator('[aria-current="page"]')
    expect(current).to_have_count(2)
    expect(
        page.get_by_role("navigation", name="Event").locator('[aria-current="page"]')
    ).to_have_text("Schedule")
    expect(
        page.get_by_role("navigation", name="Schedule").locator('[aria-current="page"]')
    ).to_have_text("Overview")
    page.goto(site.base_url + "/e/alpha/schedule/grid")
    expect(page.locator('[aria-current="page"]')).to_have_text("Grid")
    page.goto(site.base_url + "/e/alpha/agenda/")
    expect(page.locator('[aria-current="page"]')).to_have_text("My agenda")


def button_names(page: Page) -> list[str]:
    """The accessible names of the buttons in the page's content."""
    snapshot = page.locator("main").aria_snapshot()
    return re.findall(r'- button "((?:[^"\\]|\\.)*)"', snapshot)


def test_buttons_that_repeat_name_whom_they_act_on(browser, site):
    page = logged_in(browser, site, "organiser")
    for path, repeated in [
        ("/e/alpha/admin/participants", "Reject"),
        ("/e/alpha/outbox/", "Resend"),
    ]:
        page.goto(site.base_url + path)
        names = [n for n in button_names(page) if n.startswith(repeated)]
        assert len(names) >= 2, (path, names)
        assert len(set(names)) == len(names), (path, names)
        assert all(n != repeated for n in names), (path, names)
    page.goto(site.base_url + "/e/alpha/admin/participants")
    pending = site.world.alpha.people["pending"].participant_id
    row = page.locator("tr", has=page.locator(f'a[href$="/participants/{pending}"]'))
    name = row.locator("a strong").inner_text()
    expect(row.get_by_role("button", name=f"Approve {name}", exact=True)).to_have_count(1)

    participant = logged_in(browser, site, "participant")
    participant.goto(site.base_url + "/e/alpha/agenda/")
    expect(
        participant.get_by_role("button", name=re.compile(r"^Cancel this meeting with Bob "))
    ).to_have_count(1)
    participant.goto(site.base_url + "/e/alpha/meetings/")
    expect(
        participant.get_by_role("button", name=re.compile(r"^Accept the request from Carol "))
    ).to_have_count(1)


def test_a_change_since_publishing_is_told_in_words(browser, site):
    page = logged_in(browser, site, "organiser")
    page.goto(site.base_url + "/e/alpha/schedule/grid")
    changed = page.locator("td.cell.changed")
    expect(changed).to_have_count(1)
    expect(changed.get_by_role("link")).to_have_accessible_name(
        re.compile(r"changed since publishing$")
    )
    expect(changed.locator(".badge-changed")).to_be_visible()
    expect(page.locator("td.cell:not(.changed) .badge-changed")).to_have_count(0)


def test_charts_give_their_values_as_tables(browser, site):
    page = logged_in(browser, site, "organiser")
    page.goto(site.base_url + "/e/alpha/schedule/charts")
    for section in ["Meetings per participant", "Requests per day"]:
        card = page.locator("section", has=page.get_by_role("heading", name=section))
        drawn = card.locator("svg rect title").all_text_contents()
        assert drawn, section
        expect(card.locator("svg")).to_have_attribute("aria-hidden", "true")
        rows = card.get_by_role("table").get_by_role("row")
        read = [
            row.get_by_role("rowheader").inner_text() + ": " + row.get_by_role("cell").inner_text()
            for row in rows.all()[1:]
        ]
        assert read == [re.sub(r" \w+$", "", title) for title in drawn], (section, read, drawn)


def test_pages_have_their_own_titles_and_a_first_level_heading(browser, site):
    alpha = site.world.alpha
    page = logged_in(browser, site, "organiser")
    titles = set()
    for meeting in ("published", "unplaced"):
        page.goto(f"{site.base_url}/e/alpha/schedule/meetings/{alpha.meetings[meeting]}")
        heading = page.get_by_role("heading", level=1).inner_text()
        assert page.title().startswith(f"Meeting: {heading} · "), page.title()
        titles.add(page.title())
    assert len(titles) == 2

    participant = logged_in(browser, site, "participant")
    participant.goto(f"{site.base_url}/e/alpha/people/{alpha.people['other'].participant_id}")
    heading = participant.get_by_role("heading", level=1)
    expect(heading).to_have_count(1)
    assert participant.title().startswith(heading.inner_text() + " · ")


def test_progress_is_told_in_a_live_region(browser, site):
    alpha = site.world.alpha
    page = logged_in(browser, site, "organiser")
    page.goto(f"{site.base_url}/e/alpha/schedule/runs/{alpha.runs['queued']}")
    run = page.get_by_role("status")
    expect(run).to_have_count(1)
    expect(run).to_have_text(
        re.compile(r"^Waiting to start, waiting for a worker\. Best so far none yet\.$")
    )

    with site.app.app_context():
        create_publication(db.session.get(Event, alpha.event_id), None, "final")
        db.session.remove()
    tab = Audit(page, site.base_url)
    tab.open("/e/alpha/schedule/")
    publication = page.locator("#publication-progress").get_by_role("status")
    expect(publication).to_have_text(re.compile(r"^Waiting to start: \d+ emails to go\.$"))
    tab.check("/e/alpha/schedule/ (publishing)")
    tab.assert_clean()
