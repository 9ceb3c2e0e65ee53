"""Configuration defaults. Local settings come from config.py in the instance folder, then from
environment variables prefixed PARTNERING_ (e.g. PARTNERING_SQLALCHEMY_DATABASE_URI), read by
Flask's `from_prefixed_env` (values that parse as JSON are decoded: numbers, booleans)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import click

ENV_PREFIX = "PARTNERING"
# Where the instance folder (local settings, SQLite database, job queue, uploads, secret key) is,
# when create_app is not told: this variable, else instance/ in the checkout.
INSTANCE_PATH_VARIABLE = "PARTNERING_INSTANCE_PATH"
OLD_PUBLIC_KEY = "dev-only-secret-not-for-production"
"""The default key of earlier releases. It is public, so anyone could sign cookies with it: kept
only to be refused."""
MIN_SECRET_KEY_LENGTH = 32


class Defaults:
    SECRET_KEY: str | bytes | None = None  # None: a random key kept in <instance>/secret_key
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite partnering.db in the instance folder
    UPLOAD_FOLDER: str | None = None  # None: uploads/ in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token already
    LOGIN_LINK_MAX_AGE = 60 * 60 * 24  # seconds a one-time login link stays valid
    # None: the database when it is PostgreSQL, else SQLite jobs.db in the instance folder; or
    # redis://, postgresql://, sqlite:///path
    HUEY_URL: str | None = None
    HUEY_IMMEDIATE = False  # True runs jobs inline (tests)
    CONSUMER_SILENT_AFTER = 30  # seconds without a consumer's heartbeat: jobs are not running
    # The app's idea of "now" (partnering/clock.py): None is the wall clock; a function or an
    # ISO 8601 instant with offset sets the time, to rehearse an event day or in tests.
    CLOCK: Any = None
    # Workers sharing a publication's emails on PostgreSQL, the job's own included; start the
    # consumer with at least as many (huey_consumer partnering.jobs.huey -w 2 -k process).
    PUBLISH_WORKERS = 2
    RUN_SILENT_AFTER = 90  # seconds a scheduler run may go without news before it is failed
    # Hours between the organisers' email digests of new registrations (checked hourly, sent
    # only when someone registered since the last one); 0 sends none.
    REGISTRATION_DIGEST_HOURS = 24
    MAIL_SERVER: str | None = None  # None: emails are written to the log
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_SENDER = "Partnering <noreply@localhost>"
    MAIL_DOMAIN = "partnering.local"  # right-hand side of Message-IDs
    PUBLIC_URL = "http://127.0.0.1:5000"  # links in emails and calendars made outside a request
    PREFERRED_URL_SCHEME = "http"
    SERVER_NAME: str | None = None
    # Host names the app answers to (Flask checks the Host header, after ProxyFix). None: any
    # in development; in production only PUBLIC_URL's, so that a forged Host header cannot put
    # another site's address into a login link emailed to someone.
    TRUSTED_HOSTS: list[str] | None = None
    PRODUCTION = False
    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (werkzeug's
    # ProxyFix). 0 ignores the header; nothing is trusted unless a deployment says so.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0
    # Cookies: never sent along with another site's subrequests or cross-site posts (Lax), out of
    # reach of scripts (HttpOnly), and over HTTPS only in production. None follows PRODUCTION
    # (see follow_production): a development server on plain http would lose its session.
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SECURE: bool | None = None
    REMEMBER_COOKIE_SECURE: bool | None = None
    # Response headers (partnering/security_headers.py). Pages load scripts and styles from the
    # app's static folder only: no inline script or style, no framing, no plugins.
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
    # Login links and feed secrets are in URLs: their full address goes to this site only.
    REFERRER_POLICY = "same-origin"
    # None follows PRODUCTION: a year of HTTPS only in production, nothing otherwise; "" never.
    STRICT_TRANSPORT_SECURITY: str | None = None
    # Rate limits (partnering.rate_limits), each "N per period", several joined with ";". A
    # venue's Wi-Fi puts many people behind one address: the per-client limits leave room.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"  # per process; e.g. redis://127.0.0.1:6379/0 to share
    RATELIMIT_STRATEGY = "moving-window"  # exact: no double burst at a window's edge
    RATELIMIT_KEY_PREFIX = "partnering-limits"  # apart from other keys in a shared Redis
    RATELIMIT_HEADERS_ENABLED = False  # only the 429 page says when to come back
    RATELIMIT_SWALLOW_ERRORS = True  # a store that is down lets requests through (logged)
    LIMIT_LOGIN_LINKS_PER_ADDRESS = "5 per 15 minutes; 20 per day"
    LIMIT_LOGIN_LINKS_PER_CLIENT = "30 per 10 minutes; 300 per day"
    LIMIT_REGISTRATIONS_PER_CLIENT = "30 per hour; 200 per day"
    LIMIT_MEETING_REQUESTS_PER_ACCOUNT = "60 per hour; 300 per day"
    LIMIT_FEED_FETCHES_PER_FEED = "60 per hour; 600 per day"


PRODUCTION_DEFAULTS: dict[str, tuple[Any, Any]] = {
    # key: (value in production, value otherwise), for settings left at None
    "SESSION_COOKIE_SECURE": (True, False),
    "REMEMBER_COOKIE_SECURE": (True, False),
    "STRICT_TRANSPORT_SECURITY": ("max-age=31536000; includeSubDomains", ""),
}


def follow_production(config: dict[str, Any]) -> None:
    """Settings not given (None) take their value for the mode PRODUCTION says."""
    production = bool(config.get("PRODUCTION"))
    for key, (in_production, otherwise) in PRODUCTION_DEFAULTS.items():
        if config.get(key) is None:
            config[key] = in_production if production else otherwise
    if production and config.get("TRUSTED_HOSTS") is None:
        config["TRUSTED_HOSTS"] = [urlsplit(config["PUBLIC_URL"]).hostname]


class ConfigError(click.ClickException):
    """A setting that makes the app unsafe or unable to start. A click exception, so that a
    `flask` command whose app cannot start prints it on one line and exits non-zero."""


def check_secret_key(key: object) -> None:
    """A configured SECRET_KEY must be secret: long enough, and not the old public default."""
    if not isinstance(key, str | bytes):
        raise ConfigError(f"SECRET_KEY must be text, not {type(key).__name__}: {KEY_ADVICE}")
    if key in (OLD_PUBLIC_KEY, OLD_PUBLIC_KEY.encode()):
        raise ConfigError(f"SECRET_KEY is the public default of earlier releases: {KEY_ADVICE}")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters: {KEY_ADVICE}"
        )


KEY_ADVICE = (
    "set PARTNERING_SECRET_KEY (or SECRET_KEY in instance/config.py) to the output of"
    " `python -c 'import secrets; print(secrets.token_hex(32))'`, or remove it to use the key"
    " the app keeps in instance/secret_key"
)
