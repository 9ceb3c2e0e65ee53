"""Background jobs of registrations: the organisers' digest of new registrations, checked
every hour (REGISTRATION_DIGEST_HOURS sets how often an event gets one)."""

from __future__ import annotations

from huey import crontab

from partnering.jobs import app_context, huey
from partnering.outbox.operations import deliver_soon
from partnering.registrations.digest import send_digests


@huey.periodic_task(crontab(minute="7"))
def send_registration_digests() -> None:
    with app_context():
        if send_digests():
            deliver_soon()
