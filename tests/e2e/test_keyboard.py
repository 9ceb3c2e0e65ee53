"""By keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys and typing; no click, no fill):
a participant sends a meeting request; the organiser moves a meeting from the grid and
publishes. At every step the focused element is on screen and not covered by anything, such
as the grid's sticky "Table" column."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from partnering.events.models import Table
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from tests.e2e.seeded_event import LONG_NAME, ORGANISER, PLACED, ServedEvent, serve_event

DESKTOP = {"viewport": {"width": 1280, "height": 720}}
ZOOM_200 = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}

# After the next frame (the page may adjust its scrolling on focus): is the focused element in
# the viewport, and is it what the viewport shows at its centre?
FOCUS_SEEN = """async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const el = document.activeElement;
  if (!el || el === document.body) return 'nothing has focus';
  const what = el.tagName + ' "' + (el.getAttribute('aria-label') || el.textContent).trim()
    .replace(/\\s+/g, ' ').slice(0, 60) + '"';
  const box = el.getClientRects()[0];
  if (!box || !box.width || !box.height) return what + ' has no box';
  // (a pixel of slack: browsers scroll to whole pixels, boxes have fractions)
  if (box.left < -1 || box.top < -1 || box.right > innerWidth + 1 || box.bottom > innerHeight + 1)
    return what + ' is outside the viewport: ' + JSON.stringify(box);
  const seen = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  if (!seen || !(seen === el || el.contains(seen)))
    return what + ' is covered by ' + (seen ? seen.tagName + '.' + seen.className : 'nothing');
  return null;
}"""

# The names (and organisations) of a grid meeting that do not fit their line.
NAMES_CUT = """link => [...link.querySelectorAll('.who, .org')]
  .filter(name => name.scrollWidth > name.clientWidth + 1).map(name => name.textContent)"""


def press(page: Page, key: str) -> None:
    page.keyboard.press(key)
    problem = page.evaluate(FOCUS_SEEN)
    assert problem is None, f"after {key} on {page.url}: {problem}"


def has_focus(target: Locator) -> bool:
    return target.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 200) -> None:
    """Tab (or Shift+Tab) until the target has focus, checking each stop on the way."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        press(page, key)
        if has_focus(target):
            return
    raise AssertionError(f"{limit} × {key} on {page.url} never reached {target}")


