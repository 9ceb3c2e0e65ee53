"""Apps on copies of one database holding two complete events (tests/security/world.py),
built once per session: each test gets its own copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from partnering import create_app
from partnering.extensions import db
from tests.security.world import World, build_world

SECRET_KEY = "security-tests-0f6c2b9e4d7a41c8b3e5a9d2c7f1e8b4"


def security_app(database: Path | str, *, csrf: bool) -> Flask:
    """An app on the database (a SQLite file, or a URL)."""
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": csrf,
            "HUEY_IMMEDIATE": True,
            "SERVER_NAME": "localhost",
            # Rate limits would answer 429 to the walk's many requests; they have tests of
            # their own.
            "RATELIMIT_ENABLED": False,
        }
    )


@pytest.fixture(scope="session")
def world_database(tmp_path_factory) -> tuple[Path, World]:
    path = tmp_path_factory.mktemp("world") / "world.db"
    app = security_app(path, csrf=False)
    with app.app_context():
        db.create_all()
        world = build_world()
        db.session.remove()
        db.engine.dispose()
    return path, world


@pytest.fixture
def world(world_database) -> World:
    return world_database[1]


class Database:
    """The test's copy of the world database; `restore()` puts the original back."""

    def __init__(self, original: Path, path: Path) -> None:
        self.original, self.path = original, path
        shutil.copyfile(original, path)

    def restore(self, app: Flask) -> None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.copyfile(self.original, self.path)


def _app(world_database, tmp_path, *, csrf: bool) -> Iterator[tuple[Flask, Database]]:
    database = Database(world_database[0], tmp_path / "test.db")
    app = security_app(database.path, csrf=csrf)
    yield app, database
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_app(world_database, tmp_path) -> Iterator[tuple[Flask, Database]]:
    """The world with CSRF protection on, as in production."""
    yield from _app(world_database, tmp_path, csrf=True)


@pytest.fixture
def open_app(world_database, tmp_path) -> Iterator[tuple[Flask, Database]]:
    """The world with CSRF protection off, for posting generated form data."""
    yield from _app(world_database, tmp_path, csrf=False)
