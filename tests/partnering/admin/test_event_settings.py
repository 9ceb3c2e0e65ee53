from datetime import UTC, datetime

import pytest

from partnering.auth.operations import get_or_create_account
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.registrations.models import Participant
from tests.apps import QUIET, app_for
from tests.logins import log_in

NEW_EVENT = {
    "name": "Kobe Biotech Day",
    "slug": "kobe-2030",
    "venue": "Kobe Convention Center",
    "timezone": "Asia/Tokyo",
    "slot_minutes": "30",
    "sessions_text": "2030-03-05 09:00-12:30\n2030-03-05 14:00-18:00",
    "registration_deadline": "2030-02-20T18:00",
    "max_meetings": "12",
    "topics_text": "Oncology\nDiagnostics",
    "table_count": "5",
    "table_seats": "4",
}


def settings_of(event, **changes):
    data = {
        "name": event.name,
        "venue": event.venue,
        "timezone": event.timezone,
        "slot_minutes": str(event.slot_minutes),
        "sessions_text": "\n".join(
            f"{s.day} {s.start:%H:%M}-{s.end:%H:%M}" for s in event.sessions
        ),
        "topics_text": event.topics_text,
    }
    data.update(changes)
    return data


def event_by_slug(slug):
    db.session.expire_all()
    return db.session.execute(db.select(Event).filter_by(slug=slug)).scalar_one_or_none()


def test_site_admin_creates_an_event_and_becomes_its_organiser(client, auth, site_admin):
    auth.login(site_admin)
    response = client.post("/events/new", data=NEW_EVENT)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/e/kobe-2030/admin/")
    event = event_by_slug("kobe-2030")
    assert event.timezone == "Asia/Tokyo" and event.max_meetings == 12
    assert event.topics == ["Oncology", "Diagnostics"]
    assert len(event.slots) == 7 + 8
    assert [t.name for t in event.tables] == ["T01", "T02", "T03", "T04", "T05"]
    assert event.local(event.slots[0].start).strftime("%Y-%m-%d %H:%M") == "2030-03-05 09:00"
    # Deadlines are entered in the event's local time: 18:00 in Tokyo is 09:00 UTC.
    assert event.registration_deadline == datetime(2030, 2, 20, 9, 0, tzinfo=UTC)
    organiser = db.session.execute(db.select(Participant).filter_by(event_id=event.id)).scalar_one()
    assert organiser.account_id == site_admin.id and organiser.is_organiser
    assert organiser.is_approved


def test_only_site_admins_create_events(client, auth, organiser):
    auth.login(organiser)
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data=NEW_EVENT).status_code == 403
    assert event_by_slug("kobe-2030") is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/events/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_taken_slug_is_shown_next_to_the_field(client, auth, site_admin, create_event):
    create_event(slug="kobe-2030")
    auth.login(site_admin)
    page = client.post("/events/new", data=NEW_EVENT)
    assert page.status_code == 200
    assert b"/e/kobe-2030/ is taken" in page.data


def test_bad_session_lines_are_named_and_nothing_is_created(client, auth, site_admin):
    auth.login(site_admin)
    data = dict(NEW_EVENT, sessions_text="2030-03-05 09:00-12:30\n5 March 9 to 12\n")
    page = client.post("/events/new", data=data)
    assert page.status_code == 200
    assert b"Line 2: &#34;5 March 9 to 12&#34; is not like" in page.data
    assert event_by_slug("kobe-2030") is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus", b"Not a valid choice"),
        ("slug", "Kobe 2030", b"Lower-case letters, digits and dashes"),
        ("slot_minutes", "300", b"Number must be between 5 and 240"),
        ("sessions_text", "2030-03-05 09:00-09:20", b"Too short for one 30-minute meeting"),
        ("sessions_text", "2030-03-05 09:00-12:00\n2030-03-05 11:00-13:00", b"Line 2: overlaps"),
    ],
)
def test_invalid_settings_are_refused_next_to_the_field(
    client, auth, site_admin, field, value, message
):
    auth.login(site_admin)
    page = client.post("/events/new", data=dict(NEW_EVENT, **{field: value}))
    assert page.status_code == 200
    assert message in page.data
    assert event_by_slug("kobe-2030") is None


def test_settings_page_shows_the_current_settings_in_local_time(client, as_organiser):
    event = as_organiser.event
    event.request_deadline = datetime(2030, 1, 20, 9, 0, tzinfo=UTC)
    db.session.commit()
    page = client.get("/e/osaka/admin/settings")
    assert page.status_code == 200
    assert b"2030-01-24 09:00-12:00\n2030-01-24 14:00-17:00" in page.data
    assert b'value="2030-01-20T18:00"' in page.data  # 09:00 UTC is 18:00 in Tokyo


