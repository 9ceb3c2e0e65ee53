"""The people who try the routes: anonymous, a participant of the same event, and a participant
and an organiser of another event. Each logs in through a real login link, as a person would,
so the walk does not depend on how sessions are stored."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from partnering.auth.models import Account
from partnering.auth.operations import login_token
from partnering.extensions import db
from tests.security.world import Person, Side, World

CSRF_FIELD = re.compile(r'name="(?:[\w-]*-)?csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Visitor:
    name: str
    person: Person | None
    side: Side | None
    """The event the visitor belongs to (None: anonymous or a site administrator)."""
    organiser: bool = False

    def may_see(self, slug: str, level: str, marker: str) -> bool:
        """Whether this visitor may see a marked value of event `slug`."""
        if self.person is not None and marker in self.person.markers:
            return True
        if self.side is None or self.side.slug != slug:
            return False
        return self.organiser or level == "memb"

    def forbidden_secrets(self, world: World) -> list[str]:
        own = {
            key
            for side in (world.alpha, world.beta)
            for key, p in {"organiser": side.organiser, **side.people}.items()
            if p == self.person
        }
        out = []
        for side in (world.alpha, world.beta):
            if self.organiser and side == self.side:
                continue
            out += side.secrets(except_of=next(iter(own), None) if side == self.side else None)
        return out


def visitors(world: World) -> list[Visitor]:
    alpha, beta = world.alpha, world.beta
    return [
        Visitor("anonymous", None, None),
        Visitor("participant of the same event", alpha.people["peer"], alpha),
        Visitor("participant of another event", beta.people["visible"], beta),
        Visitor("organiser of another event", beta.organiser, beta, organiser=True),
    ]


def log_in(app: Flask, account_id: int | None) -> FlaskClient:
    """A client logged in as the account (through its login link), or anonymous."""
    client = app.test_client()
    if account_id is None:
        return client
    with app.app_context():
        token = login_token(db.session.get(Account, account_id))
        db.session.remove()
    page = client.get(f"/login/{token}")
    assert page.status_code == 200, page.status_code
    answer = client.post(f"/login/{token}", data={"csrf_token": csrf_token_in(page)})
    assert answer.status_code == 302, f"login failed: {answer.status_code}"
    return client


def csrf_token_in(response) -> str:
    found = CSRF_FIELD.search(response.get_data(as_text=True))
    return found.group(1) if found else ""


def fresh_csrf_token(client: FlaskClient) -> str:
    """The CSRF token of the client's session, from a page with a form."""
    token = csrf_token_in(client.get("/login"))
    assert token, "the login page carries a CSRF token"
    return token
