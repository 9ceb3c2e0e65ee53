"""Security headers on every response: the Content-Security-Policy, no framing, no MIME
sniffing, a Referrer-Policy, and HTTPS only (HSTS) in production. The values are settings
(config.Defaults); a header the response already carries is its own choice and is kept.

Why not Flask-Talisman (1.1.0, 2023): it assigns each header whatever the response set, so a
view could not keep a header of its own; it writes the session cookie flags into the config
itself and, by default, redirects to https judging by an X-Forwarded-Proto header it trusts from
anyone, where this app decides cookie flags in its config and proxy trust in partnering/proxy.py.
What remains is five fixed headers: a few lines here, one dependency fewer.
"""

from __future__ import annotations

from flask import Flask, Response, current_app


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    config = current_app.config
    headers = {
        "Content-Security-Policy": config["CONTENT_SECURITY_POLICY"],
        "X-Content-Type-Options": "nosniff",
        # For browsers that predate CSP's frame-ancestors.
        "X-Frame-Options": "DENY",
        "Referrer-Policy": config["REFERRER_POLICY"],
        "Strict-Transport-Security": config["STRICT_TRANSPORT_SECURITY"],
    }
    for name, value in headers.items():
        if value and name not in response.headers:
            response.headers[name] = value
    return response
