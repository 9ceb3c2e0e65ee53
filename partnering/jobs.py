"""The background job queue (Huey).

With no configuration the queue is a SQLite file under instance/; set PARTNERING_HUEY_URL
(redis://... ) to share one queue between machines. The consumer imports `partnering.jobs.huey`;
tests set HUEY_IMMEDIATE to run jobs inline.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from huey import Huey, RedisHuey, SqliteHuey

from partnering import PROJECT_ROOT

QUEUE_NAME = "partnering"


def make_huey(url: str | None) -> Huey:
    if not url:
        path = PROJECT_ROOT / "instance" / "jobs.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path))
    scheme = urlsplit(url).scheme
    if scheme.startswith("redis"):
        return RedisHuey(QUEUE_NAME, url=url)
    if scheme == "sqlite":
        return SqliteHuey(QUEUE_NAME, filename=urlsplit(url).path)
    raise ValueError(f"PARTNERING_HUEY_URL: unsupported queue {url!r} (sqlite:// or redis://)")


huey = make_huey(os.environ.get("PARTNERING_HUEY_URL"))
