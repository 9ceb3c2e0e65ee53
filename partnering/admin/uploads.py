"""Uploaded CSV files kept between the upload and the column mapping step (a file can be far
larger than a form field may carry), in UPLOAD_FOLDER, by default uploads/ in the instance
folder. Several web machines must share that folder."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app

from partnering.events.models import Event

TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_AGE = 24 * 3600  # seconds an abandoned upload is kept


def _folder() -> Path:
    folder = Path(
        current_app.config["UPLOAD_FOLDER"] or Path(current_app.instance_path) / "uploads"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(event: Event, token: str) -> Path | None:
    if not TOKEN.match(token or ""):
        return None
    return _folder() / f"event{event.id}-{token}.csv"


def save_upload(event: Event, data: bytes) -> str:
    _forget_old()
    token = secrets.token_hex(16)
    path = _path(event, token)
    assert path is not None
    path.write_bytes(data)
    return token


def read_upload(event: Event, token: str) -> bytes | None:
    """The upload's bytes; None when the token is unknown, expired or another event's."""
    path = _path(event, token)
    if path is None or not path.exists():
        return None
    return path.read_bytes()


def discard_upload(event: Event, token: str) -> None:
    path = _path(event, token)
    if path is not None:
        path.unlink(missing_ok=True)


def _forget_old() -> None:
    limit = time.time() - MAX_AGE
    for path in _folder().glob("event*.csv"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
