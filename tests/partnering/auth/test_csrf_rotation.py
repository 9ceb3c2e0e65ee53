"""Logging in gives the browser a new CSRF secret: a form token issued before the login (to
whoever used the browser then, or planted by an attacker) is refused afterwards."""

from __future__ import annotations

import logging
import re

import pytest

from partnering.auth.operations import get_or_create_account
from partnering.extensions import db
from tests.servers import csrf_token


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        get_or_create_account("aiko@example.jp", "Aiko Tanaka")
        db.session.commit()
    return app


def is_logged_in(client) -> bool:
    return b'class="muted who">Aiko Tanaka<' in client.get("/").data


def test_a_csrf_token_from_before_the_login_is_refused_after_it(csrf_app, caplog):
    client = csrf_app.test_client()
    before = csrf_token(client.get("/login").get_data(as_text=True))
    with caplog.at_level(logging.INFO):
        sent = client.post("/login", data={"email": "aiko@example.jp", "csrf_token": before})
    assert sent.status_code == 302
    link = re.findall(r"http://localhost(/login/[^\s?]+)", caplog.text)[-1]
    confirm = csrf_token(client.get(link).get_data(as_text=True))
    assert client.post(link, data={"csrf_token": confirm}).status_code == 302
    assert is_logged_in(client)

    for stale in (before, confirm):
        refused = client.post("/logout", data={"csrf_token": stale})
        assert refused.status_code == 400
        assert b"CSRF" in refused.data
        assert is_logged_in(client)

    after = csrf_token(client.get("/").get_data(as_text=True))
    assert after not in (before, confirm)
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
    assert not is_logged_in(client)
