"""Per-login sessions, tested from the outside: cookies copied from a browser stop working when
it logs out, "log out everywhere" ends every browser's login, and a session value the app did
not make (old plain account ids, garbage) means an anonymous visitor, never an error."""

from __future__ import annotations

import logging
import re
from types import SimpleNamespace

import pytest
from flask_login.utils import encode_cookie

from partnering.auth.models import Account, LoginSession
from partnering.auth.operations import get_or_create_account
from partnering.events.operations import create_event
from partnering.extensions import db
from partnering.registrations.models import Participant

EMAIL = "aiko@example.jp"


@pytest.fixture
def aiko(app) -> int:
    """Aiko's account id: she takes part in one event and organises another."""
    with app.app_context():
        account = get_or_create_account(EMAIL, "Aiko Tanaka")
        for slug, name, role in (
            ("osaka", "Osaka Partnering Day", "participant"),
            ("kobe", "Kobe Biotech Day", "organiser"),
        ):
            event = create_event(slug=slug, name=name)
            db.session.add(Participant(event=event, account=account, role=role, status="approved"))
        db.session.commit()
        return account.id


def who(client) -> str | None:
    """The name in the page header, or None for an anonymous visitor."""
    page = client.get("/")
    assert page.status_code == 200
    found = re.search(r'class="muted who">([^<]*)<', page.get_data(as_text=True))
    return found.group(1) if found else None


def log_in_by_link(app, caplog):
    """A new browser that asks for a login link and uses it, as a person does."""
    client = app.test_client()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert client.post("/login", data={"email": EMAIL}).status_code == 302
    links = re.findall(r"http://localhost(/login/[^\s?]+)", caplog.text)
    assert len(links) == 1, caplog.text
    assert b"Log in as Aiko Tanaka" in client.get(links[0]).data
    assert client.post(links[0]).status_code == 302
    assert who(client) == "Aiko Tanaka"
    return client


def copy_of(app, client, *names: str):
    """Another browser holding copies of the client's cookies `names`."""
    copy = app.test_client()
    for name in names:
        copy.set_cookie(name, client.get_cookie(name).value)
    return copy


def open_sessions(app, account_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(db.func.count(LoginSession.id)).filter_by(account_id=account_id)
        )


def test_logout_ends_the_copied_session_and_remember_cookies(app, aiko, caplog):
    browser = log_in_by_link(app, caplog)
    # Before the logout, each copied cookie alone is a login (the copies are good ones).
    assert who(copy_of(app, browser, "session")) == "Aiko Tanaka"
    assert who(copy_of(app, browser, "remember_token")) == "Aiko Tanaka"
    session_copy = copy_of(app, browser, "session")
    remember_copy = copy_of(app, browser, "remember_token")
    both_copy = copy_of(app, browser, "session", "remember_token")
    assert open_sessions(app, aiko) == 1

    assert browser.post("/logout").status_code == 302
    assert who(browser) is None
    assert open_sessions(app, aiko) == 0
    for copy in (session_copy, remember_copy, both_copy):
        assert who(copy) is None
        assert copy.get("/account").status_code == 302  # to the login page


def test_logging_out_ends_only_that_browsers_login(app, aiko, caplog):
    first, second = log_in_by_link(app, caplog), log_in_by_link(app, caplog)
    assert open_sessions(app, aiko) == 2
    first.post("/logout")
    assert who(first) is None
    assert who(second) == "Aiko Tanaka"
    assert open_sessions(app, aiko) == 1


def test_log_out_everywhere_ends_every_browsers_login(app, aiko, caplog):
    laptop, phone = log_in_by_link(app, caplog), log_in_by_link(app, caplog)
    phone_remembered = copy_of(app, phone, "remember_token")
    page = laptop.get("/account").get_data(as_text=True)
    assert "In 2 browsers or devices" in page

    answer = laptop.post("/account/logout-everywhere", follow_redirects=True)
    assert answer.status_code == 200
    assert "logged out everywhere (2 sessions ended)" in answer.get_data(as_text=True)
    assert who(laptop) is None
    assert who(phone) is None
    assert who(phone_remembered) is None
    assert open_sessions(app, aiko) == 0
    # A new login link still works.
    assert who(log_in_by_link(app, caplog)) == "Aiko Tanaka"


