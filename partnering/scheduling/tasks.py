"""The scheduling jobs on the Huey queue."""

from __future__ import annotations

from huey import crontab

from partnering.jobs import app_context, huey
from partnering.outbox.operations import deliver_soon
from partnering.scheduling.publishing import execute_publication, silent_publications
from partnering.scheduling.runs import execute_run


@huey.task(context=False)
def run_schedule(run_id: int) -> None:
    with app_context():
        execute_run(run_id)


@huey.task(context=False)
def publish_schedule(job_id: int) -> None:
    with app_context():
        job = execute_publication(job_id)
        if job is not None and job.emails_queued:
            deliver_soon()


@huey.periodic_task(crontab(minute="*"))
def take_over_silent_publications() -> None:
    """A publication whose worker died is finished by the next consumer that looks."""
    with app_context():
        for job_id in silent_publications():
            job = execute_publication(job_id)
            if job is not None and job.emails_queued:
                deliver_soon()
