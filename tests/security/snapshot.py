"""Every row of every table, to prove that a request changed nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from flask import Flask
from sqlalchemy import make_url, text

from partnering.extensions import db

IGNORED_COLUMNS: dict[str, set[str]] = {}
"""Columns that a harmless request may change (none today; e.g. a last-seen time), per table,
each with the reason in a comment."""

Snapshot = dict[str, list[tuple]]


def take(app: Flask) -> Snapshot:
    queries = {}
    for table in db.metadata.sorted_tables:
        ignored = IGNORED_COLUMNS.get(table.name, set())
        columns = ", ".join(f'"{c.name}"' for c in table.columns if c.name not in ignored)
        order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
        queries[table.name] = f'SELECT {columns} FROM "{table.name}" ORDER BY {order}'
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        # Straight through sqlite3: the walk takes hundreds of snapshots.
        with closing(sqlite3.connect(url.database)) as connection:
            return {name: connection.execute(sql).fetchall() for name, sql in queries.items()}
    with app.app_context(), db.engine.connect() as connection:
        return {
            name: [tuple(row) for row in connection.execute(text(sql))]
            for name, sql in queries.items()
        }


def changes(before: Snapshot, after: Snapshot, limit: int = 3) -> list[str]:
    """What differs, table by table, in words (a few rows each)."""
    out = []
    for table in sorted(set(before) | set(after)):
        old, new = set(before.get(table, [])), set(after.get(table, []))
        if old == new:
            continue
        gone, came = sorted(old - new, key=repr), sorted(new - old, key=repr)
        out.append(
            f"{table}: {len(gone)} row(s) changed or removed {_short(gone[:limit])}, "
            f"{len(came)} row(s) changed or added {_short(came[:limit])}"
        )
    return out


def _short(rows: list[tuple]) -> str:
    return repr(rows)[:400]
