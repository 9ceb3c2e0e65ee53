import logging
import re

from partnering.auth.models import Account
from partnering.auth.operations import login_token
from partnering.extensions import db


def login_link_from(caplog):
    found = re.findall(r"http://localhost(/login/[^\s?]+)", caplog.text)
    assert found, caplog.text
    return found[-1]


def test_login_link_is_sent_and_works_once(client, create_event, create_participant, caplog):
    event = create_event()
    create_participant(event, name="Aiko Tanaka", email="aiko@example.jp")
    caplog.set_level(logging.INFO)
    response = client.post("/login", data={"email": "Aiko@Example.jp"})
    assert response.status_code == 302
    link = login_link_from(caplog)
    assert b"Log in as Aiko Tanaka" in client.get(link).data
    assert client.post(link).status_code == 302
    assert b"Aiko Tanaka" in client.get("/").data
    # The link is spent.
    client.post("/logout")
    again = client.post(link, follow_redirects=True)
    assert b"already used" in again.data


def test_unknown_email_reveals_nothing(client, caplog):
    caplog.set_level(logging.INFO)
    page = client.post("/login", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert b"If that address is registered" in page.data
    assert "/login/" not in caplog.text


def test_bad_email_is_shown_next_to_the_field(client):
    page = client.post("/login", data={"email": "not-an-email"})
    assert page.status_code == 200
    assert b'class="error"' in page.data


def test_tampered_link_is_refused(client, app, create_event, create_participant):
    event = create_event()
    participant = create_participant(event)
    token = login_token(db.session.get(Account, participant.account_id))
    page = client.get(f"/login/{token}x", follow_redirects=True)
    assert b"not valid" in page.data


def test_next_only_goes_to_this_site(client, create_event, create_participant):
    event = create_event()
    participant = create_participant(event)
    token = login_token(db.session.get(Account, participant.account_id))
    response = client.post(f"/login/{token}?next=https://evil.example/")
    assert response.headers["Location"] == "/"