def follow(page: Page, key: str = "Enter") -> None:
    """Press a key that loads another page, and wait for it."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def log_in(browser: Browser, event: ServedEvent, email: str, size: dict) -> Page:
    page = browser.new_context(**size).new_page()
    page.goto(event.login_link(email))
    tab_to(page, page.get_by_role("button", name="Log in"))
    follow(page)
    expect(page.locator(".flash-success")).to_contain_text("Welcome")
    return page


@pytest.fixture
def unpublished(database_url, tmp_path) -> Iterator[ServedEvent]:
    with serve_event(database_url, tmp_path, published=False) as served:
        yield served


def test_send_a_meeting_request_by_keyboard(unpublished, browser) -> None:
    event = unpublished
    gina = log_in(browser, event, "gina@example.org", DESKTOP)
    gina.goto(event.url("/"))
    tab_to(
        gina, gina.get_by_role("navigation", name="Event").get_by_role("link", name="Participants")
    )
    follow(gina)
    tab_to(gina, gina.get_by_role("link", name=LONG_NAME))
    follow(gina)
    tab_to(gina, gina.get_by_role("link", name="Request a meeting"))
    follow(gina)

    # Into the radio group, then the arrow keys choose.
    must_meet = gina.get_by_role("radio", name="Must meet")
    tab_to(gina, gina.get_by_role("radio").first)
    for _ in range(5):
        if must_meet.is_checked():
            break
        press(gina, "ArrowRight")
    expect(must_meet).to_be_checked()
    tab_to(gina, gina.get_by_label("Message"))
    gina.keyboard.type("Your cell lines and our vaccines: shall we talk?")
    tab_to(gina, gina.get_by_role("button", name="Send request"))
    follow(gina)
    expect(gina.locator(".flash-success")).to_contain_text(f"on its way to {LONG_NAME}")

    with event.app.app_context():
        sent = db.session.execute(db.select(MeetingRequest).filter_by(priority=2)).scalar_one()
        assert sent.sender.name == "Gina Novak" and sent.recipient.name == LONG_NAME
        assert sent.message == "Your cell lines and our vaccines: shall we talk?"


@pytest.mark.parametrize("size", [DESKTOP, ZOOM_200], ids=["desktop", "200% zoom"])
def test_shift_tab_through_the_grid_keeps_each_meeting_clear_of_the_table_column(
    unpublished, browser, size
) -> None:
    olga = log_in(browser, unpublished, ORGANISER, size)
    olga.goto(unpublished.url("/schedule/grid"))
    row = olga.locator("table.schedule-grid tbody tr").first
    meetings = row.locator("td.cell a")
    expect(meetings).to_have_count(PLACED)
    tab_to(olga, meetings.last)
    scrolled = olga.locator(".grid-wrap").evaluate("box => box.scrollLeft")
    assert scrolled > 0, "the grid is wide enough to scroll at this size"
    move_buttons = row.locator("td.cell button[data-pick]")
    expect(move_buttons).to_have_count(PLACED)
    for index in range(PLACED - 2, -1, -1):
        # Each meeting's link, then its Move button; FOCUS_SEEN: the sticky column covers neither.
        press(olga, "Shift+Tab")
        assert has_focus(move_buttons.nth(index)), f"Shift+Tab went to Move of {index + 1}"
        press(olga, "Shift+Tab")
        assert has_focus(meetings.nth(index)), f"Shift+Tab went to meeting {index + 1}"
        # Focused, its names show whole (not cut to "…"): no mouse tooltip needed.
        assert meetings.nth(index).evaluate(NAMES_CUT) == [], f"meeting {index + 1}"
    press(olga, "Shift+Tab")  # then the grid's scroll box itself, named
    expect(olga.get_by_role("region", name="Schedule grid, Thu 24 Jan")).to_be_focused()


def test_an_empty_grid_scrolls_by_keyboard(unpublished, browser) -> None:
    with unpublished.app.app_context():
        for meeting in db.session.scalars(db.select(Meeting)):
            meeting.slot_id = meeting.table_id = None
        db.session.commit()
    olga = log_in(browser, unpublished, ORGANISER, ZOOM_200)
    olga.goto(unpublished.url("/schedule/grid"))
    grid = olga.get_by_role("region", name="Schedule grid, Thu 24 Jan")
    expect(grid.locator("td.cell a")).to_have_count(0)
    tab_to(olga, grid)
    scrolled = -1
    for _ in range(100):  # the arrow key scrolls the focused box until its end
        press(olga, "ArrowRight")
        scrolled, before = grid.evaluate("box => box.scrollLeft"), scrolled
        if scrolled == before:
            break
    assert scrolled > 0
    last_slot = olga.locator("table.schedule-grid thead th").last
    expect(last_slot).to_have_text("16:30")
    assert last_slot.evaluate(
        """th => { const box = th.closest('.grid-wrap').getBoundingClientRect(),
                   r = th.getBoundingClientRect();
                   return r.left >= box.left && r.right <= box.right; }"""
    ), "the arrow keys do not bring the last slot into the grid's box"


def test_move_a_meeting_and_publish_by_keyboard(unpublished, browser) -> None:
    event = unpublished
    olga = log_in(browser, event, ORGANISER, DESKTOP)
    olga.goto(event.url("/"))
    tab_to(olga, olga.get_by_role("navigation", name="Event").get_by_role("link", name="Schedule"))
    follow(olga)
    tab_to(olga, olga.get_by_role("navigation", name="Schedule").get_by_role("link", name="Grid"))
    follow(olga)

    # The first meeting of table T01, at 09:00: Aiko Sato and the long name.
    first = olga.locator("table.schedule-grid tbody tr").first.locator("td.cell a").first
    expect(first).to_contain_text(LONG_NAME)
    tab_to(olga, first)
    follow(olga)
    expect(olga.get_by_role("heading", level=1)).to_have_text(f"Aiko Sato & {LONG_NAME}")

    # Same time, next table: the Move form's table list, one step down.
    move = olga.locator("form", has=olga.get_by_role("button", name="Move here"))
    table = move.get_by_label("Table")
    expect(table).to_have_value(str(_table_id(event, "T01")))
    tab_to(olga, table)
    press(olga, "ArrowDown")
    expect(table).to_have_value(str(_table_id(event, "T02")))
    tab_to(olga, move.get_by_role("button", name="Move here"))
    follow(olga)
    expect(olga.locator(".flash-success")).to_contain_text("Moved")
    with event.app.app_context():
        moved = db.session.execute(
            db.select(Meeting).where(Meeting.table_id == _table_id(event, "T02"))
        ).scalar_one()
        assert {p.name for p in moved.participants} == {"Aiko Sato", LONG_NAME}
        assert moved.locked

    tab_to(
        olga, olga.get_by_role("navigation", name="Schedule").get_by_role("link", name="Overview")
    )
    follow(olga)
    publish_as = olga.get_by_label("Publish as")
    tab_to(olga, publish_as)
    press(olga, "ArrowDown")
    expect(publish_as).to_have_value("final")
    press(olga, "ArrowUp")
    expect(publish_as).to_have_value("preliminary")
    tab_to(olga, olga.get_by_role("button", name="Publish schedule"))
    follow(olga, "Space")
    # The confirm page says who will be told what; nothing is sent before its button.
    tab_to(olga, olga.get_by_role("button", name="Publish as preliminary and send"))
    follow(olga)
    expect(olga.locator("#publication-result")).to_contain_text("Published as preliminary")
    expect(olga.locator("#publication-result")).to_contain_text(
        f"{PLACED} meetings newly published"
    )


def _table_id(event: ServedEvent, name: str) -> int:
    with event.app.app_context():
        return db.session.execute(db.select(Table.id).filter_by(name=name)).scalar_one()
