"""Logging a test client in without a login link: a login session opened by the app's own
operation, named in the client's session cookie as a login link's use would name it; and a
login link on a live server's address, for a browser."""

from __future__ import annotations

from contextlib import nullcontext

from flask import Flask, current_app, has_app_context
from flask.testing import FlaskClient

from partnering.auth.models import Account
from partnering.auth.operations import get_or_create_account, login_url, start_login_session
from partnering.extensions import db


def log_in(client: FlaskClient, account_id: int) -> str:
    """Log the client in as the account; returns the login session's key."""
    app = client.application
    # The test's app context when it is this app's (its session may hold the account).
    in_app = has_app_context() and current_app._get_current_object() is app
    with nullcontext() if in_app else app.app_context():
        key = start_login_session(db.session.get(Account, account_id))
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    return key


def login_link(app: Flask, base_url: str, email: str) -> str:
    """A login link for `email` (its account made if need be) on the server at `base_url`."""
    with app.test_request_context(base_url=base_url):
        return login_url(get_or_create_account(email, ""))
