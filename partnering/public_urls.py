"""External URLs outside a request: a module of its own, so that domain code which writes
emails (partnering.agenda.notify) does not import the web layer that registers every view."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, has_request_context


@contextmanager
def public_urls(base_url: str | None = None) -> Iterator[None]:
    """External URLs (in emails, calendars) outside a request, e.g. in a command or a job:
    they are built on `base_url` (a job's, taken from the request that queued it) or else
    PUBLIC_URL."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=base_url or current_app.config["PUBLIC_URL"]):
        yield
