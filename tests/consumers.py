"""A real Huey consumer process, run by a test until the job it watches has ended."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from partnering.extensions import db
from tests.keys import TEST_SECRET_KEY

ACTIVE = ("queued", "running")


def consume_until_ended(
    database: str,
    queue: Path,
    status_now: Callable[[], str],
    instance: Path | None = None,
    within: float = 60,
) -> str:
    """Run a consumer on `database` and the SQLite job queue `queue` (with `instance` as its
    instance folder, as on another machine) until `status_now()` says the job has ended, or
    `within` seconds; returns the end of the consumer's stderr, to explain a failure."""
    env = {
        **os.environ,
        "PARTNERING_SQLALCHEMY_DATABASE_URI": database,
        "PARTNERING_HUEY_URL": f"sqlite://{queue}",
        "PARTNERING_SECRET_KEY": TEST_SECRET_KEY,
    }
    if instance is not None:
        env["PARTNERING_INSTANCE_PATH"] = str(instance)
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "partnering.jobs.huey", "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + within
        status = "queued"
        while time.monotonic() < deadline and status in ACTIVE:
            time.sleep(0.5)
            db.session.rollback()  # a new read transaction sees the consumer's writes
            status = status_now()
    finally:
        consumer.terminate()
        _, errors = consumer.communicate(timeout=10)
    return errors.decode()[-2000:]
