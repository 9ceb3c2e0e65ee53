"""Driving bulk jobs in tests: a queue of the test's own, a consumer's round, a worker that dies."""

from __future__ import annotations

from datetime import timedelta

from partnering import jobs
from partnering.bulk.models import BulkJob
from partnering.db_types import utcnow
from partnering.extensions import db


class Killed(BaseException):
    """The worker process dies here: nothing after this line runs, its transaction is lost."""


def own_queue(app, tmp_path):
    """Jobs really queued (not run inline) on a SQLite queue in tmp_path/queue.db; the Huey
    instance."""
    app.config.update(HUEY_IMMEDIATE=False, HUEY_URL=f"sqlite:///{tmp_path / 'queue.db'}")
    jobs.init_app(app)  # the app's queue, from the configuration as it is now
    return jobs.huey


def consume(queue) -> None:
    """What a consumer does: run every queued task."""
    while (task := queue.dequeue()) is not None:
        queue.execute(task)


def make_silent(app, job: BulkJob) -> None:
    """The job's worker last gave a sign of life longer ago than a silent job may."""
    job.heartbeat_at = utcnow() - timedelta(seconds=app.config["RUN_SILENT_AFTER"] + 5)
    db.session.commit()


def only_job() -> BulkJob:
    return db.session.execute(db.select(BulkJob)).scalar_one()


def job_count() -> int:
    return db.session.scalar(db.select(db.func.count(BulkJob.id)))
