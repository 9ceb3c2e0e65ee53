"""A real Huey consumer process on a SQLite queue runs a scheduler run to the end."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from partnering import create_app
from partnering.extensions import db
from partnering.scheduling import operations
from partnering.scheduling.models import ScheduleRun
from tests.keys import TEST_SECRET_KEY


def test_a_consumer_process_runs_the_job(tmp_path, fair):
    database = db.engine.url.render_as_string(hide_password=False)
    queue = tmp_path / "queue.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database,
            "HUEY_URL": f"sqlite://{queue}",
        }
    )
    # Read before the other app's context: inside it, this session would borrow that app's engine.
    event_type, event_id = type(fair.event), fair.event.id
    with app.app_context():
        run = operations.start_run(db.session.get(event_type, event_id), None, time_limit=1)
        run_id = run.id
        assert run.status == "queued"
        db.session.remove()
        db.engine.dispose()
    env = {
        **os.environ,
        "PARTNERING_SQLALCHEMY_DATABASE_URI": database,
        "PARTNERING_HUEY_URL": f"sqlite://{queue}",
        "PARTNERING_SECRET_KEY": TEST_SECRET_KEY,
    }
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "partnering.jobs.huey", "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        status = "queued"
        while time.monotonic() < deadline and status in ("queued", "running"):
            time.sleep(0.5)
            db.session.rollback()  # a new read transaction sees the consumer's writes
            status = db.session.get(ScheduleRun, run_id).status
    finally:
        consumer.terminate()
        _, errors = consumer.communicate(timeout=10)
    run = db.session.get(ScheduleRun, run_id)
    assert run.status == "done", (run.error, errors.decode()[-2000:])
    assert run.summary["result"]["meetings_scheduled"] == 7
