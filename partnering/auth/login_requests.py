"""A login link asked for on the login form. The request does the same work whatever the
address, it queues one job, and the answer page is the same; the job finds out whether the
address has an account and emails it accordingly (partnering.auth.notify). So neither the page
nor the time it takes tells anyone which addresses have accounts."""

from __future__ import annotations

from flask import request

from partnering.auth.tasks import answer_login_form
from partnering.jobs import enqueue

NEXT_URL_LENGTH = 2000
"""A longer `next` is dropped, not carried into the queue and the email."""


def request_login_link(email: str, next_url: str | None) -> None:
    if next_url is not None and len(next_url) > NEXT_URL_LENGTH:
        next_url = None
    enqueue(answer_login_form, email, next_url, request.url_root)
