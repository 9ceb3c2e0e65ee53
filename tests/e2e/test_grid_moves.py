"""In a real browser against a real server: the organiser picks a meeting on the grid, sees
where it may go (marked "✓ free", exactly the server's legal places), and moves one meeting by
drag and drop and another by keyboard; a drop the rules refuse says why. Each result is read
from the outside, on the meeting's own page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time

import pytest
from playwright.sync_api import Page, expect

from partnering.auth.operations import get_or_create_account, login_url
from partnering.events.models import Event
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from partnering.scheduling.grid import legal_cells
from tests.apps import app_for
from tests.servers import serving

PEOPLE = ["Aiko Sato", "Ben Okafor", "Chloé Martin", "Dmitri Ivanov", "Eva Rossi", "Femi Adeyemi"]
# (people, slot index, table index): slots 9:00, 9:30, ... 11:30; tables T01-T03.
PLACED = [((0, 1), 0, 0), ((0, 2), 1, 0), ((3, 4), 0, 1), ((4, 5), 2, 1)]
UNPLACED = [(1, 5)]  # Ben & Femi: agreed, not scheduled yet


def _seed() -> None:
    event = create_event(slug="osaka", name="Osaka Partnering Day", timezone="Asia/Tokyo")
    add_sessions(event, [SessionSpec(date(2030, 1, 24), time(9), time(12))])
    add_tables(event, 3, seats=4)
    people = [
        Participant(
            event_id=event.id,
            account=get_or_create_account(f"{name.split()[0].lower()}@example.org", name),
            status="approved",
        )
        for name in PEOPLE
    ]
    organiser = get_or_create_account("olga@example.org", "Olga Organiser")
    db.session.add(
        Participant(event_id=event.id, account=organiser, role="organiser", status="approved")
    )
    db.session.add_all(people)
    db.session.flush()
    for (x, y), slot, table in PLACED:
        db.session.add(
            Meeting(
                event_id=event.id,
                participants=[people[x], people[y]],
                slot=event.slots[slot],
                table=event.tables[table],
            )
        )
    for x, y in UNPLACED:
        db.session.add(Meeting(event_id=event.id, participants=[people[x], people[y]]))
    db.session.commit()


@pytest.fixture
def server(tmp_path, database_url) -> Iterator[tuple[str, object]]:
    settings = {"TESTING": True, "HUEY_URL": f"sqlite://{tmp_path / 'queue.db'}"}
    with app_for(database_url, settings, tables=True, instance_path=tmp_path / "instance") as app:
        with app.app_context():
            _seed()
        with serving(app) as base:
            yield base, app


def _meeting_of(app, first: str, second: str) -> int:
    with app.app_context():
        for meeting in db.session.execute(db.select(Meeting)).scalars():
            if {p.name for p in meeting.participants} == {first, second}:
                return meeting.id
    raise LookupError(first + " & " + second)


def _legal(app, meeting_id: int) -> set[tuple[str, str]]:
    with app.app_context():
        event = db.session.execute(db.select(Event)).scalar_one()
        found = legal_cells(event, db.session.get(Meeting, meeting_id))
        return {(str(s), str(t)) for s, t in found.cells}


def _marked(page: Page) -> set[tuple[str, str]]:
    cells = page.locator("td.legal")
    return {
        (cells.nth(i).get_attribute("data-slot"), cells.nth(i).get_attribute("data-table"))
        for i in range(cells.count())
    }


def _cell(page: Page, meeting_id: int):
    return page.locator(f'td[data-meeting="{meeting_id}"]')


def _place_of(app, meeting_id: int) -> tuple[str, str]:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return meeting.event.local(meeting.slot.start).strftime("%H:%M"), meeting.table.name


def test_move_by_drag_and_drop_and_by_keyboard(server, browser, tmp_path) -> None:
    base, app = server
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    with app.test_request_context(base_url=base):
        page.goto(login_url(get_or_create_account("olga@example.org", "")))
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/e/osaka/schedule/grid")

    # Drag: Aiko & Ben from 9:00 at T01 to 10:30 at T03.
    aiko_ben = _meeting_of(app, "Aiko Sato", "Ben Okafor")
    target = page.locator('td[data-label$="10:30, table T03"]')
    _cell(page, aiko_ben).drag_to(target)
    expect(page.locator(".flash-success")).to_contain_text("Moved")
    assert page.url.startswith(f"{base}/e/osaka/schedule/grid"), "the move returns to the grid"
    page.goto(f"{base}/e/osaka/schedule/meetings/{aiko_ben}")
    expect(page.locator("main")).to_contain_text("10:30–11:00 at Table T03")

    # A drop the rules refuse (Eva & Femi's table at 10:00) is refused, and says why.
    page.goto(f"{base}/e/osaka/schedule/grid")
    aiko_chloe = _meeting_of(app, "Aiko Sato", "Chloé Martin")
    eva_femi = _meeting_of(app, "Eva Rossi", "Femi Adeyemi")
    _cell(page, aiko_chloe).drag_to(_cell(page, eva_femi))
    expect(page.locator(".flash-error")).to_contain_text("Not changed. Table already taken")
    assert _place_of(app, aiko_chloe) == ("09:30", "T01")

    # Keyboard: Move on Dmitri & Eva, the places are marked, arrows walk them, Escape cancels.
    dmitri_eva = _meeting_of(app, "Dmitri Ivanov", "Eva Rossi")
    move = _cell(page, dmitri_eva).get_by_role("button", name="Move the meeting of")
    move.focus()
    page.keyboard.press("Enter")
    expect(page.locator("td.legal.cursor")).to_be_focused()
    expect(page.locator("#grid-status")).to_contain_text("Enter drops it there")
    assert _marked(page) == _legal(app, dmitri_eva)
    expect(page.locator("td.legal .drop-hint").first).to_have_text("✓ free")
    page.screenshot(path=str(tmp_path / "picked.png"), full_page=True)
    page.keyboard.press("Escape")
    expect(page.locator("td.legal")).to_have_count(0)
    expect(page.locator("#grid-status")).to_have_text("Move cancelled.")
    expect(move).to_be_focused()

    page.keyboard.press("Enter")
    expect(page.locator("td.legal.cursor")).to_be_focused()
    first = page.locator("td.cursor").get_attribute("data-label")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    chosen = page.locator("td.cursor")
    label = chosen.get_attribute("data-label")
    assert label != first, "the arrows moved the cursor"
    assert (chosen.get_attribute("data-slot"), chosen.get_attribute("data-table")) in _legal(
        app, dmitri_eva
    )
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Moved")
    page.goto(f"{base}/e/osaka/schedule/meetings/{dmitri_eva}")
    when, table = label.rsplit(", table ", 1)
    expect(page.locator("main")).to_contain_text(f"{when[-5:]}–")
    expect(page.locator("main")).to_contain_text(f"at Table {table}")
    assert _place_of(app, dmitri_eva) == (when[-5:], table)


def test_an_unscheduled_meeting_is_placed_from_its_page_by_keyboard(server, browser) -> None:
    base, app = server
    page = browser.new_context().new_page()
    with app.test_request_context(base_url=base):
        page.goto(login_url(get_or_create_account("olga@example.org", "")))
    page.get_by_role("button", name="Log in").click()
    ben_femi = _meeting_of(app, "Ben Okafor", "Femi Adeyemi")
    page.goto(f"{base}/e/osaka/schedule/meetings/{ben_femi}")
    expect(page.locator("main")).to_contain_text("Not scheduled yet")
    page.get_by_role("link", name="pick it on the grid").click()
    cursor = page.locator("td.legal.cursor")
    expect(cursor).to_be_focused()
    assert _marked(page) == _legal(app, ben_femi)
    label = cursor.get_attribute("data-label")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Moved")
    page.goto(f"{base}/e/osaka/schedule/meetings/{ben_femi}")
    when, table = label.rsplit(", table ", 1)
    expect(page.locator("main")).to_contain_text(f"{when[-5:]}–")
    assert _place_of(app, ben_femi) == (when[-5:], table)
