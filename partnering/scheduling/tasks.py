"""The scheduling jobs on the Huey queue."""

from __future__ import annotations

from flask import current_app
from huey import crontab

from partnering.extensions import db
from partnering.jobs import app_context, enqueue, huey
from partnering.outbox.operations import deliver_soon
from partnering.scheduling.models import PublishJob
from partnering.scheduling.publishing import (
    execute_publication,
    share_emails,
    silent_publications,
)
from partnering.scheduling.runs import execute_run


@huey.task(context=False)
def run_schedule(run_id: int) -> None:
    with app_context():
        execute_run(run_id)


@huey.task(context=False)
def publish_schedule(job_id: int) -> None:
    with app_context():
        job = execute_publication(job_id, share=_more_workers)
        if job is not None and job.emails_queued:
            deliver_soon()


@huey.task(context=False)
def share_publication_emails(job_id: int) -> None:
    with app_context():
        if share_emails(job_id) is not None:
            deliver_soon()


def _more_workers(job: PublishJob) -> None:
    """Other consumer workers join the job on its emails (PUBLISH_WORKERS in all): on
    PostgreSQL, whose skip-locked batches they share, and when jobs are not run inline."""
    config = current_app.config
    if config.get("HUEY_IMMEDIATE") or db.engine.dialect.name != "postgresql":
        return
    for _ in range(config["PUBLISH_WORKERS"] - 1):
        enqueue(share_publication_emails, job.id)


@huey.periodic_task(crontab(minute="*"))
def take_over_silent_publications() -> None:
    """A publication whose worker died is finished by the next consumer that looks."""
    with app_context():
        for job_id in silent_publications():
            job = execute_publication(job_id, share=_more_workers)
            if job is not None and job.emails_queued:
                deliver_soon()
