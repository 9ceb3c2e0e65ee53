"""The secret key: with none configured, the app makes its own in the instance folder on first
start and keeps it; a configured key that is the old public default or short is refused."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys

import pytest

from partnering import create_app
from partnering.config import OLD_PUBLIC_KEY, ConfigError
from partnering.secret_key import FILE_NAME


def unconfigured_app(instance, database, **settings):
    """An app as it starts with no key configured (only its folders are the test's)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": database, **settings}, instance_path=instance)


def test_the_key_file_is_made_on_first_start_and_then_reused(tmp_path):
    instance = tmp_path / "instance"
    database = f"sqlite:///{tmp_path}/k.db"
    first = unconfigured_app(instance, database)
    key_file = instance / FILE_NAME
    assert key_file.read_text().strip() == first.secret_key
    assert len(first.secret_key) == 64 and int(first.secret_key, 16) >= 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert os.listdir(instance) == [FILE_NAME]  # no temporary file left behind

    again = unconfigured_app(instance, database, PRODUCTION=True)
    assert again.secret_key == first.secret_key
    elsewhere = unconfigured_app(tmp_path / "other", database)
    assert elsewhere.secret_key != first.secret_key


def _start(instance: str, database: str, barrier, answers) -> None:
    barrier.wait()
    answers.put(unconfigured_app(instance, database).secret_key)


def test_processes_starting_at_the_same_instant_agree_on_one_key(tmp_path):
    """As gunicorn workers do on a first start: each makes a key, one wins, all use it."""
    instance, database = str(tmp_path / "instance"), f"sqlite:///{tmp_path}/k.db"
    processes = 8
    context = multiprocessing.get_context("fork")
    barrier, answers = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_start, args=(instance, database, barrier, answers))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    keys = [answers.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    answers.close()
    answers.join_thread()
    assert set(keys) == {(tmp_path / "instance" / FILE_NAME).read_text().strip()}
    assert os.listdir(instance) == [FILE_NAME]


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (OLD_PUBLIC_KEY, "public default"),
        (OLD_PUBLIC_KEY.encode(), "public default"),
        ("", "shorter than 32 characters"),
        ("x" * 31, "shorter than 32 characters"),
        (b"\x01" * 16, "shorter than 32 characters"),
        (12345678901234567890123456789012345, "must be text"),
    ],
    ids=["old default", "old default as bytes", "empty", "31 characters", "16 bytes", "number"],
)
@pytest.mark.parametrize("production", [False, True], ids=["development", "production"])
def test_a_known_or_short_key_is_refused_in_every_mode(tmp_path, key, reason, production):
    with pytest.raises(ConfigError, match=reason):
        create_app(
            {
                "SECRET_KEY": key,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.db",
                "PRODUCTION": production,
                "TESTING": not production,
            },
            instance_path=tmp_path / "instance",
        )
    assert not (tmp_path / "instance" / FILE_NAME).exists()


def test_a_long_enough_configured_key_is_used_as_it_is(tmp_path):
    key = "k" * 32
    app = create_app(
        {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.db"},
        instance_path=tmp_path / "instance",
    )
    assert app.secret_key == key
    assert not (tmp_path / "instance" / FILE_NAME).exists()


def test_a_damaged_key_file_is_refused_with_what_to_do(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / FILE_NAME).write_text("short\n")
    with pytest.raises(ConfigError, match="is damaged .* delete it"):
        unconfigured_app(instance, f"sqlite:///{tmp_path}/k.db")


FLASK = [sys.executable, "-m", "flask", "--app", "partnering"]


@pytest.mark.parametrize("key", [OLD_PUBLIC_KEY, "s3cret"], ids=["old default", "short"])
def test_a_command_with_a_refused_key_says_why_on_one_line(tmp_path, key):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PARTNERING_")},
        "PARTNERING_SECRET_KEY": key,
        "PARTNERING_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.db",
    }
    done = subprocess.run([*FLASK, "init-db"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("Error: SECRET_KEY is ")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "k.db").exists()
