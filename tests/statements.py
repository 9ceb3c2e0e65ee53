"""Counting the SQL statements an action issues: the query-count tests compare them at two
sizes of an event and fail when the count grows with it (one query per row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def statements_seen(engine: Engine) -> Iterator[list[str]]:
    """The statements `engine` issues while the block runs, in order."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
