"""A real Huey consumer process on a SQLite queue runs a bulk decision job to the end."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from partnering import create_app
from partnering.bulk.models import BulkJob
from partnering.bulk.operations import start_decisions
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant
from tests.keys import TEST_SECRET_KEY


def test_a_consumer_process_runs_the_decisions(tmp_path, create_event, create_participant):
    event = create_event()
    people = [create_participant(event, status="pending") for _ in range(4)]
    ids, event_id = [p.id for p in people], event.id
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
    with app.app_context():
        job = start_decisions(db.session.get(Event, event_id), None, ids, "approved")
        job_id = job.id
        assert job.status == "queued"
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
            status = db.session.get(BulkJob, job_id).status
    finally:
        consumer.terminate()
        _, errors = consumer.communicate(timeout=10)
    job = db.session.get(BulkJob, job_id)
    assert job.status == "done", (job.error, errors.decode()[-2000:])
    assert job.changed == 4 and job.result == "4 registrations approved."
    statuses = db.session.scalars(
        db.select(Participant.status).where(Participant.id.in_(ids))
    ).all()
    assert statuses == ["approved"] * 4
