"""Where a `next` or `back` value may send a browser: only to a path of this site."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def local_path(target: object, fallback: str | None) -> str | None:
    """`target` when it is a path on this site ("/e/osaka/?page=2"), else `fallback`.

    Refused: anything with a scheme or a host ("https://x", "javascript:x", "//x"), and what
    browsers read as one: a backslash (to them "/\\x" is "//x"), and control characters and
    white space, some of which they drop before reading a URL ("/<TAB>/x" is "//x")."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(c.isspace() or unicodedata.category(c) == "Cc" for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
