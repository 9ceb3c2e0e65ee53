"""The printouts fit A4 in Chromium: the schedule by day (landscape), the table sheets and a
participant's agenda (portrait) are laid out at print media on the printable width of their
paper, and no cell's content runs past its cell, with long names, organisations and many slots
and tables. The PDF Chromium prints is A4."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest

from partnering.auth.operations import get_or_create_account, login_url
from partnering.events.models import Publication
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Organisation, Participant
from tests.apps import app_for
from tests.servers import serving

MM = 96 / 25.4
"""CSS pixels per millimetre."""
MARGIN_MM = 14
"""The @page margin of print.css."""
PORTRAIT = round((210 - 2 * MARGIN_MM) * MM)
LANDSCAPE = round((297 - 2 * MARGIN_MM) * MM)

NAMES = [
    "Maximilian Alexander von Hohenzollern-Sigmaringen",
    "Anna-Katharina Oberstdorfer-Wittelsbach",
    "Nguyễn Thị Minh Khai",
    "Bartholomew Featherstonehaugh",
    "Siobhán Ní Dhubhghaill-O'Shaughnessy",
    "Jun Park",
]
ORGANISATIONS = [
    "Bundesministerium für Bildung und Forschung Projektträger",
    "Biopharmaceutical Manufacturing Excellence Consortium",
    "Kobe Bio",
]
TABLES = 14
PEOPLE = 3 * TABLES


def _seed() -> None:
    """Two days of two sessions (16 slots a day), 14 tables and a meeting at every table in 14
    slots of each day, between people with long names from long-named organisations."""
    event = create_event(
        slug="osaka",
        name="Osaka International Biotech Partnering Days",
        timezone="Asia/Tokyo",
        venue="Grand Front Osaka Congress Convention Centre",
    )
    add_sessions(
        event,
        [
            SessionSpec(day, start, end)
            for day in (date(2030, 1, 24), date(2030, 1, 25))
            for start, end in ((time(9), time(12, 30)), (time(13, 30), time(18)))
        ],
    )
    tables = add_tables(event, TABLES, seats=4)
    tables[0].name = "Booth Biopharmaceutical-Manufacturing"
    organisations = [Organisation(event_id=event.id, name=name) for name in ORGANISATIONS]
    people = []
    for n in range(PEOPLE):
        account = get_or_create_account(f"p{n}@example.org", f"{NAMES[n % len(NAMES)]} {n}")
        people.append(
            Participant(
                event_id=event.id,
                account=account,
                organisation=organisations[n % len(organisations)],
                status="approved",
            )
        )
    db.session.add_all(people)
    organiser = get_or_create_account("olga@example.org", "Olga Organiser")
    db.session.add(
        Participant(event_id=event.id, account=organiser, role="organiser", status="approved")
    )
    db.session.flush()
    now = datetime.now(UTC)
    hosts, day_one, day_two = (people[i * TABLES : (i + 1) * TABLES] for i in range(3))
    for day, guests in zip(event.days, (day_one, day_two), strict=True):
        slots = [slot for slot in event.slots if event.local(slot.start).date() == day]
        for k, slot in enumerate(slots[:TABLES]):
            # Every host meets somebody else at each slot; nobody is anywhere twice at once.
            for t, table in enumerate(tables):
                db.session.add(
                    Meeting(
                        event_id=event.id,
                        participants=[hosts[t], guests[(t + k) % TABLES]],
                        slot=slot,
                        table=table,
                        published_at=now,
                    )
                )
    event.schedule_state = Publication.FINAL
    db.session.commit()


@pytest.fixture
def server(tmp_path, database_url) -> Iterator[tuple[str, object]]:
    settings = {"TESTING": True, "HUEY_IMMEDIATE": True}
    with app_for(database_url, settings, tables=True, instance_path=tmp_path / "instance") as app:
        with app.app_context():
            _seed()
        with serving(app) as base:
            yield base, app


OVERFLOWING = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('article td, article th, article h1')) {
    if (cell.scrollWidth > cell.clientWidth + 1) out.push(cell.textContent.trim().slice(0, 60));
  }
  for (const table of document.querySelectorAll('article table')) {
    const sheet = table.closest('article');
    if (table.getBoundingClientRect().width > sheet.getBoundingClientRect().width + 1)
      out.push('table wider than its sheet');
  }
  return out;
}"""


@pytest.mark.parametrize(
    ("path", "width"),
    [
        ("/e/osaka/agenda/print/days", LANDSCAPE),
        ("/e/osaka/agenda/print/tables", PORTRAIT),
        ("/e/osaka/agenda/print/people/1", PORTRAIT),
    ],
    ids=["days", "tables", "agenda"],
)
def test_printouts_fit_a4(server, browser, path, width) -> None:
    base, app = server
    with app.test_request_context(base_url=base):
        link = login_url(get_or_create_account("olga@example.org", ""))
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Log in").click()
    page.emulate_media(media="print")
    page.goto(base + path)
    assert page.locator("article").count() >= 1
    assert page.evaluate(OVERFLOWING) == []
    # The sheets' own @page sizes (A4, A4 landscape for the days) are what Chromium prints.
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    boxes = {
        tuple(round(float(v)) for v in box.split()[2:])
        for box in re.findall(rb"/MediaBox \[([\d. ]+)\]", pdf)
    }
    assert boxes == {(842, 595) if width == LANDSCAPE else (595, 842)}
    context.close()
