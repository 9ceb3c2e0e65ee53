"""Where the job queue lives: from the app's configuration (instance config file, environment,
or the test's), read when the app is made, never at import time."""

from __future__ import annotations

import gc
import os
import sqlite3

import pytest
from huey.storage import RedisStorage, SqliteStorage

from partnering import create_app, jobs
from partnering.config import ENV_PREFIX
from partnering.extensions import db
from partnering.jobs import huey, make_storage, queue_url
from partnering.outbox.tasks import deliver_outbox
from tests.keys import TEST_SECRET_KEY


@pytest.fixture
def no_settings_in_environment(monkeypatch):
    """The tests' own PARTNERING_* variables would override the instance config file."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX + "_"):
            monkeypatch.delenv(name)


def instance_with_config(folder, text: str):
    folder.mkdir()
    (folder / "config.py").write_text(text)
    return folder


def queued_tasks(path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM task").fetchone()[0]


def test_huey_url_in_the_instance_config_file_is_the_queue(tmp_path, no_settings_in_environment):
    queue = tmp_path / "elsewhere" / "queue.db"
    queue.parent.mkdir()
    instance = instance_with_config(
        tmp_path / "instance",
        f'SQLALCHEMY_DATABASE_URI = "sqlite:///{tmp_path}/app.db"\n'
        f'SECRET_KEY = "{TEST_SECRET_KEY}"\n'
        f'HUEY_URL = "sqlite://{queue}"\n',
    )
    app = create_app(instance_path=instance)
    with app.app_context():
        assert huey.storage.filename == str(queue)
        jobs.enqueue(deliver_outbox)
        db.engine.dispose()
    assert queued_tasks(queue) == 1
    assert not (instance / "jobs.db").exists()


def test_the_environment_overrides_the_instance_config_file(
    tmp_path, monkeypatch, no_settings_in_environment
):
    instance = instance_with_config(
        tmp_path / "instance",
        f'SQLALCHEMY_DATABASE_URI = "sqlite:///{tmp_path}/app.db"\n'
        f'SECRET_KEY = "{TEST_SECRET_KEY}"\n'
        f'HUEY_URL = "sqlite://{tmp_path}/from-file.db"\n',
    )
    monkeypatch.setenv("PARTNERING_HUEY_URL", "redis://127.0.0.1:6379/15")
    app = create_app(instance_path=instance)
    with app.app_context():
        storage = huey.storage
        assert isinstance(storage, RedisStorage)
        assert storage.pool.connection_kwargs["db"] == 15


def test_no_configuration_keeps_the_queue_in_sqlite_in_the_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/app.db",
        },
        instance_path=instance,
    )
    assert not instance.exists(), "nothing is made before the queue is used"
    with app.app_context():
        jobs.enqueue(deliver_outbox)
        assert huey.storage.filename == str(instance / "jobs.db")
        db.engine.dispose()
    assert queued_tasks(instance / "jobs.db") == 1


def test_each_app_has_its_own_queue(tmp_path):
    first, second = (
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": TEST_SECRET_KEY,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/{name}.db",
                "HUEY_URL": f"sqlite://{tmp_path}/{name}-jobs.db",
            }
        )
        for name in ("first", "second")
    )
    with first.app_context():
        assert huey.storage.filename == f"{tmp_path}/first-jobs.db"
    with second.app_context():
        assert huey.storage.filename == f"{tmp_path}/second-jobs.db"


def test_a_postgresql_database_carries_the_queue_unless_one_is_named():
    database = "postgresql+psycopg://app@db.example/partnering"
    assert queue_url({"SQLALCHEMY_DATABASE_URI": database}) == database
    assert (
        queue_url({"SQLALCHEMY_DATABASE_URI": database, "HUEY_URL": "redis://cache:6379/1"})
        == "redis://cache:6379/1"
    )
    assert queue_url({"SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/x.db"}) is None


def test_queue_kinds_by_url(tmp_path):
    assert isinstance(make_storage("redis://127.0.0.1:6379/0", tmp_path), RedisStorage)
    sqlite = make_storage(f"sqlite://{tmp_path / 'q.db'}", tmp_path)
    assert isinstance(sqlite, SqliteStorage) and sqlite.filename == str(tmp_path / "q.db")
    with pytest.raises(ValueError, match="unsupported queue"):
        make_storage("amqp://broker", tmp_path)


def test_an_unsupported_queue_stops_the_app_at_start(tmp_path):
    with pytest.raises(ValueError, match="HUEY_URL: unsupported queue 'amqp://broker'"):
        create_app(
            {
                "SECRET_KEY": TEST_SECRET_KEY,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/app.db",
                "HUEY_URL": "amqp://broker",
            }
        )


def test_outside_an_app_and_a_consumer_the_queue_is_nobodys():
    with pytest.raises(RuntimeError, match="outside an app context"):
        huey.storage  # noqa: B018


def test_an_app_let_go_closes_its_queue_connection(database_url, tmp_path):
    """On PostgreSQL the queue is a connection to the database: dropping the app closes it,
    rather than leaving it open for the garbage collector to find (a ResourceWarning)."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url},
        instance_path=str(tmp_path / "instance"),
    )
    with app.app_context():
        assert jobs.jobs_running() is False  # reads the consumers' heartbeat: opens the queue
        storage = huey.storage
        db.session.remove()
        db.engine.dispose()
    if hasattr(storage, "_conn"):  # SQL storages keep one connection
        assert storage._conn is not None
    del app
    gc.collect()
    if hasattr(storage, "_conn"):
        assert storage._conn is None
