"""The app's own secret key, kept in <instance>/secret_key when none is configured: random,
made on first start, readable by the owner only, and the same for every process that starts
from the same instance folder (gunicorn workers, job consumers, commands)."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from partnering.config import MIN_SECRET_KEY_LENGTH, ConfigError

FILE_NAME = "secret_key"


def instance_secret_key(instance_path: str | Path) -> str:
    """The key in the instance folder, made when there is none yet. Processes starting at the
    same instant agree: the first to put its file in place wins, the others read it."""
    path = Path(instance_path) / FILE_NAME
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    try:
        _create(path, secrets.token_hex(32))
    except FileExistsError:
        pass  # another process was first: its key is the one
    except OSError as exc:
        raise ConfigError(f"Cannot write the secret key file {path}: {exc.strerror}") from None
    return _read(path)


def _create(path: Path, key: str) -> None:
    """Write the key to a private temporary file (mkstemp opens it with O_EXCL, mode 0600)
    and link it into place. The link, like O_EXCL, fails when the name exists; unlike an
    O_EXCL open of the final name, it never shows another process a file still being
    written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE_NAME}-")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _read(path: Path) -> str:
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not text"
        raise ConfigError(f"Cannot read the secret key file {path}: {reason}") from None
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"The secret key file {path} is damaged (shorter than {MIN_SECRET_KEY_LENGTH}"
            " characters): delete it and a new key is made at the next start"
            " (everybody is logged out)"
        )
    return key
