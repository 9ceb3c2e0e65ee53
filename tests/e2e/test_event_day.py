"""The event day in a real browser, against a real server and a real job consumer, at a set
time: a participant opens Today on her phone, the organiser checks her in by the URL of her
printed agenda's QR code, a meeting is marked as a no-show, the organiser re-plans the rest of
the day, applies and publishes, and her Today page and calendar show the meeting's new place."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from partnering.attendance.models import CheckInMethod
from partnering.attendance.operations import check_in
from partnering.attendance.tokens import check_in_url
from partnering.auth.operations import get_or_create_account
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Organisation, Participant
from partnering.scheduling import operations
from tests.apps import app_for
from tests.logins import login_link
from tests.qr_codes import read_qr_path
from tests.servers import serving

TOKYO = ZoneInfo("Asia/Tokyo")
PEOPLE = [
    ("Aiko Sato", "Kobe Bio"),
    ("Ben Okafor", "Lagos Pharma"),
    ("Chloé Martin", "Lyon Capital"),
    ("Dmitri Ivanov", "Kobe Bio"),
    ("Eva Rossi", "Lagos Pharma"),
    ("Femi Adeyemi", "Lyon Capital"),
]
SCREENSHOTS = os.environ.get("EVENT_DAY_SCREENSHOTS")
"""A folder to keep the story's screenshots in (to look at the pages); none by default."""


def tokyo(hh_mm: str) -> datetime:
    return datetime.fromisoformat(f"2030-01-24T{hh_mm}").replace(tzinfo=TOKYO)


def _seed() -> None:
    """The published morning: Aiko meets Ben at 09:00, Chloé at 09:30 and Eva at 11:00;
    Dmitri meets Femi at 14:00. Everyone but Aiko, Chloé and Femi checked in before nine."""
    event = create_event(slug="osaka", name="Osaka Partnering Day", timezone="Asia/Tokyo")
    add_sessions(
        event,
        [
            SessionSpec(date(2030, 1, 24), time(9), time(12)),
            SessionSpec(date(2030, 1, 24), time(14), time(17)),
        ],
    )
    add_tables(event, 3, seats=4)
    organisations: dict[str, Organisation] = {}
    people = {}
    for name, org in PEOPLE:
        organisation = organisations.setdefault(org, Organisation(event_id=event.id, name=org))
        account = get_or_create_account(f"{name.split()[0].lower()}@example.org", name)
        people[name.split()[0]] = Participant(
            event_id=event.id, account=account, organisation=organisation, status="approved"
        )
    organiser = Participant(
        event_id=event.id,
        account=get_or_create_account("olga@example.org", "Olga Organiser"),
        role="organiser",
        status="approved",
    )
    db.session.add_all([organiser, *people.values()])
    db.session.commit()
    slot = {event.local(s.start).strftime("%H:%M"): s for s in event.slots}
    table = {t.name: t for t in event.tables}
    for first, second, at, where in [
        ("Aiko", "Ben", "09:00", "T01"),
        ("Aiko", "Chloé", "09:30", "T01"),
        ("Aiko", "Eva", "11:00", "T02"),
        ("Dmitri", "Femi", "14:00", "T02"),
    ]:
        meeting = Meeting(event_id=event.id, participants=[people[first], people[second]])
        db.session.add(meeting)
        db.session.commit()
        operations.move_meeting(event, meeting, slot[at], table[where])
    operations.publish(event, "final")
    for name in ("Ben", "Dmitri", "Eva"):
        check_in(event, people[name], organiser.account, CheckInMethod.DESK)


@pytest.fixture
def server(tmp_path, database_url) -> Iterator[tuple[str, object]]:
    settings = {
        "TESTING": True,
        "HUEY_URL": f"sqlite://{tmp_path / 'queue.db'}",
        "CLOCK": lambda: tokyo("08:50"),
    }
    with app_for(database_url, settings, tables=True, instance_path=tmp_path / "instance") as app:
        with app.app_context():
            _seed()
        with serving(app, consumer=True) as base:
            yield base, app


def _set_clock(app, hh_mm: str) -> None:
    instant = tokyo(hh_mm)
    app.config["CLOCK"] = lambda: instant


def _aikos(app, base: str) -> tuple[str, str]:
    """Aiko's check-in URL, and the UID of her meeting with Chloé."""
    with app.test_request_context(base_url=base):
        aiko = db.session.execute(
            db.select(Participant).join(Participant.account).filter_by(email="aiko@example.org")
        ).scalar_one()
        url = check_in_url(aiko)
        chloe = next(
            m
            for m in db.session.execute(db.select(Meeting)).scalars()
            if {p.name for p in m.participants} == {"Aiko Sato", "Chloé Martin"}
        )
        return url, chloe.uid


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _event_entry(calendar: str, uid: str) -> str:
    unfolded = calendar.replace("\r\n ", "")
    return next(
        block
        for block in re.findall(r"BEGIN:VEVENT.*?END:VEVENT", unfolded, re.S)
        if f"UID:{uid}" in block
    )


