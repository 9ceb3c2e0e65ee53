"""At 200 % zoom and at 320 CSS px, nothing is lost (WCAG 1.4.10 Reflow): the page never scrolls
sideways (only the grid scrolls, inside its own box), every name can be read whole, the event
menu wraps, and the stacked tables label each cell with its column, keeping their headers in
the browser's accessibility tree.

200 % zoom is a 1280×800 window zoomed in: a 640×400 CSS px viewport at device scale 2."""

from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.seeded_event import LONG_NAME, LONG_ORGANISATION, ORGANISER, serve_event

VIEWPORTS = {
    "200% zoom": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
    "320px wide": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 1},
}

# What overflows sideways: the page itself, and any scroll box but the grid's (data-sticky-start).
SIDEWAYS = """() => {
  const page = document.documentElement;
  const boxes = [...document.body.querySelectorAll('*')].filter(el => {
    const x = getComputedStyle(el).overflowX;
    return (x === 'auto' || x === 'scroll') && !el.matches('[data-sticky-start]')
      && el.scrollWidth > el.clientWidth + 1;
  });
  return {page: page.scrollWidth - page.clientWidth,
          boxes: boxes.map(el => el.tagName + '.' + el.className)};
}"""

# Where the text cannot be read whole: every rendered occurrence of `text` (visible text, not a
# screen reader's hidden words) must lie within the page's width and within each clipping
# ancestor (up to a scroll box, which can be scrolled).
CUT = """(text) => {
  const cut = []; let seen = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.data.includes(text) || !node.parentElement.getClientRects().length) continue;
    // Text for screen readers only (a button's hidden "… with <name>") is not for reading.
    if (node.parentElement.closest('.visually-hidden')) continue;
    seen++;
    const range = document.createRange(); range.selectNodeContents(node);
    const rects = [...range.getClientRects()];
    let scrollable = false;
    for (let el = node.parentElement; el !== document.documentElement; el = el.parentElement) {
      const style = getComputedStyle(el);
      if (style.overflowX === 'auto' || style.overflowX === 'scroll') { scrollable = true; break; }
      if (style.overflowX === 'visible') continue;
      const box = el.getBoundingClientRect();
      if (rects.some(r => r.left < box.left - 1 || r.right > box.right + 1))
        cut.push('clipped by ' + el.tagName + '.' + el.className);
    }
    const width = document.documentElement.clientWidth;
    if (!scrollable && rects.some(r => r.left < -1 || r.right > width + 1))
      cut.push('beyond the page: ' + node.parentElement.tagName);
  }
  return {seen, cut};
}"""

# Each stacked table: its column names, and the cells that do not show theirs.
STACKED = """() => [...document.querySelectorAll('table.stack')].map(table => {
  const headers = [...table.tHead.rows[0].cells].flatMap(
    th => Array(th.colSpan).fill(th.textContent.trim()));
  let labelled = 0; const unlabelled = [];
  for (const row of [...table.tBodies].flatMap(body => [...body.rows])) {
    let column = 0;
    for (const cell of row.cells) {
      const header = headers[column]; column += cell.colSpan;
      if (!header || !cell.textContent.trim() || !cell.getClientRects().length) continue;
      const shown = getComputedStyle(cell, '::before');
      if (shown.display !== 'none' && shown.content === JSON.stringify(header + ': ')) labelled++;
      else unlabelled.push(header + ' / ' + cell.textContent.trim().slice(0, 40));
    }
  }
  return {headers: headers.filter(Boolean), labelled, unlabelled};
})"""

MENU_OUT_OF_SIGHT = """() => [...document.querySelectorAll('.subnav a')].filter(a => {
  const r = a.getBoundingClientRect();
  return r.left < 0 || r.right > document.documentElement.clientWidth;
}).map(a => a.textContent.trim())"""


def _log_in(browser: Browser, event, email: str, size: str) -> Page:
    page = browser.new_context(**VIEWPORTS[size]).new_page()
    page.goto(event.login_link(email))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def _column_headers_in_accessibility_tree(page: Page) -> Counter:
    """The names of the column headers as Chromium exposes them to screen readers."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return Counter(
        node.get("name", {}).get("value", "")
        for node in nodes
        if not node.get("ignored") and node.get("role", {}).get("value") == "columnheader"
    )


def _check_page(page: Page, url: str, *, names: list[str], stacked_tables: int) -> None:
    page.goto(url)
    where = f"{url} at {page.viewport_size}"
    sideways = page.evaluate(SIDEWAYS)
    assert sideways == {"page": 0, "boxes": []}, f"{where} scrolls sideways: {sideways}"
    assert page.evaluate(MENU_OUT_OF_SIGHT) == [], f"{where}: menu links out of sight"
    for name in names:
        readable = page.evaluate(CUT, name)
        assert readable["seen"], f"{where} does not show {name!r}"
        assert readable["cut"] == [], f"{where} cuts {name!r}: {readable['cut']}"
    tables = page.evaluate(STACKED)
    assert len(tables) == stacked_tables, f"{where}: {len(tables)} stacked tables"
    exposed = _column_headers_in_accessibility_tree(page)
    for table in tables:
        assert table["labelled"], f"{where}: a stacked table has no labelled cell: {table}"
        assert table["unlabelled"] == [], f"{where}: cells without their column's name: {table}"
        for header, count in Counter(table["headers"]).items():
            assert exposed[header] >= count, f"{where}: header {header!r} not exposed"


@pytest.fixture
def event(database_url, tmp_path):
    with serve_event(database_url, tmp_path, published=True) as served:
        yield served


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_participant_pages_reflow(event, browser, size) -> None:
    aiko = _log_in(browser, event, "aiko@example.org", size)
    _check_page(aiko, event.url("/agenda/"), names=[LONG_NAME, LONG_ORGANISATION], stacked_tables=0)
    _check_page(aiko, event.url("/people"), names=[LONG_NAME, LONG_ORGANISATION], stacked_tables=0)

    gina = _log_in(browser, event, "gina@example.org", size)
    gina.goto(event.url("/people"))
    request_form = gina.get_by_role("link", name=LONG_NAME).get_attribute("href")
    request_form = request_form.replace("/people/", "/meetings/request/")
    _check_page(gina, event.base_url + request_form, names=[LONG_NAME], stacked_tables=0)
    assert gina.get_by_role("button", name="Send request").is_visible()

    # Agreed meetings and the history of requests: two stacked tables.
    dmitri = _log_in(browser, event, "dmitri@example.org", size)
    _check_page(dmitri, event.url("/meetings/"), names=["Eva Rossi"], stacked_tables=2)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_organiser_pages_reflow(event, browser, size) -> None:
    olga = _log_in(browser, event, ORGANISER, size)
    names = [LONG_NAME, LONG_ORGANISATION]
    _check_page(olga, event.url("/schedule/grid"), names=names, stacked_tables=0)
    _check_page(olga, event.url("/admin/participants"), names=names, stacked_tables=1)
    _check_page(olga, event.url("/outbox/"), names=["maxi@example.de"], stacked_tables=1)
    _check_page(olga, event.url("/schedule/"), names=[], stacked_tables=1)
    run = olga.get_by_role("link", name="Review").get_attribute("href")
    _check_page(olga, event.url("/schedule/unscheduled"), names=["Eva Rossi"], stacked_tables=1)
    # The draft run: its changes against the current schedule (the two unplaced meetings).
    _check_page(olga, event.base_url + run, names=["Eva Rossi"], stacked_tables=1)
