"""The bulk actions' jobs on the Huey queue."""

from __future__ import annotations

from huey import crontab

from partnering.bulk.runner import execute_job, silent_jobs
from partnering.jobs import app_context, huey


@huey.task(context=False)
def run_bulk_job(job_id: int) -> None:
    with app_context():
        execute_job(job_id)


@huey.periodic_task(crontab(minute="*"))
def take_over_silent_bulk_jobs() -> None:
    """A bulk job whose worker died is run again by the next consumer that looks."""
    with app_context():
        for job_id in silent_jobs():
            execute_job(job_id)