def test_check_in_no_show_replan_and_the_new_agenda(server, browser) -> None:
    base, app = server
    check_in_link, uid = _aikos(app, base)

    # 09:40, Aiko on her phone: she is in her meeting with Chloé, who has not come.
    _set_clock(app, "09:40")
    aiko = browser.new_context(viewport={"width": 320, "height": 640}).new_page()
    aiko.goto(login_link(app, base, "aiko@example.org"))
    aiko.get_by_role("button", name="Log in").click()
    aiko.goto(f"{base}/e/osaka/agenda/")
    aiko.get_by_role("link", name="Today").click()
    expect(aiko.locator("#next")).to_contain_text("Now")
    expect(aiko.locator("#next")).to_contain_text("09:30–10:00")
    expect(aiko.locator("#next")).to_contain_text("Table T01")
    expect(aiko.locator("#next")).to_contain_text("Chloé Martin · Lyon Capital")
    expect(aiko.locator("#later")).to_contain_text("11:00–11:30")
    fits = aiko.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the Today page scrolls sideways at 320 px"
    _shot(aiko, "1-today-0940")
    before = aiko.request.get(f"{base}/e/osaka/agenda/agenda.ics").text()
    old_sequence = int(re.search(r"SEQUENCE:(\d+)", _event_entry(before, uid))[1])

    aiko.once("dialog", lambda dialog: dialog.accept())
    aiko.locator("#next").get_by_role("button", name="Mark as no-show").click()
    expect(aiko.locator(".flash-success")).to_contain_text("Marked as a no-show")
    expect(aiko.locator("#next")).to_contain_text("marked by Aiko Sato at 09:40")

    # Her printed agenda carries a QR code: it reads as her check-in URL.
    aiko.goto(f"{base}/e/osaka/agenda/print")
    [scanned] = read_qr_path(aiko.locator("svg.qr path").get_attribute("d"))
    assert scanned == check_in_link
    _shot(aiko, "1b-print")

    # 09:50 at the desk: the organiser's phone opens the URL the code holds; then Chloé, late,
    # is found by name.
    _set_clock(app, "09:50")
    olga = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    olga.goto(login_link(app, base, "olga@example.org"))
    olga.get_by_role("button", name="Log in").click()
    olga.goto(scanned)
    expect(olga.locator("h1")).to_have_text("Aiko Sato")
    _shot(olga, "2-scanned")
    olga.get_by_role("button", name="Check in").click()
    expect(olga.locator(".flash-success")).to_contain_text("Aiko Sato is checked in (09:50)")
    olga.get_by_label("Name, email or organisation").fill("chlo")
    olga.get_by_role("button", name="Search").click()
    olga.get_by_role("button", name="Check in Chloé Martin").click()
    expect(olga.locator(".flash-success")).to_contain_text("Chloé Martin is checked in (09:50)")
    expect(olga.locator("main")).to_contain_text("5 of 6 participants checked in")
    _shot(olga, "3-desk")

    # 10:05: the organiser re-plans the rest of the day; Femi never checked in.
    _set_clock(app, "10:05")
    olga.goto(f"{base}/e/osaka/schedule/")
    olga.locator("#replan").get_by_label("Time limit (seconds)").fill("5")
    olga.get_by_label("Release the meetings of people not checked in by").fill("10:00")
    olga.get_by_role("button", name="Re-plan from now").click()
    expect(olga.get_by_role("heading", name="Draft result")).to_be_visible(timeout=60_000)
    expect(olga.locator("#replan-note")).to_contain_text("from Thu 24 Jan 2030, 10:05")
    expect(olga.locator("#replan-note")).to_contain_text("not checked in by 10:00")
    _shot(olga, "4-replan-draft")
    olga.get_by_role("button", name="Apply this schedule").click()
    expect(olga.locator("#job-result")).to_contain_text("Applied: 2 meetings", timeout=60_000)
    olga.goto(f"{base}/e/osaka/schedule/")
    olga.get_by_label("Publish as").select_option("final")
    olga.get_by_role("button", name="Publish schedule").click()
    # The confirm page says what will be sent; nothing is sent before the confirm.
    confirm = olga.locator("#confirm-publish")
    expect(confirm).to_contain_text("Publish as final and send")
    confirm.click()
    expect(olga.locator("#publication-result")).to_contain_text(
        "Published as final", timeout=60_000
    )

    # Aiko's Today page and calendar show her meeting with Chloé in its new place.
    with app.app_context():
        meeting = db.session.execute(db.select(Meeting).filter_by(uid=uid)).scalar_one()
        assert meeting.slot is not None, "the no-show was not fitted in again"
        new_start = meeting.event.local(meeting.slot.start)
        new_table = meeting.table.name
    assert new_start > tokyo("10:05")
    aiko.goto(f"{base}/e/osaka/today")
    shown = aiko.locator("#next, #later").filter(has_text="Chloé Martin")
    expect(shown).to_contain_text(f"{new_start:%H:%M}–")
    expect(shown).to_contain_text(f"Table {new_table}")
    expect(aiko.locator("#earlier")).not_to_contain_text("Chloé Martin")
    _shot(aiko, "5-today-after")
    after = _event_entry(aiko.request.get(f"{base}/e/osaka/agenda/agenda.ics").text(), uid)
    assert int(re.search(r"SEQUENCE:(\d+)", after)[1]) > old_sequence
    assert f"DTSTART;TZID=Asia/Tokyo:{new_start:%Y%m%dT%H%M%S}" in after
