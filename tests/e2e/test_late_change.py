"""A late change in a real browser, against a real server and job consumer: after publishing,
a participant unticks slots holding meetings and keeps one, frees another (its other side is
emailed); a conflict is also made behind the app's back, as a restored backup would; the
organiser's next run names it, is applied and published, and both calendars of the conflicting
meeting get the update with a higher SEQUENCE."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Browser, Page, expect

from partnering.auth.operations import get_or_create_account
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.outbox.models import OutboxMessage
from partnering.registrations.models import Organisation, Participant, unavailable_slot
from tests.apps import app_for
from tests.logins import login_link
from tests.servers import serving

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/late-change"))
PEOPLE = [
    ("Aiko Sato", "Kobe Bio", "aiko@example.org"),
    ("Ben Okafor", "Lagos Pharma", "ben@example.org"),
    ("Chloé Martin", "Lyon Capital", "chloe@example.org"),
    ("Dmitri Ivanov", "Kobe Bio", "dmitri@example.org"),
]


def _seed() -> None:
    event = create_event(slug="osaka", name="Osaka Partnering Day", timezone="Asia/Tokyo")
    add_sessions(event, [SessionSpec(date(2030, 1, 24), time(9), time(12))])
    add_tables(event, 2, seats=4)
    organisations: dict[str, Organisation] = {}
    people = []
    for name, org, address in PEOPLE:
        organisation = organisations.setdefault(org, Organisation(event_id=event.id, name=org))
        account = get_or_create_account(address, name)
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
    aiko, ben, chloe, dmitri = people
    for pair in [(aiko, ben), (aiko, chloe), (ben, chloe), (chloe, dmitri)]:
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


def _logged_in(browser: Browser, app, base: str, email: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(login_link(app, base, email))
    page.get_by_role("button", name="Log in").click()
    return page


def _run_apply_publish(page: Page, base: str, shot: str) -> str:
    """Run, apply and publish as final through the pages; returns the run page's address."""
    page.goto(f"{base}/e/osaka/schedule/")
    # the run's own field: once published, the re-plan card has a time limit too
    page.locator("#time_limit").fill("5")
    page.get_by_role("button", name="Run scheduler").click()
    expect(page.get_by_role("heading", name="Draft result")).to_be_visible(timeout=60_000)
    page.screenshot(path=SHOTS / f"{shot}.png", full_page=True)
    run_url = page.url
    page.get_by_role("button", name="Apply this schedule").click()
    expect(page.locator("#job-result")).to_contain_text("Applied", timeout=60_000)
    page.goto(f"{base}/e/osaka/schedule/")
    page.get_by_label("Publish as").select_option("final")
    page.get_by_role("button", name="Publish schedule").click()
    # The confirm page says what will be sent; nothing is sent before the confirm.
    confirm = page.locator("#confirm-publish")
    expect(confirm).to_contain_text("Publish as final and send")
    confirm.click()
    expect(page.locator("#publication-result")).to_contain_text(
        "Published as final", timeout=60_000
    )
    return run_url


def _calendar(page: Page, base: str) -> dict[str, icalendar.cal.Component]:
    """The participant's .ics download, parsed: UID -> VEVENT."""
    answer = page.request.get(f"{base}/e/osaka/agenda/agenda.ics")
    assert answer.ok, answer.status
    calendar = icalendar.Calendar.from_ical(answer.body())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _meeting(app, *names: str) -> Meeting:
    with app.app_context():
        for meeting in db.session.execute(db.select(Meeting)).scalars():
            if sorted(p.name for p in meeting.participants) == sorted(names):
                db.session.expunge(meeting)
                return meeting
    raise AssertionError(f"no meeting of {names}")


def _untick(page: Page, base: str, slot_id: int) -> None:
    page.goto(f"{base}/e/osaka/availability")
    page.locator("details summary").first.click()
    page.locator(f'input[name="slot"][value="{slot_id}"]').uncheck()
    page.get_by_role("button", name="Save my availability").click()


