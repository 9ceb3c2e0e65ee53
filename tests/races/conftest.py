"""A live server for the race tests: the app, migrated from empty, served by werkzeug with a
thread per request, on the database under test."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask_migrate import upgrade
from racing import LiveServer, Scene
from werkzeug.serving import make_server

from partnering import create_app
from partnering.extensions import db


@pytest.fixture
def live(database_url) -> Iterator[LiveServer]:
    app = create_app(
        {
            "SECRET_KEY": "races",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "HUEY_IMMEDIATE": True,
        }
    )
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def scene(live) -> Iterator[Callable[..., Scene]]:
    made: list[Scene] = []

    def make(**options) -> Scene:
        made.append(Scene(live, **options))
        return made[-1]

    yield make
    for s in made:
        s.close()


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'race.db'}"
