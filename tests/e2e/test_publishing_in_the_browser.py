"""In a real browser: publishing goes through the confirm page, which counts who gets what and
shows one participant's email; nothing is sent until the organiser confirms, and the email sent
is the one previewed. Afterwards the form offers the current state, final."""

from __future__ import annotations

from email import message_from_bytes, policy

from playwright.sync_api import expect

from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from tests.e2e.test_scheduling_flow import server  # noqa: F401  (the live server)
from tests.logins import login_link

SHOTS = "/tmp/organiser-tools"


def _emails(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.execute(db.select(OutboxMessage)).scalars())
        db.session.expunge_all()
        return rows


def test_publish_through_the_confirm_page_with_a_preview(server, browser) -> None:  # noqa: F811
    base, app = server
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(login_link(app, base, "olga@example.org"))
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/e/osaka/schedule/")
    page.get_by_label("Time limit (seconds)").fill("5")
    page.get_by_role("button", name="Run scheduler").click()
    expect(page.get_by_role("heading", name="Draft result")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Apply this schedule").click()
    expect(page.locator("#job-result")).to_contain_text("Applied: 8 meetings", timeout=60_000)

    page.goto(f"{base}/e/osaka/schedule/")
    expect(page.get_by_label("Publish as")).to_have_value("preliminary")  # never published
    page.get_by_label("Publish as").select_option("final")
    page.get_by_role("button", name="Publish schedule").click()

    expect(page.get_by_role("heading", name="Publish the schedule as final?")).to_be_visible()
    expect(page.locator("#count-first-agendas")).to_have_text("6")
    expect(page.locator("#count-updates")).to_have_text("0")
    expect(page.locator("#count-meetings-new")).to_have_text("8")
    expect(page.locator("#count-emails")).to_have_text("6")

    page.get_by_label("Participant").fill("Aiko Sato")
    page.get_by_role("button", name="Show their email").click()
    preview = page.locator(".email-text")
    expect(preview).to_contain_text("Hello Aiko Sato,")
    expect(preview).to_contain_text("Here is your agenda for Osaka Partnering Day.")
    expect(preview).to_contain_text("Ben Okafor (Lagos Pharma)")
    expect(page.locator("#email-preview")).to_contain_text("agenda.ics")
    page.screenshot(path=f"{SHOTS}/publish-confirm.png", full_page=True)
    previewed = preview.inner_text()
    assert _emails(app) == []  # looking sent nothing

    page.get_by_role("button", name="Publish as final and send 6 emails").click()
    expect(page.locator("#publication-result")).to_contain_text(
        "Published as final", timeout=60_000
    )
    expect(page.get_by_label("Publish as")).to_have_value("final")  # the current state
    page.screenshot(path=f"{SHOTS}/published.png", full_page=True)

    sent = [m for m in _emails(app) if m.recipient == "aiko@example.org"]
    assert len(sent) == 1 and sent[0].kind == "agenda"
    body = message_from_bytes(sent[0].raw, policy=policy.default).get_body(("plain",))
    assert body.get_content().replace("\r\n", "\n").strip() == previewed.strip()
