"""The page number a list was asked for, within what a database OFFSET can take."""

from __future__ import annotations

from flask import request

MAX_PAGE = 100_000


def requested_page() -> int:
    """`?page=N` clamped to 1..MAX_PAGE: a page past the end shows an empty list, and a huge
    number does not overflow the query."""
    page = request.args.get("page", 1, type=int)
    return min(max(page, 1), MAX_PAGE)
