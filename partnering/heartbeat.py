"""Whether a job consumer is alive, for every web worker on every machine to see.

Each consumer process writes the time into the queue's own key/value storage every
BEAT_SECONDS (the SQLite file, Redis or PostgreSQL that carries the jobs), so whoever can
queue a job can also tell whether anything will run it. The time is wall-clock time: the
reader may be on another machine. A stopped consumer leaves its last beat behind; readers
judge it by its age.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from huey import Huey
from huey.constants import EmptyData

log = logging.getLogger(__name__)

KEY = "partnering:consumer-heartbeat"
BEAT_SECONDS = 5.0

_beating = threading.Lock()
"""Held for good by the process's beating thread: Huey calls a startup hook in every worker
thread, and one beat per process is enough."""


def beat(huey: Huey, now: float | None = None) -> None:
    huey.storage.put_data(KEY, repr(time.time() if now is None else now).encode())


def last_beat(huey: Huey) -> datetime | None:
    """When a consumer last said it was alive; None when none ever did, or the queue's storage
    cannot be read (then nothing runs the jobs either)."""
    try:
        raw = huey.storage.peek_data(KEY)
    except Exception:  # noqa: BLE001 - an unreachable queue means no consumer, not an error page
        log.warning("cannot read the job consumers' heartbeat", exc_info=True)
        return None
    if raw is EmptyData or raw is None:
        return None
    return datetime.fromtimestamp(float(bytes(raw).decode()), UTC)


def start_beating(huey: Huey) -> None:
    """Beat now, then every BEAT_SECONDS in a daemon thread that dies with the process."""
    if not _beating.acquire(blocking=False):
        return

    def run() -> None:
        while True:
            try:
                beat(huey)
            except Exception:  # noqa: BLE001 - the queue may come back: keep trying
                log.warning("cannot write the job consumer's heartbeat", exc_info=True)
            time.sleep(BEAT_SECONDS)

    threading.Thread(target=run, name="consumer-heartbeat", daemon=True).start()
