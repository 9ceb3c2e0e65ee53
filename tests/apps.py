"""Apps for the tests, made and let go in one place: the shared `app` fixture and every test
that needs an app of its own (CSRF on, rate limits, production settings, another database).

Letting go matters: an app's sessions and engine are closed when the test ends, so that no
connection is left open for the garbage collector (a ResourceWarning, which fails the suite).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from partnering import create_app
from partnering.extensions import db
from tests.keys import TEST_SECRET_KEY

QUIET = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "HUEY_IMMEDIATE": True,
    "SERVER_NAME": "localhost",
}
"""What most tests want: errors raised, no CSRF token to fetch first, jobs run at once, URLs
built outside a request."""


@contextmanager
def app_for(
    database_url: str,
    settings: Mapping[str, Any] | None = None,
    *,
    tables: bool = False,
    instance_path: Path | None = None,
) -> Iterator[Flask]:
    """An app on `database_url` with the tests' secret key and `settings` (nothing else:
    spread QUIET into them for the usual test settings); `tables` creates the tables."""
    app = create_app(
        {
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            **(settings or {}),
        },
        instance_path=instance_path,
    )
    try:
        if tables:
            with app.app_context():
                db.create_all()
        yield app
    finally:
        let_go(app)


def let_go(app: Flask) -> None:
    """Close the app's sessions and its engine's connections."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
