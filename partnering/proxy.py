"""Running behind a reverse proxy: trust its X-Forwarded-* headers as far as the configuration
says (PROXY_FIX_X_FOR, _X_PROTO, _X_HOST, _X_PORT, _X_PREFIX: the number of proxies that set
each header), so that client addresses and external URLs are the public ones."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = ("for", "proto", "host", "port", "prefix")


def init_app(app: Flask) -> None:
    counts = {f"x_{name}": int(app.config[f"PROXY_FIX_X_{name.upper()}"]) for name in HEADERS}
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)
