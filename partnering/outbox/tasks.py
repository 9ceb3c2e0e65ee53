"""Background jobs of the outbox: a round after each queueing, and one every minute."""

from __future__ import annotations

from huey import crontab

from partnering.jobs import app_context, huey
from partnering.outbox.sender import deliver_due


@huey.task()
def deliver_outbox() -> None:
    with app_context():
        deliver_due(limit=None)


@huey.periodic_task(crontab(minute="*"))
def deliver_outbox_every_minute() -> None:
    with app_context():
        deliver_due(limit=None)
