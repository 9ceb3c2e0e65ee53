"""The background job queue (Huey), configured by each app.

Where an app's queue lives, from its configuration (HUEY_URL):
- unset: the database when SQLALCHEMY_DATABASE_URI is PostgreSQL, else a SQLite file jobs.db in
  the instance folder (one machine; `flask ... serve` starts a consumer);
- `redis://...`, `postgresql://...` or `sqlite:///path` to choose explicitly, so consumers on
  other machines share the queue.

Tasks are declared once, on `huey`; its storage is the current app's (init_app gives each app
the storage its configuration names, made on first use: an app that runs its jobs inline never
makes one). The consumer runs `huey_consumer partnering.jobs.huey`: when it starts, it builds
the app from the same configuration as the web app (create_app()), and outside an app context
(its scheduler and workers) the queue is that app's. Jobs run inside an app context: the
caller's when there is one (HUEY_IMMEDIATE runs them inline, for tests), otherwise the
consumer's app's. Every consumer process beats into the queue's storage (partnering.heartbeat),
so that the web app can tell whether anything runs the jobs it queues.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.consumer import Consumer
from huey.storage import BaseStorage, PostgresStorage, RedisStorage, SqliteStorage

from partnering import create_app, heartbeat
from partnering.db_types import utcnow
from partnering.locks import writing

QUEUE_NAME = "partnering"
EXTENSION = "partnering.jobs"


def queue_url(config: Mapping[str, Any]) -> str | None:
    """The queue's location: HUEY_URL, else the database when it is PostgreSQL, else None (a
    SQLite file in the instance folder)."""
    url = config.get("HUEY_URL")
    if url:
        return url
    database = config.get("SQLALCHEMY_DATABASE_URI") or ""
    return database if urlsplit(database).scheme.startswith("postgresql") else None


def queue_kind(url: str) -> str:
    """sqlite, redis or postgres: the storage a queue URL names."""
    scheme = urlsplit(url).scheme
    for kind in ("redis", "postgres"):
        if scheme.startswith(kind):
            return kind
    if scheme == "sqlite":
        return "sqlite"
    raise ValueError(f"HUEY_URL: unsupported queue {url!r} (sqlite://, redis:// or postgresql://)")


def make_storage(url: str | None, instance_path: str | Path) -> BaseStorage:
    if not url:
        folder = Path(instance_path)
        folder.mkdir(parents=True, exist_ok=True)
        return SqliteStorage(QUEUE_NAME, filename=str(folder / "jobs.db"))
    kind = queue_kind(url)
    if kind == "redis":
        return RedisStorage(QUEUE_NAME, url=url)
    if kind == "postgres":
        # SQLAlchemy URLs name the driver (postgresql+psycopg://); libpq does not.
        return PostgresStorage(QUEUE_NAME, dsn="postgresql:" + url.split(":", 1)[1])
    return SqliteStorage(QUEUE_NAME, filename=urlsplit(url).path)


class AppStorage:
    """An app's queue storage, made from its configuration when first used (by one thread:
    a second connection to the queue would be left open)."""

    def __init__(self, app: Flask) -> None:
        url = queue_url(app.config)
        if url:
            queue_kind(url)  # a wrong setting stops the app at start, not at its first job
        self.app = app
        self._storage: BaseStorage | None = None
        self._making = threading.Lock()

    @property
    def storage(self) -> BaseStorage:
        with self._making:
            if self._storage is None:
                self._storage = make_storage(queue_url(self.app.config), self.app.instance_path)
                # Its connection closes with the app, not whenever the garbage collector finds
                # it (an app that is let go would hold a database connection until then).
                weakref.finalize(self, self._storage.close)
            return self._storage


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = AppStorage(app)


class AppQueue(Huey):
    """Huey with the app's storage: the current app's, or outside an app context the consumer's
    app's (built in create_consumer)."""

    consumer_app: Flask | None = None

    def create_storage(self) -> None:
        return None  # each app has its own: see `storage`

    @property
    def storage(self) -> BaseStorage:
        if has_app_context():
            app = current_app
        elif self.consumer_app is not None:
            app = self.consumer_app
        else:
            raise RuntimeError("the job queue is used outside an app context")
        return app.extensions[EXTENSION].storage

    @storage.setter
    def storage(self, value: BaseStorage | None) -> None:
        # Huey's constructor stores what create_storage made: nothing.
        if value is not None:
            raise AttributeError("the queue's storage comes from the app's HUEY_URL")

    def create_consumer(self, **options: Any) -> Consumer:
        """`huey_consumer partnering.jobs.huey`: the consumer runs the jobs of an app made from
        the same configuration as the web app's."""
        self.consumer_app = create_app()
        return super().create_consumer(**options)


huey = AppQueue(QUEUE_NAME)


@huey.on_startup("heartbeat")
def _beat_while_alive() -> None:
    heartbeat.start_beating(huey)


def jobs_running() -> bool:
    """Whether queued jobs get run: inline (HUEY_IMMEDIATE), or a consumer beat within the
    last CONSUMER_SILENT_AFTER seconds."""
    if current_app.config.get("HUEY_IMMEDIATE"):
        return True
    last = heartbeat.last_beat(huey)
    silent_after = timedelta(seconds=current_app.config["CONSUMER_SILENT_AFTER"])
    return last is not None and utcnow() - last <= silent_after


@contextmanager
def app_context() -> Iterator[None]:
    """The current app context, or one of the consumer's app; a job's transactions may write."""
    if has_app_context():
        with writing():
            yield
        return
    if huey.consumer_app is None:
        raise RuntimeError("a job outside an app context, and not in a consumer")
    with huey.consumer_app.app_context(), writing():
        yield


def enqueue(task: Callable[..., Any], *args: Any) -> None:
    """Queue a task, or run it now when the app says HUEY_IMMEDIATE (tests)."""
    if current_app.config.get("HUEY_IMMEDIATE"):
        task.call_local(*args)
    else:
        task(*args)