def test_the_account_page_shows_the_events_and_the_open_sessions(app, aiko, caplog):
    browser = log_in_by_link(app, caplog)
    assert b'href="/account"' in browser.get("/").data  # in the header menu
    page = browser.get("/account").get_data(as_text=True)
    assert "Aiko Tanaka" in page and EMAIL in page
    assert '<a href="/e/osaka/">Osaka Partnering Day</a>' in page
    assert '<a href="/e/kobe/">Kobe Biotech Day</a>' in page
    assert "Organiser" in page
    assert re.search(r"Only in this browser, since \w{3} \d\d \w{3} \d{4}, \d\d:\d\d UTC", page)
    assert "Log out everywhere" in page


def test_the_account_page_and_log_out_everywhere_need_a_login(client):
    for answer in (client.get("/account"), client.post("/account/logout-everywhere")):
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "value",
    [
        "1",  # a plain account id, as sessions held before login sessions
        1,
        "",
        "1:",
        ":1",
        "abc",
        "1:" + "A" * 43,  # the right shape, the wrong secret
        "99999999999999999999:" + "A" * 43,  # an id no database integer holds
        "0:" + "A" * 43,
        "-1:" + "A" * 43,
        "١:" + "A" * 43,  # a digit, but not an ASCII one
        "1:" + "A" * 43 + "\n",
        "1:" + "A" * 42,
        "1:" + "A" * 44,
        "1:" + "A" * 42 + "\0",
        "1:" + "x" * 3000,
        ["1"],
        None,
    ],
)
def test_a_session_value_the_app_did_not_make_is_anonymous(app, aiko, value):
    """In the session cookie or in the remember cookie (both signed with the app's own key,
    so only the value is wrong)."""
    with app.app_context():
        db.session.add(LoginSession(account_id=aiko, secret_hash="0" * 64))
        db.session.commit()
    in_session = app.test_client()
    with in_session.session_transaction() as session:
        session["_user_id"] = value
    assert who(in_session) is None
    assert in_session.get("/account").status_code == 302
    if isinstance(value, str) and "\0" not in value:
        in_remember = app.test_client()
        in_remember.set_cookie("remember_token", encode_cookie(value, key=app.secret_key))
        assert who(in_remember) is None
        assert in_remember.get("/account").status_code == 302


def test_the_test_helper_logs_in_through_a_login_session(app, aiko, auth):
    auth.login(SimpleNamespace(account_id=aiko))  # as with a participant
    assert who(auth.client) == "Aiko Tanaka"
    assert open_sessions(app, aiko) == 1
    auth.client.post("/logout")
    assert open_sessions(app, aiko) == 0


def test_deleting_a_registration_that_erases_the_account_ends_its_logins(app, caplog):
    with app.app_context():
        event = create_event(slug="nara", name="Nara Day")
        account = get_or_create_account(EMAIL, "Aiko Tanaka")
        db.session.add(Participant(event=event, account=account, status="approved"))
        db.session.commit()
        account_id = account.id
    here, elsewhere = log_in_by_link(app, caplog), log_in_by_link(app, caplog)
    elsewhere_remembered = copy_of(app, elsewhere, "remember_token")
    answer = here.post("/e/nara/delete", data={"sure": "y"})
    assert answer.status_code == 302
    assert open_sessions(app, account_id) == 0
    assert who(here) is None
    assert who(elsewhere) is None
    assert who(elsewhere_remembered) is None


def test_an_account_with_open_sessions_can_be_deleted(app, aiko, caplog):
    browser = log_in_by_link(app, caplog)
    log_in_by_link(app, caplog)
    with app.app_context():
        db.session.execute(db.delete(Participant).filter_by(account_id=aiko))
        db.session.delete(db.session.get(Account, aiko))
        db.session.commit()
    assert open_sessions(app, aiko) == 0
    assert who(browser) is None
