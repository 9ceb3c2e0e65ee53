"""Live servers for the race tests, on the database under test:

- `threaded`: werkzeug with a thread per request, in the test process, on an empty database;
- `gunicorn`: two gunicorn worker processes with the Redis job queue, as in production. It is
  started once for the module, on a database of its own (every scene brings its own event).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from flask import Flask
from flask_migrate import upgrade
from racing import RaceServer, Scene

from partnering import create_app
from partnering.extensions import db
from tests.keys import TEST_SECRET_KEY
from tests.servers import start_gunicorn, start_threaded

REDIS_QUEUE = "redis://127.0.0.1:6379/14"


def scene_app(database_url: str, secret_key: str = TEST_SECRET_KEY) -> Flask:
    """The test's own app on the server's database, for building scenes and judging them (with
    the server's secret key: it signs the login links)."""
    return create_app(
        {
            "SECRET_KEY": secret_key,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "HUEY_IMMEDIATE": True,
        }
    )


@pytest.fixture(scope="module")
def gunicorn_server(empty_database) -> Iterator[RaceServer]:
    queue = redis.Redis.from_url(REDIS_QUEUE)
    queue.flushdb()
    url = empty_database("races_gunicorn")
    with start_gunicorn(url, workers=2, queue_url=REDIS_QUEUE) as server:
        app = scene_app(url, server.env["PARTNERING_SECRET_KEY"])
        yield RaceServer(app, server.base_url)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    queue.flushdb()


@pytest.fixture
def threaded_server(database_url) -> Iterator[RaceServer]:
    app = scene_app(database_url)
    with app.app_context():
        upgrade()
    with start_threaded(app) as server:
        yield RaceServer(app, server.base_url)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["threaded", "gunicorn"])
def live(request) -> RaceServer:
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture
def scene(live) -> Iterator[Callable[..., Scene]]:
    made: list[Scene] = []

    def make(**options) -> Scene:
        made.append(Scene(live, **options))
        return made[-1]

    yield make
    for s in made:
        s.close()
