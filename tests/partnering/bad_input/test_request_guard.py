"""Bad input in the URL, the query or a form answers 400 or 404 with a page, never a 500: on
PostgreSQL (which refuses NUL in text) as on SQLite."""

from __future__ import annotations

from datetime import date, time

import pytest

from partnering.auth.operations import get_or_create_account
from partnering.events.operations import SessionSpec, add_sessions, add_tables, create_event
from partnering.extensions import db
from partnering.registrations.models import Participant
from tests.apps import QUIET, app_for
from tests.logins import log_in
from tests.partnering.registrations.test_register import FORM
from tests.production.conftest import fresh_postgres_database


@pytest.fixture
def pg_app():
    """The app on a fresh PostgreSQL database, with an event, a participant and an organiser."""
    with fresh_postgres_database() as url, app_for(url, QUIET, tables=True) as app:
        with app.app_context():
            event = create_event(slug="osaka", name="Osaka Day", timezone="Asia/Tokyo")
            add_sessions(event, [SessionSpec(date(2030, 1, 24), time(9), time(12))])
            add_tables(event, 2)
            for email, role in (("p@example.org", "participant"), ("o@example.org", "organiser")):
                account = get_or_create_account(email, email.split("@")[0])
                db.session.add(
                    Participant(event_id=event.id, account=account, role=role, status="approved")
                )
            db.session.commit()
        yield app


def _login(client, app, email):
    with app.app_context():
        account = get_or_create_account(email, "")
        account_id = account.id
    log_in(client, account_id)


def test_nul_anywhere_is_a_400_page_on_postgresql(pg_app):
    client = pg_app.test_client()
    assert client.post("/e/osaka/register", data=dict(FORM, name="Ev\0e")).status_code == 400
    assert client.get("/e/osa\0ka/register").status_code == 400
    assert client.get("/e/osaka/register?x=\0").status_code == 400
    _login(client, pg_app, "p@example.org")
    page = client.get("/e/osaka/people?q=\0")
    assert page.status_code == 400 and b"NUL" in page.data
    assert client.get("/e/osaka/people?country=a%00b").status_code == 400
    assert client.post("/e/osaka/profile", data=dict(FORM, offer="\0")).status_code == 400
    assert client.get("/e/osaka/people?q=curie").status_code == 200
    _login(client, pg_app, "o@example.org")
    assert client.get("/e/osaka/admin/participants?q=%00").status_code == 400


def test_huge_ids_and_pages_on_postgresql(pg_app):
    client = pg_app.test_client()
    _login(client, pg_app, "o@example.org")
    assert client.get("/e/osaka/people/99999999999999999999").status_code == 404
    assert client.get("/e/osaka/people?page=99999999999999999999").status_code == 200
    page = client.get("/e/osaka/admin/participants?page=99999999999999999999")
    assert page.status_code == 200
    response = client.post(
        "/e/osaka/admin/participants/decide",
        data={"ids": ["99999999999999999999", "²"], "decision": "approved"},
    )
    assert response.status_code == 302


def test_huge_page_and_odd_digits_on_sqlite(client, auth, create_event, create_participant):
    event = create_event()
    organiser = create_participant(event, role="organiser")
    auth.login(organiser)
    assert client.get("/e/osaka/people?page=99999999999999999999").status_code == 200
    assert client.get("/e/osaka/admin/participants?page=99999999999999999999").status_code == 200
    assert client.get(f"/e/osaka/people/{2**63}").status_code == 404
    response = client.post("/e/osaka/availability", data={"session": ["x"], "slot": ["²"]})
    assert response.status_code == 302


def test_a_five_thousand_word_search_uses_the_first_twenty(
    client, auth, create_event, create_participant
):
    event = create_event()
    viewer = create_participant(event)
    create_participant(event, name="Marie Curie")
    auth.login(viewer)
    words = " ".join(["curie"] * 5_000)
    page = client.get("/e/osaka/people", query_string={"q": words})
    assert page.status_code == 200
    assert b"Only the first 20 words of your search were used." in page.data
    assert b"Marie Curie" in page.data
    short = client.get("/e/osaka/people", query_string={"q": "marie curie"})
    assert b"Only the first" not in short.data and b"Marie Curie" in short.data