def test_edit_keeps_existing_slots_and_adds_new_ones(client, as_organiser):
    event = as_organiser.event
    first_slot_id = event.slots[0].id
    data = settings_of(
        event,
        name="Osaka Day (revised)",
        sessions_text="2030-01-24 09:00-12:00\n2030-01-24 14:00-17:00\n2030-01-25 09:00-10:00",
        max_pending_requests="5",
    )
    response = client.post("/e/osaka/admin/settings", data=data)
    assert response.status_code == 302
    event = event_by_slug("osaka")
    assert event.name == "Osaka Day (revised)" and event.max_pending_requests == 5
    assert len(event.slots) == 14
    assert event.slots[0].id == first_slot_id


def test_edit_that_would_drop_a_meeting_is_refused(client, as_organiser, create_participant):
    event = as_organiser.event
    a = create_participant(event, name="Aiko Tanaka")
    b = create_participant(event, name="Bruno Costa")
    afternoon = next(s for s in event.slots if event.local(s.start).hour == 15)
    db.session.add(
        Meeting(event_id=event.id, participants=[a, b], slot=afternoon, table=event.tables[0])
    )
    db.session.commit()
    data = settings_of(event, name="Renamed", sessions_text="2030-01-24 09:00-12:00")
    page = client.post("/e/osaka/admin/settings", data=data, follow_redirects=True)
    assert b"Aiko Tanaka &amp; Bruno Costa (Thu 24 Jan 15:00, Table T01)" in page.data
    event = event_by_slug("osaka")
    assert event.name == "Osaka Partnering Day"
    assert len(event.slots) == 12


def test_participants_cannot_see_or_change_settings(client, auth, create_event, create_participant):
    event = create_event()
    auth.login(create_participant(event))
    assert client.get("/e/osaka/admin/settings").status_code == 403
    data = settings_of(event, name="Hijacked")
    assert client.post("/e/osaka/admin/settings", data=data).status_code == 403
    assert event_by_slug("osaka").name == "Osaka Partnering Day"


def test_site_admins_may_edit_any_event(client, auth, site_admin, create_event):
    create_event()
    auth.login(site_admin)
    assert client.get("/e/osaka/admin/settings").status_code == 200


def test_tables_are_edited_and_added(client, as_organiser):
    event = as_organiser.event
    t1, t2, t3, t4 = event.tables
    data = {
        "tables-0-id": t1.id,
        "tables-0-name": "Booth A",
        "tables-0-seats": "6",
        "tables-1-id": t2.id,
        "tables-1-name": "T02",
        "tables-1-hidden": "y",
        "tables-2-id": t3.id,
        "tables-2-name": "T03",
        "tables-2-remove": "y",
        "tables-3-id": t4.id,
        "tables-3-name": "T04",
        "add_count": "2",
        "add_seats": "2",
    }
    assert client.post("/e/osaka/admin/tables", data=data).status_code == 302
    event = event_by_slug("osaka")
    assert [(t.name, t.seats, t.hidden) for t in event.tables] == [
        ("Booth A", 6, False),
        ("T02", None, True),
        ("T04", None, False),
        ("T05", 2, False),
        ("T06", 2, False),
    ]


def test_removing_a_table_with_a_meeting_is_refused_on_the_page(
    client, as_organiser, create_participant
):
    event = as_organiser.event
    a = create_participant(event, name="Aiko Tanaka")
    b = create_participant(event, name="Bruno Costa")
    table = event.tables[0]
    db.session.add(
        Meeting(event_id=event.id, participants=[a, b], slot=event.slots[0], table=table)
    )
    db.session.commit()
    data = {"tables-0-id": table.id, "tables-0-name": "T01", "tables-0-remove": "y"}
    page = client.post("/e/osaka/admin/tables", data=data, follow_redirects=True)
    assert b"Aiko Tanaka &amp; Bruno Costa" in page.data
    assert len(event_by_slug("osaka").tables) == 4


def test_tables_page_lists_tables(client, as_organiser):
    page = client.get("/e/osaka/admin/tables")
    assert page.status_code == 200 and b'value="T04"' in page.data


def test_settings_form_without_csrf_token_is_refused(database_url):
    with app_for(database_url, {**QUIET, "WTF_CSRF_ENABLED": True}, tables=True) as app:
        with app.app_context():
            account = get_or_create_account("admin@example.org", "Ada Admin")
            account.is_admin = True
            db.session.commit()
            account_id = account.id
        client = app.test_client()
        log_in(client, account_id)
        response = client.post("/events/new", data=NEW_EVENT)
        assert response.status_code == 400
        with app.app_context():
            assert db.session.execute(db.select(Event)).first() is None
