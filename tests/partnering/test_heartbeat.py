"""The job consumers' heartbeat on each kind of queue storage: a SQLite file, Redis and
PostgreSQL (the real servers on 127.0.0.1), as every web worker reads it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey

from partnering import heartbeat
from tests.production.conftest import fresh_postgres_database


@pytest.fixture(params=["sqlite", "redis", "postgresql"])
def queue(request, tmp_path) -> Iterator[Huey]:
    name = f"heartbeat-test-{uuid.uuid4().hex[:8]}"  # nobody else's queue
    if request.param == "sqlite":
        yield SqliteHuey(name, filename=str(tmp_path / "queue.db"))
    elif request.param == "redis":
        redis = RedisHuey(name, url="redis://127.0.0.1:6379/0")
        yield redis
        redis.storage.flush_all()
    else:
        with fresh_postgres_database() as url:
            postgres = PostgresHuey(name, dsn="postgresql:" + url.split(":", 1)[1])
            yield postgres
            postgres.storage.close()  # its connection, before the database is dropped


def test_no_beat_yet_then_the_latest_beat(queue):
    assert heartbeat.last_beat(queue) is None
    heartbeat.beat(queue, time.time() - 100)
    heartbeat.beat(queue)
    seen = heartbeat.last_beat(queue)
    assert seen is not None and (datetime.now(UTC) - seen).total_seconds() < 5


def test_an_old_beat_reads_as_old(queue):
    heartbeat.beat(queue, time.time() - 100)
    age = (datetime.now(UTC) - heartbeat.last_beat(queue)).total_seconds()
    assert 99 < age < 105


def test_an_unreachable_queue_reads_as_no_consumer():
    nowhere = RedisHuey("heartbeat-test", url="redis://127.0.0.1:1/0")
    assert heartbeat.last_beat(nowhere) is None
