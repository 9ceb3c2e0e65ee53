"""In a real browser against a real server: a newcomer registers, logs in with the emailed
link, asks for a meeting; the other participant logs in and accepts; both see the meeting."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date, time

import pytest
from playwright.sync_api import Page, expect

from partnering.auth.operations import get_or_create_account
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.registrations.models import Organisation, Participant
from tests.apps import app_for
from tests.servers import serving


class Outbox(logging.Handler):
    """Emails as the app writes them to its log when no mail server is configured."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def login_link(self, email: str) -> str:
        for message in reversed(self.messages):
            if message.startswith(f"Email to {email}:"):
                return re.search(r"http://\S+/login/\S+", message).group(0)
        raise AssertionError(f"no login link sent to {email}: {self.messages}")


@pytest.fixture
def server(tmp_path, database_url) -> Iterator[tuple[str, object, Outbox]]:
    settings = {
        "TESTING": True,
        "HUEY_IMMEDIATE": True,  # emails leave the outbox at once, into the log
    }
    with app_for(database_url, settings, tables=True, instance_path=tmp_path / "instance") as app:
        outbox = Outbox()
        app.logger.addHandler(outbox)
        with app.app_context():
            event = create_event(
                slug="osaka",
                name="Osaka Partnering Day",
                timezone="Asia/Tokyo",
                topics_text="Oncology\nVaccines",
            )
            add_sessions(event, [SessionSpec(date(2030, 1, 24), time(9), time(12))])
            add_tables(event, 4, seats=4)
            db.session.add(
                Participant(
                    event_id=event.id,
                    account=get_or_create_account("jun.park@example.kr", "Jun Park"),
                    organisation=Organisation(
                        event_id=event.id, name="Seoul Pharma", kind="pharma"
                    ),
                    status="approved",
                    show_profile=True,
                    offer="Antibody-drug conjugates",
                )
            )
            db.session.commit()
        try:
            with serving(app) as base:
                yield base, app, outbox
        finally:
            app.logger.removeHandler(outbox)


def log_in_with_link(page: Page, link: str) -> None:
    page.goto(link)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash-success")).to_contain_text("Welcome")


def test_register_request_and_accept(server, browser) -> None:
    base, app, outbox = server
    marie = browser.new_context().new_page()
    marie.goto(f"{base}/e/osaka/")
    marie.get_by_role("link", name="Register").click()
    marie.get_by_label("Email").fill("marie.curie@example.fr")
    marie.get_by_label("Full name").fill("Marie Curie")
    marie.get_by_label("Organisation", exact=True).fill("Radium Bio")
    marie.get_by_label("Organisation type").select_option("sme")
    marie.get_by_label("Country").fill("France")
    marie.get_by_label("Oncology").check()
    marie.get_by_label("What you offer").fill("Radiotherapy platform")
    marie.get_by_label("Show my profile").check()
    marie.get_by_label("I have read the privacy note").check()
    marie.get_by_role("button", name="Register").click()
    expect(marie.locator(".flash-success")).to_contain_text("Thank you for registering")

    with app.app_context():  # the organiser approves the registration
        newcomer = db.session.execute(
            db.select(Participant).where(Participant.status == "pending")
        ).scalar_one()
        newcomer.status = "approved"
        db.session.commit()

    log_in_with_link(marie, outbox.login_link("marie.curie@example.fr"))
    marie.goto(f"{base}/e/osaka/people")
    marie.get_by_role("link", name="Jun Park").click()
    marie.get_by_role("link", name="Request a meeting").click()
    marie.get_by_label("Must meet").check()
    marie.get_by_label("Message").fill("Our platform could carry your ADCs.")
    marie.get_by_role("button", name="Send request").click()
    expect(marie.locator(".flash-success")).to_contain_text("on its way to Jun Park")

    jun = browser.new_context().new_page()
    jun.goto(f"{base}/login")
    jun.get_by_label("Email").fill("jun.park@example.kr")
    jun.get_by_role("button", name="Email me a login link").click()
    log_in_with_link(jun, outbox.login_link("jun.park@example.kr"))
    jun.goto(f"{base}/e/osaka/meetings/")
    incoming = jun.locator("#incoming")
    expect(incoming).to_contain_text("Our platform could carry your ADCs.")
    incoming.get_by_role("button", name="Accept").click()
    expect(jun.locator(".flash-success")).to_contain_text("You will meet Marie Curie")

    expect(jun.locator("#meetings")).to_contain_text("Marie Curie")
    marie.goto(f"{base}/e/osaka/meetings/")
    expect(marie.locator("#meetings")).to_contain_text("Jun Park")
    expect(marie.locator("#meetings")).to_contain_text("Seoul Pharma")
