"""Requests refused before any view runs, so that no view has to think of them: a NUL byte
in the path, the query or a form field (PostgreSQL cannot store or even compare one), and an
id in the path too large for a database integer (no such row can exist), and in production a
Host header that is not the site's (TRUSTED_HOSTS)."""

from __future__ import annotations

from flask import Flask, abort, render_template, request
from werkzeug.exceptions import SecurityError

MAX_ID = 2**31 - 1
"""The largest value of an INTEGER column on PostgreSQL."""

NUL_REFUSED = "The request contains a NUL character, which no field may hold."


def _has_nul() -> bool:
    if "\0" in request.path:
        return True
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\0" in key or "\0" in value:
                return True
    return False


def refuse_bad_input(endpoint: str | None, values: dict | None) -> None:
    if _has_nul():
        abort(400, NUL_REFUSED)
    for value in (values or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            abort(404)


def bad_request(error):
    message = error.description or "The request could not be understood."
    return render_template("error.html", code=400, message=message), 400


def untrusted_host(error):
    # Plain text: no page can be built, as links need the host this request may not name.
    return "This site does not answer to that host name.", 400, {"Content-Type": "text/plain"}


def init_app(app: Flask) -> None:
    # As the app's URL value preprocessor it runs before the blueprints' own, which load the
    # event named in the path, and before any before_request function.
    app.url_value_preprocessor(refuse_bad_input)
    app.register_error_handler(400, bad_request)
    app.register_error_handler(SecurityError, untrusted_host)


def ids_from(values: list[str]) -> list[int]:
    """The values that can be row ids (ticked boxes, repeated fields); others are dropped."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and int(v) <= MAX_ID]


def requested_id(name: str) -> int | None:
    """A row id from the query string; None when absent, not a number, or out of range."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None
