"""The current instant, as the app sees it.

Pages and rules that depend on the time of day (the Today page, check-in on an event day, a
no-show once a slot has started, a re-plan "from now") read it here, so that a test or a
rehearsal of the event day can set the time: the CLOCK setting is a function returning an aware
datetime, or an ISO 8601 instant with its offset (e.g. from PARTNERING_CLOCK); None is the wall
clock.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from partnering.db_types import utcnow


def now() -> datetime:
    clock = current_app.config.get("CLOCK")
    if clock is None:
        return utcnow()
    instant = datetime.fromisoformat(clock) if isinstance(clock, str) else clock()
    if instant.tzinfo is None:
        raise ValueError(f"CLOCK gave the naive datetime {instant!r}: give it a timezone")
    return instant
