"""Security headers on every response (a page, an error page, file downloads), HTTPS-only in
production, and the attributes of the session and remember cookies in both modes."""

from __future__ import annotations

from contextlib import ExitStack
from http.cookies import SimpleCookie

import pytest
from flask import Response

from partnering.auth.operations import get_or_create_account, login_token
from partnering.extensions import db
from tests.apps import QUIET, app_for


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: sources}."""
    out = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


def assert_protected(response) -> None:
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no nonce: no inline script
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_page_carries_the_security_headers_and_no_hsts_outside_production(client, create_event):
    create_event()
    page = client.get("/e/osaka/")
    assert page.status_code == 200
    assert_protected(page)
    assert "Strict-Transport-Security" not in page.headers


def test_an_error_page_carries_them_too(client):
    page = client.get("/e/no-such-event/")
    assert page.status_code == 404
    assert_protected(page)


def test_downloads_carry_them_and_keep_their_own_headers(
    client, auth, create_event, create_participant
):
    event = create_event()
    organiser = create_participant(event, role="organiser")
    auth.login(organiser)

    calendar = client.get("/e/osaka/agenda/agenda.ics")
    assert calendar.status_code == 200 and calendar.mimetype == "text/calendar"
    assert calendar.headers["Content-Disposition"] == 'attachment; filename="osaka-agenda.ics"'
    assert_protected(calendar)

    export = client.get("/e/osaka/admin/participants/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert export.headers["Content-Disposition"].startswith("attachment;")
    assert_protected(export)


def test_a_header_the_response_sets_itself_is_kept(database_url):
    with app_for(database_url, {"TESTING": True}) as app:

        @app.route("/own-headers")
        def own_headers():
            return Response(
                "x",
                headers={
                    "Content-Security-Policy": "sandbox",
                    "Referrer-Policy": "no-referrer",
                    "X-Frame-Options": "SAMEORIGIN",
                },
            )

        answer = app.test_client().get("/own-headers")
        assert answer.headers["Content-Security-Policy"] == "sandbox"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"  # the others are added
        assert answer.headers.getlist("Content-Security-Policy") == ["sandbox"]  # not a second one


@pytest.fixture
def make_app(database_url):
    """make_app(**settings) -> an app on the test's database; let go when the test ends."""
    with ExitStack() as apps:

        def make(**config):
            settings = {
                **QUIET,
                "SERVER_NAME": None,
                "PUBLIC_URL": "http://localhost",  # the test client's host
                **config,
            }
            return apps.enter_context(app_for(database_url, settings))

        yield make


def test_hsts_in_production_only_and_overridable(make_app):
    production = make_app(PRODUCTION=True)
    page = production.test_client().get("/login")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_protected(page)

    development = make_app()
    assert "Strict-Transport-Security" not in development.test_client().get("/login").headers

    without = make_app(PRODUCTION=True, STRICT_TRANSPORT_SECURITY="")
    assert "Strict-Transport-Security" not in without.test_client().get("/login").headers


def login_cookies_for(app) -> dict[str, dict[str, str | bool]]:
    """Log in through a login link; the cookies the answer sets, with their attributes."""
    with app.app_context():
        db.create_all()
        account = get_or_create_account("aiko@example.jp", "Aiko Sato")
        db.session.commit()
        token = login_token(account)
        db.session.remove()
    answer = app.test_client().post(f"/login/{token}")
    assert answer.status_code == 302, answer.status_code
    cookies = {}
    for header in answer.headers.getlist("Set-Cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            cookies[name] = {
                "samesite": morsel["samesite"],
                "httponly": bool(morsel["httponly"]),  # a flag: "" when absent
                "secure": bool(morsel["secure"]),
            }
    assert {"session", "remember_token"} <= set(cookies), cookies
    return cookies


@pytest.mark.parametrize("production", [False, True], ids=["development", "production"])
def test_cookies_are_lax_and_httponly_and_secure_in_production(make_app, production):
    app = make_app(PRODUCTION=production)
    cookies = login_cookies_for(app)
    for name in ("session", "remember_token"):
        assert cookies[name]["samesite"] == "Lax", (name, cookies[name])
        assert cookies[name]["httponly"] is True, (name, cookies[name])
        assert cookies[name]["secure"] is production, (name, cookies[name])


def test_secure_cookies_can_be_turned_off_in_production(make_app):
    """For a production server tried over plain http (the setting wins over the mode)."""
    app = make_app(
        PRODUCTION=True,
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_SECURE=False,
    )
    cookies = login_cookies_for(app)
    assert cookies["session"]["secure"] is False
    assert cookies["remember_token"]["secure"] is False
    assert cookies["session"]["samesite"] == "Lax"


def test_production_answers_only_to_its_public_host(make_app):
    """A forged Host header would otherwise put another site into emailed login links."""
    app = make_app(PRODUCTION=True, PUBLIC_URL="https://partnering.example.org")
    client = app.test_client()
    assert client.get("/login", base_url="https://partnering.example.org").status_code == 200
    forged = client.get("/login", base_url="https://evil.example")
    assert forged.status_code == 400
    assert "evil.example" not in forged.get_data(as_text=True)

    development = make_app(PUBLIC_URL="https://partnering.example.org")
    elsewhere = development.test_client().get("/login", base_url="http://evil.example")
    assert elsewhere.status_code == 200
