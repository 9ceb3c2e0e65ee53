"""Every state-changing route refuses a request without a CSRF token, even from an organiser of
the event with plausible form data: 400, and the database is unchanged."""

from __future__ import annotations

from tests.security import snapshot
from tests.security.routes import SITE_ADMIN, check_covered, requests_for
from tests.security.visitors import csrf_token_in, log_in

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def test_every_state_changing_route_refuses_a_request_without_csrf_token(csrf_app, world):
    app, _ = csrf_app
    check_covered(app)
    organiser = log_in(app, world.alpha.organiser.account_id)
    admin = log_in(app, world.admin_account_id)
    before = snapshot.take(app)
    tried, findings = set(), []
    for call in requests_for(app, world, world.alpha):
        if call.method not in STATE_CHANGING:
            continue
        client = admin if call.route.access == SITE_ADMIN else organiser
        with client.open(call.url, method=call.method, data=call.data) as response:
            if response.status_code != 400:
                findings.append(
                    f"{call.method} {call.url} ({call.endpoint}, {call.case.label}): "
                    f"{response.status}"
                )
        tried.add(call.endpoint)
    assert not findings, "\n".join(findings)
    assert snapshot.changes(before, snapshot.take(app)) == []
    posting = {r.endpoint for r in app.url_map.iter_rules() if r.methods & STATE_CHANGING}
    assert tried == posting and "auth.logout" in tried and "admin.decide" in tried


def test_the_same_request_with_the_token_gets_through(csrf_app, world):
    """The refusal above is the token's doing: with it, the organiser's publish goes through
    (the final schedule becomes preliminary)."""
    app, _ = csrf_app
    organiser = log_in(app, world.alpha.organiser.account_id)
    token = csrf_token_in(organiser.get("/e/alpha/schedule/"))
    before = snapshot.take(app)
    answer = organiser.post(
        "/e/alpha/schedule/publish", data={"state": "preliminary", "csrf_token": token}
    )
    assert answer.status_code == 302
    event = next(row for row in snapshot.take(app)["event"] if row[1] == "alpha")
    assert "preliminary" in event and snapshot.changes(before, snapshot.take(app))
