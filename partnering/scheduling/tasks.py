"""The scheduling jobs on the Huey queue."""

from __future__ import annotations

from partnering.jobs import app_context, huey
from partnering.scheduling.runs import execute_run


@huey.task(context=False)
def run_schedule(run_id: int) -> None:
    with app_context():
        execute_run(run_id)
