"""Rate limits (Flask-Limiter) on what a script would repeat to do harm: login links (they send
email, to any address), registrations, meeting requests and calendar feeds.

Each limit is a setting ("N per period", several joined with ";"). The counts live in
RATELIMIT_STORAGE_URI: `memory://` counts in each process, which is right for one process; with
several gunicorn workers or machines use a shared store such as `redis://127.0.0.1:6379/0`.
A limited request gets the 429 page with Retry-After. No other response carries limiter
headers: they would overwrite the Retry-After of other pages (the database-outage 503's).
The client is `request.remote_addr`: behind a proxy, ProxyFix (partnering.proxy) makes it the
public one.

The limiter belongs to the app it is made for (app.extensions["rate_limits"]), so apps made
side by side (tests, the job consumer's) never share counts or settings.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user

OK = 200


def client() -> str:
    return "client:" + get_remote_address()


def email_address() -> str:
    """The address a login link is asked for, as the account lookup normalises it; hashed, so
    that the store of counts (Redis, say) holds no address."""
    address = request.form.get("email", "").strip().lower()
    return "address:" + hashlib.sha256(address.encode("utf-8", "replace")).hexdigest()


def account() -> str:
    """The logged-in account (an anonymous visitor counts by address; they are sent to log in)."""
    if current_user.is_authenticated:
        return f"account:{current_user.get_id()}"
    return client()


def feed() -> str:
    """One participant's calendar subscription: its id and secret, as in its URL."""
    args = request.view_args or {}
    secret = str(args.get("secret", ""))
    digest = hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()
    return f"feed:{args.get('participant_id')}:{digest}"


@dataclass(frozen=True)
class RateLimit:
    endpoint: str
    setting: str
    """The config key that holds the limit, e.g. "10 per hour; 50 per day"."""
    key: Callable[[], str]
    why: str
    """What the 429 page tells the person."""
    methods: tuple[str, ...] = ("POST",)
    only_found: bool = False
    """Count only requests answered 200: guessed URLs that answer 404 cost nobody's budget."""


LIMITS = (
    RateLimit(
        "auth.login",
        "LIMIT_LOGIN_LINKS_PER_ADDRESS",
        email_address,
        "Many login links were asked for this address in a short time.",
    ),
    RateLimit(
        "auth.login",
        "LIMIT_LOGIN_LINKS_PER_CLIENT",
        client,
        "Many login links were asked from your network in a short time.",
    ),
    RateLimit(
        "registrations.register",
        "LIMIT_REGISTRATIONS_PER_CLIENT",
        client,
        "Many registrations were sent from your network in a short time.",
    ),
    RateLimit(
        "meetings.send",
        "LIMIT_MEETING_REQUESTS_PER_ACCOUNT",
        account,
        "You sent many meeting requests in a short time.",
    ),
    RateLimit(
        "agenda.feed",
        "LIMIT_FEED_FETCHES_PER_FEED",
        feed,
        "This calendar subscription was fetched many times in a short time.",
        methods=("GET",),
        only_found=True,
    ),
)


def _answered_ok(response: Response) -> bool:
    return response.status_code == OK


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def init_app(app: Flask) -> None:
    """Put the limits on their routes (after the blueprints are registered); nothing when
    RATELIMIT_ENABLED is off."""
    if not app.config["RATELIMIT_ENABLED"]:
        return
    limiter = Limiter(get_remote_address, app=app)
    app.extensions["rate_limits"] = limiter
    for endpoint in {limit.endpoint for limit in LIMITS}:
        view = app.view_functions[endpoint]
        # A route's limits are checked together, once, as its view is called: after the
        # request's event and user are loaded, which the keys may need.
        for limit in [lim for lim in LIMITS if lim.endpoint == endpoint]:
            view = limiter.limit(
                _setting(limit.setting),
                key_func=limit.key,
                methods=list(limit.methods),
                error_message=limit.why,
                deduct_when=_answered_ok if limit.only_found else None,
            )(view)
        app.view_functions[endpoint] = view

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error: RateLimitExceeded):
        wait = retry_after(limiter)
        page = render_template("rate_limited.html", why=error.description, wait=in_words(wait))
        return page, 429, {"Retry-After": str(wait)}


def retry_after(limiter: Limiter) -> int:
    """Seconds until the limit this request broke lets one through again."""
    broken = limiter.current_limit
    if broken is None:
        return 60
    return max(1, math.ceil(broken.window.reset_time - time.time()))


def in_words(seconds: int) -> str:
    """A wait as a person reads it, rounded up: "40 seconds", "a minute", "3 hours"."""
    if seconds < 60:
        return f"{seconds} seconds" if seconds != 1 else "a second"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minutes" if minutes != 1 else "a minute"
    return f"{math.ceil(minutes / 60)} hours"
