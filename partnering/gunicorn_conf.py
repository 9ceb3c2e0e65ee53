"""Gunicorn's settings for the production server: `flask --app partnering serve-production`,
or by hand `gunicorn --config partnering/gunicorn_conf.py`. Loaded by its path, not imported
from the package: gunicorn's master then holds none of the app's code, and `kill -HUP` to it
starts workers that load the code as it is now (after an upgrade).

From the environment: HOST (127.0.0.1: a reverse proxy sits in front), PORT (8000) and
WEB_CONCURRENCY (worker processes; 2 × cores + 1, at most 8). The app runs in production mode;
without PARTNERING_SECRET_KEY the workers share the key in instance/secret_key (machines that
share a database must share one PARTNERING_SECRET_KEY instead). Only web workers run here:
background jobs need consumers of their own, `huey_consumer partnering.jobs.huey`, on this
machine or others sharing the queue (PARTNERING_HUEY_URL)."""

from __future__ import annotations

import os
from collections.abc import Mapping

# Each worker keeps its own database connection pool (up to 15 connections): more workers than
# this would crowd PostgreSQL's default 100 connections; WEB_CONCURRENCY can still ask for more.
MAX_DEFAULT_WORKERS = 8


def bind_address(environ: Mapping[str, str]) -> str:
    host = environ.get("HOST") or "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"{host}:{environ.get('PORT') or 8000}"


def worker_count(environ: Mapping[str, str], cores: int) -> int:
    if environ.get("WEB_CONCURRENCY"):
        return max(1, int(environ["WEB_CONCURRENCY"]))
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


wsgi_app = "partnering:create_app()"
raw_env = ["PARTNERING_PRODUCTION=true"]
bind = [bind_address(os.environ)]
workers = worker_count(os.environ, len(os.sched_getaffinity(0)))
# Not preloaded, for the same reason: each worker builds the app. A bad configuration (a short
# secret key) still stops the server, as a worker that fails to boot makes gunicorn exit.
preload_app = False
timeout = 60  # solver runs are background jobs; no request should take this long
graceful_timeout = 30
keepalive = 5  # the proxy reuses its connections to gunicorn
max_requests = 2000  # workers are renewed now and then, bounding any slow leak
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# X-Forwarded-* headers are the app's to trust or not (PARTNERING_PROXY_FIX_*), in one place.
secure_scheme_headers: dict[str, str] = {}
# The runtime control socket would live at one path per user: several servers would collide.
control_socket_disable = True
