"""The background job queue (Huey).

Where the queue lives, from PARTNERING_HUEY_URL:
- unset: a SQLite file under instance/ (one machine; `flask ... serve` starts a consumer), or,
  when PARTNERING_SQLALCHEMY_DATABASE_URI is PostgreSQL, the same database;
- `redis://...`, `postgresql://...` or `sqlite:///path` to choose explicitly, so consumers on
  other machines share the queue.

The consumer runs `huey_consumer partnering.jobs.huey`. Jobs run inside an app context:
the caller's when there is one (HUEY_IMMEDIATE runs them inline, for tests), otherwise an app
built once per consumer process from the same configuration as the web app. Every consumer
process beats into the queue's storage (partnering.heartbeat), so that the web app can tell
whether anything runs the jobs it queues.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context
from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey

from partnering import PROJECT_ROOT, heartbeat
from partnering.db_types import utcnow
from partnering.locks import writing

QUEUE_NAME = "partnering"


def queue_url(environ: dict[str, str] | os._Environ = os.environ) -> str | None:
    """The queue's location: PARTNERING_HUEY_URL, else the database when it is PostgreSQL."""
    url = environ.get("PARTNERING_HUEY_URL")
    if url:
        return url
    database = environ.get("PARTNERING_SQLALCHEMY_DATABASE_URI", "")
    return database if urlsplit(database).scheme.startswith("postgresql") else None


def make_huey(url: str | None) -> Huey:
    if not url:
        path = PROJECT_ROOT / "instance" / "jobs.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path))
    scheme = urlsplit(url).scheme
    if scheme.startswith("redis"):
        return RedisHuey(QUEUE_NAME, url=url)
    if scheme.startswith("postgres"):
        # SQLAlchemy URLs name the driver (postgresql+psycopg://); libpq does not.
        return PostgresHuey(QUEUE_NAME, dsn="postgresql:" + url.split(":", 1)[1])
    if scheme == "sqlite":
        return SqliteHuey(QUEUE_NAME, filename=urlsplit(url).path)
    raise ValueError(
        f"PARTNERING_HUEY_URL: unsupported queue {url!r} (sqlite://, redis:// or postgresql://)"
    )


huey = make_huey(queue_url())


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


@cache
def _consumer_app() -> Flask:
    from partnering import create_app

    return create_app()


@contextmanager
def app_context() -> Iterator[None]:
    """The current app context, or one of the consumer's app; a job's transactions may write."""
    if has_app_context():
        with writing():
            yield
        return
    with _consumer_app().app_context(), writing():
        yield


def enqueue(task: Callable[..., Any], *args: Any) -> None:
    """Queue a task, or run it now when the app says HUEY_IMMEDIATE (tests)."""
    if current_app.config.get("HUEY_IMMEDIATE"):
        task.call_local(*args)
    else:
        task(*args)


# The consumer imports only this module; the task modules register their tasks on `huey` when
# imported, so they are imported here (last, as they import `huey` from this module).
TASK_MODULES = ("partnering.scheduling.tasks", "partnering.outbox.tasks", "partnering.auth.tasks")
for _module in TASK_MODULES:
    importlib.import_module(_module)
