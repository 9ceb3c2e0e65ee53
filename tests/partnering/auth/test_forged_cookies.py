"""Cookies signed with the old public default key log nobody in: the app signs with its own
key (here the one it made in its instance folder), so a forger's session cookie and remember
cookie are refused, while the same contents signed with the app's key are taken (which shows
the forgeries are otherwise exactly what a login sets)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_login.utils import decode_cookie, encode_cookie

from partnering import create_app
from partnering.auth.operations import get_or_create_account, login_token
from partnering.config import OLD_PUBLIC_KEY
from partnering.extensions import db


@pytest.fixture
def unconfigured(tmp_path, database_url):
    """The app started with no key configured: it uses the key file in its instance folder."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        },
        instance_path=tmp_path / "instance",
    )
    with app.app_context():
        db.create_all()
        get_or_create_account("organiser@example.org", "Olga Organiser").is_admin = True
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def who(client) -> str | None:
    """The name in the page header, or None for an anonymous visitor."""
    found = re.search(r'class="muted who">([^<]*)<', client.get("/").get_data(as_text=True))
    return found.group(1) if found else None


def genuine_cookies(app: Flask) -> tuple[dict, str]:
    """The session's contents and the remember cookie's payload after a real login."""
    client = app.test_client()
    with app.app_context():
        token = login_token(get_or_create_account("organiser@example.org", ""))
    assert client.post(f"/login/{token}").status_code == 302
    assert who(client) == "Olga Organiser"
    with client.session_transaction() as session:
        contents = dict(session)
    with app.app_context():
        payload = decode_cookie(client.get_cookie("remember_token").value)
    assert payload is not None
    return contents, payload


def signed_session(contents: dict, key: str) -> str:
    """A session cookie as Flask signs it with `key`."""
    signer = Flask("forger")
    signer.secret_key = key
    return signer.session_interface.get_signing_serializer(signer).dumps(contents)


def test_the_app_does_not_sign_with_the_old_default(unconfigured):
    assert unconfigured.secret_key != OLD_PUBLIC_KEY
    assert len(unconfigured.secret_key) == 64


def test_a_session_cookie_forged_with_the_old_default_logs_nobody_in(unconfigured):
    contents, _ = genuine_cookies(unconfigured)
    forged = unconfigured.test_client()
    forged.set_cookie("session", signed_session(contents, OLD_PUBLIC_KEY))
    assert who(forged) is None
    # The same contents signed with the app's own key are a login: the forgery differs only
    # by its key.
    control = unconfigured.test_client()
    control.set_cookie("session", signed_session(contents, unconfigured.secret_key))
    assert who(control) == "Olga Organiser"


def test_a_remember_cookie_forged_with_the_old_default_logs_nobody_in(unconfigured):
    _, payload = genuine_cookies(unconfigured)
    forged = unconfigured.test_client()
    forged.set_cookie("remember_token", encode_cookie(payload, key=OLD_PUBLIC_KEY))
    assert who(forged) is None
    assert who(forged) is None  # nor on a later request
    control = unconfigured.test_client()
    control.set_cookie("remember_token", encode_cookie(payload, key=unconfigured.secret_key))
    assert who(control) == "Olga Organiser"
