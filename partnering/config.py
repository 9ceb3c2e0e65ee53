"""Configuration defaults. Local settings come from instance/config.py, then from environment
variables prefixed PARTNERING_ (e.g. PARTNERING_SQLALCHEMY_DATABASE_URI)."""

from __future__ import annotations

import json
import os
from typing import Any

ENV_PREFIX = "PARTNERING_"
DEV_SECRET = "dev-only-secret-not-for-production"


class Defaults:
    SECRET_KEY = DEV_SECRET
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite under instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token already
    LOGIN_LINK_MAX_AGE = 60 * 60 * 24  # seconds a one-time login link stays valid
    HUEY_URL: str | None = None  # None: SQLite queue under instance/; or redis://, postgresql://
    HUEY_IMMEDIATE = False  # True runs jobs inline (tests)
    CONSUMER_SILENT_AFTER = 30  # seconds without a consumer's heartbeat: jobs are not running
    RUN_SILENT_AFTER = 90  # seconds a scheduler run may go without news before it is failed
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
    PRODUCTION = False
    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (werkzeug's
    # ProxyFix). 0 ignores the header; nothing is trusted unless a deployment says so.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0
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


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """PARTNERING_X=value pairs as config keys; JSON values (numbers, booleans) are decoded."""
    out: dict[str, Any] = {}
    for key, raw in (os.environ if environ is None else environ).items():
        if not key.startswith(ENV_PREFIX):
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        out[key.removeprefix(ENV_PREFIX)] = value
    return out


class ConfigError(RuntimeError):
    """A setting that makes the app unsafe or unable to start."""


def check_production(config: dict[str, Any]) -> None:
    if config.get("PRODUCTION") and config.get("SECRET_KEY") in (None, "", DEV_SECRET):
        raise ConfigError(
            "PARTNERING_SECRET_KEY must be set in production (instance/config.py or environment)"
        )
