import logging
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy

from partnering.auth.models import Account
from partnering.auth.operations import login_token
from partnering.events.models import Event
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage


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


def emails_to(address):
    rows = db.session.execute(db.select(OutboxMessage).filter_by(recipient=address)).scalars()
    return [message_from_bytes(row.raw, policy=policy.default) for row in rows]


def body(message):
    return message.get_body(("plain",)).get_content()


def test_known_and_unknown_addresses_get_the_same_answer_and_one_email_each(
    client, create_event, create_participant
):
    create_event(slug="osaka", name="Osaka Partnering Day")
    create_event(
        slug="past", name="Last Year", registration_deadline=datetime(2020, 1, 1, tzinfo=UTC)
    )
    create_participant(db.session.get(Event, 1), name="Aiko Tanaka", email="aiko@example.jp")

    def answer(email):
        response = client.post("/login?next=/e/osaka/", data={"email": email})
        page = client.get(response.headers["Location"])
        return response.status_code, response.headers["Location"], page.status_code, page.data

    known, unknown = answer("Aiko@Example.jp"), answer("nobody@example.org")
    assert known == unknown
    assert b"Check your inbox" in known[3]

    [link_email] = emails_to("aiko@example.jp")
    assert link_email["Subject"] == "Your login link"
    assert "http://localhost/login/" in body(link_email)
    [note] = emails_to("nobody@example.org")
    assert note["Subject"] == "Your login link request"
    text = body(note)
    assert "no account" in text and "/login/" not in text
    # Where to register instead: the events open for registration, not the closed one.
    assert "Osaka Partnering Day: http://localhost/e/osaka/register" in text
    assert "Last Year" not in text


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
