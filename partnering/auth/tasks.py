"""The background job that answers the login form."""

from __future__ import annotations

from partnering.auth.notify import answer_login_request
from partnering.jobs import app_context, huey
from partnering.outbox.operations import deliver_soon
from partnering.public_urls import public_urls


@huey.task(context=False)
def answer_login_form(email: str, next_url: str | None, site_url: str) -> None:
    """Links are built on `site_url`, the address the form was used at (after the proxy's
    headers), as they would be inside the request."""
    with app_context(), public_urls(site_url):
        answer_login_request(email, next_url)
        deliver_soon()