def test_late_changes_keep_free_and_a_repaired_conflict_reach_the_calendars(
    server, browser
) -> None:
    base, app = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    olga = _logged_in(browser, app, base, "olga@example.org")
    _run_apply_publish(olga, base, "first-run")

    aiko = _logged_in(browser, app, base, "aiko@example.org")
    with_ben = _meeting(app, "Aiko Sato", "Ben Okafor")
    with_chloe = _meeting(app, "Aiko Sato", "Chloé Martin")
    assert with_ben.published_at is not None and with_chloe.published_at is not None

    # Keep: the meeting stays, the slot stays available for it.
    _untick(aiko, base, with_ben.slot_id)
    held = aiko.locator("#held-meetings")
    expect(held).to_contain_text("Ben Okafor")
    expect(held).to_contain_text("table")
    aiko.screenshot(path=SHOTS / "held-meeting.png", full_page=True)
    held.get_by_label("Keep this meeting").check()
    aiko.get_by_role("button", name="Save my availability").click()
    expect(aiko.locator(".flash-success").first).to_contain_text(
        "Kept: your meeting with Ben Okafor stays"
    )
    expect(aiko.locator(f'input[name="slot"][value="{with_ben.slot_id}"]')).to_be_checked()
    assert _meeting(app, "Aiko Sato", "Ben Okafor").slot_id == with_ben.slot_id

    # Free: the meeting goes back to unscheduled, and Chloé is emailed.
    _untick(aiko, base, with_chloe.slot_id)
    expect(aiko.locator("#held-meetings")).to_contain_text("Chloé Martin")
    aiko.locator("#held-meetings").get_by_label("Free it").check()
    aiko.get_by_role("button", name="Save my availability").click()
    expect(aiko.locator(".flash-success").first).to_contain_text(
        "Freed: your meeting with Chloé Martin"
    )
    assert _meeting(app, "Aiko Sato", "Chloé Martin").slot_id is None
    with app.app_context():
        told = db.session.execute(
            db.select(OutboxMessage.subject).filter_by(recipient="chloe@example.org", kind="cancel")
        ).scalars()
        assert any("Aiko Sato" in subject for subject in told), "Chloé was not emailed"

    # Behind the app's back, as a restored backup would: Ben can no longer meet when he and
    # Chloé meet.
    ben_chloe = _meeting(app, "Ben Okafor", "Chloé Martin")
    ben = _logged_in(browser, app, base, "ben@example.org")
    chloe = _logged_in(browser, app, base, "chloe@example.org")
    before = {
        who: int(_calendar(page, base)[ben_chloe.uid]["SEQUENCE"])
        for who, page in (("ben", ben), ("chloe", chloe))
    }
    with app.app_context():
        ben_id = db.session.execute(
            db.select(Participant.id).join(Participant.account).filter_by(email="ben@example.org")
        ).scalar_one()
        db.session.execute(
            unavailable_slot.insert().values(participant_id=ben_id, slot_id=ben_chloe.slot_id)
        )
        db.session.commit()

    # The schedule's overview flags it before any run.
    olga.goto(f"{base}/e/osaka/schedule/")
    expect(olga.locator("#schedule-conflicts")).to_contain_text("Ben Okafor is not available")
    olga.screenshot(path=SHOTS / "conflict-on-overview.png", full_page=True)

    # The run does not fail: it names the conflict first, in people's words.
    run_url = _run_apply_publish(olga, base, "repair-run")
    run_page = olga
    run_page.goto(run_url)  # the applied run still lists what it repaired
    conflicts = run_page.locator("#conflicts")
    expect(conflicts).to_contain_text("Participant not available")
    expect(conflicts).to_contain_text("Ben Okafor")
    expect(conflicts).to_contain_text("Chloé Martin")
    expect(conflicts).not_to_contain_text(ben_chloe.ref)
    run_page.screenshot(path=SHOTS / "conflict-on-run-page.png", full_page=True)

    moved = _meeting(app, "Ben Okafor", "Chloé Martin")
    assert moved.slot_id is not None and moved.slot_id != ben_chloe.slot_id
    for who, page in (("ben", ben), ("chloe", chloe)):
        entry = _calendar(page, base)[ben_chloe.uid]
        assert int(entry["SEQUENCE"]) > before[who], who
    with app.app_context():
        updates = db.session.execute(
            db.select(OutboxMessage.recipient).filter_by(kind="update")
        ).scalars()
        assert {"ben@example.org", "chloe@example.org"} <= set(updates)
