"""Every route of the app, with ids of another event's or another person's records, as four
visitors who have no business there: nothing leaks and nothing changes.

The walk covers the whole URL map (tests/security/routes.py fails for a route it does not know).
Each visitor requests every route with a GET and, where the route takes one, a POST with a
valid CSRF token and plausible form data:
- on the target event `alpha`: anonymous, a participant of alpha in contact with nobody, and a
  participant and an organiser of `beta`;
- on their own event `beta` but with alpha's ids (meeting, request, run, participant, outbox
  message, upload and feed ids): the participant and the organiser of beta.

Allowed answers: 400, 403, 404, 405; a redirect to the login page, the event's home or its
registration page (the answers of a refusal), or to the page a route names as its "not found"
answer; 200 only for public pages (site.index, static, events.home, auth.*, registration) and,
for the participant of alpha, for the participant pages of alpha (their own pages, and what
their event lets them see). Whatever the answer, the response (and the messages it flashes for
the next page) holds no value the visitor may not see (markers of tests/security/world.py, feed
secrets and login nonces), and the database is unchanged (but for the public actions below).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.security import snapshot
from tests.security.routes import FEED, MEMBER, PUBLIC, ROUTES, check_covered, requests_for
from tests.security.visitors import Visitor, fresh_csrf_token, log_in, visitors
from tests.security.world import MARKER, World

PUBLIC_ACTIONS = {
    "auth.login": "anyone may ask for a login link: it queues an email to the address",
    "registrations.register": "anyone may register for an open event (their own registration)",
}
"""POSTs that change the database whoever sends them; the walk checks only what they answer."""

LOGOUTS = {"auth.logout", "auth.logout_everywhere"}
"""POSTs that end the visitor's own login sessions (rows of login_session): the walk logs the
visitor in again after them."""

GONE_TO = {"admin.map_columns": "/admin/participants/import"}
"""Routes whose answer to an unknown id is a redirect to another page of the event."""


@dataclass
class Finding:
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def leaks(visitor: Visitor, world: World, text: str) -> list[str]:
    found = sorted(
        {
            m.group(0)
            for m in MARKER.finditer(text)
            if not visitor.may_see(m.group(1), m.group(2), m.group(0))
        }
    )
    secrets = [s for s in visitor.forbidden_secrets(world) if s in text]
    return found + [f"secret {s[:6]}…" for s in secrets]


def refusal_redirect(location: str, slug: str, endpoint: str) -> bool:
    path = urlsplit(location).path
    allowed = {"/login", f"/e/{slug}/", f"/e/{slug}/register"}
    if endpoint in GONE_TO:
        allowed.add(f"/e/{slug}{GONE_TO[endpoint]}")
    return path in allowed


def judge(
    visitor: Visitor, access: str, slug: str, endpoint: str, response, *, foreign: bool = False
) -> str | None:
    """Why the answer is not allowed, or None. `foreign`: the URL has the visitor's own event
    but another event's ids."""
    status = response.status_code
    if status in (400, 403, 404, 405):
        return None
    if access == PUBLIC and status in (200, 302):
        return None
    if status == 302 and refusal_redirect(response.headers["Location"], slug, endpoint):
        return None
    own_event = visitor.side is not None and visitor.side.slug == slug and not visitor.organiser
    if status == 200 and access == MEMBER and own_event and not foreign:
        return None
    where = response.headers.get("Location", "")
    return f"answered {status}{' to ' + where if where else ''}"


def walk(app, database, world: World, visitor: Visitor, side, *, foreign_slug=None):
    """Request every route as the visitor; the findings."""
    findings: list[Finding] = []
    slug = foreign_slug or side.slug
    client = log_in(app, visitor.person and visitor.person.account_id)
    token = fresh_csrf_token(client)
    before = snapshot.take(app)
    for call in requests_for(app, world, side):
        endpoint, route, case, method, url = (
            call.endpoint,
            call.route,
            call.case,
            call.method,
            call.url,
        )
        data, prefixes = call.data, call.prefixes
        if foreign_slug is not None:
            if not route.event or case.label == "-" or route.access == FEED:
                # The visitor's own pages of their own event: nothing of alpha's (the feed
                # cases cross events already).
                continue
            url = url.replace(f"/e/{side.slug}/", f"/e/{foreign_slug}/", 1)
        same_event_member = visitor.side is side and not visitor.organiser
        if method != "GET" and same_event_member:
            if "-" in route.own_action_for_members or case.label in route.own_action_for_members:
                continue
        where = f"{visitor.name} {method} {url} ({endpoint}, {case.label})"
        if method != "GET":
            data = {**data, **{f"{p}-csrf_token" if p else "csrf_token": token for p in prefixes}}
        response = client.open(url, method=method, data=data)
        problem = judge(
            visitor, route.access, slug, endpoint, response, foreign=foreign_slug is not None
        )
        if problem:
            findings.append(Finding(where, problem))
        text = response.get_data(as_text=True) + response.headers.get("Location", "")
        response.close()
        with client.session_transaction() as session:
            # A flashed message shows on the next page: it must not leak either.
            text += "".join(message for _, message in session.pop("_flashes", []))
        for leak in leaks(visitor, world, text):
            findings.append(Finding(where, f"shows {leak}"))
        if endpoint in LOGOUTS:
            client = log_in(app, visitor.person and visitor.person.account_id)
            token = fresh_csrf_token(client)
            before = snapshot.take(app)
            continue
        after = snapshot.take(app)
        if after != before and not (method != "GET" and endpoint in PUBLIC_ACTIONS):
            for change in snapshot.changes(before, after):
                findings.append(Finding(where, f"changed {change}"))
            database.restore(app)
            client = log_in(app, visitor.person and visitor.person.account_id)
            token = fresh_csrf_token(client)
            after = snapshot.take(app)
        before = after
    return findings


def test_the_walk_knows_every_route(csrf_app):
    app, _ = csrf_app
    check_covered(app)


VISITORS = [
    "anonymous",
    "participant of the same event",
    "participant of another event",
    "organiser of another event",
]


@pytest.mark.parametrize("who", VISITORS)
def test_no_route_of_another_event_or_person_leaks_or_changes_anything(csrf_app, world, who):
    app, database = csrf_app
    check_covered(app)
    visitor = next(v for v in visitors(world) if v.name == who)
    findings = walk(app, database, world, visitor, world.alpha)
    if visitor.side is world.beta:
        findings += walk(app, database, world, visitor, world.alpha, foreign_slug="beta")
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(map(str, findings))


def test_the_walk_sees_what_it_should(csrf_app, world):
    """The walk's checks have teeth: the organiser of alpha gets 200 on alpha's organiser
    pages and sees its private markers, which the walk would report for anyone else."""
    app, _ = csrf_app
    organiser = Visitor("organiser of the event", world.alpha.organiser, world.alpha, True)
    client = log_in(app, world.alpha.organiser.account_id)
    page = client.get(f"/e/alpha/admin/participants/{world.alpha.people['hidden'].participant_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert MARKER.search(text) and not leaks(organiser, world, text)
    stranger = Visitor("organiser of another event", world.beta.organiser, world.beta, True)
    assert leaks(stranger, world, text)
    assert judge(stranger, ROUTES["admin.participant"].access, "alpha", "admin.participant", page)
