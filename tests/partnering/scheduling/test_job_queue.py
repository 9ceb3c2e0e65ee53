"""Where the job queue lives, from the environment."""

from __future__ import annotations

import pytest
from huey import RedisHuey, SqliteHuey

from partnering.jobs import make_huey, queue_url


def test_no_configuration_keeps_the_queue_in_sqlite_under_instance():
    assert queue_url({}) is None
    queue = make_huey(None)
    assert isinstance(queue, SqliteHuey)
    assert queue.storage.filename.endswith("instance/jobs.db")


def test_a_postgresql_database_carries_the_queue_unless_one_is_named():
    database = "postgresql+psycopg://app@db.example/partnering"
    assert queue_url({"PARTNERING_SQLALCHEMY_DATABASE_URI": database}) == database
    assert (
        queue_url(
            {
                "PARTNERING_SQLALCHEMY_DATABASE_URI": database,
                "PARTNERING_HUEY_URL": "redis://cache:6379/1",
            }
        )
        == "redis://cache:6379/1"
    )
    assert queue_url({"PARTNERING_SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/x.db"}) is None


def test_queue_kinds_by_url(tmp_path):
    assert isinstance(make_huey("redis://127.0.0.1:6379/0"), RedisHuey)
    sqlite = make_huey(f"sqlite://{tmp_path / 'q.db'}")
    assert sqlite.storage.filename == str(tmp_path / "q.db")
    with pytest.raises(ValueError, match="unsupported queue"):
        make_huey("amqp://broker")
