"""Every row of every table, to prove that a request changed nothing."""

from __future__ import annotations

from flask import Flask

from partnering.extensions import db

IGNORED_COLUMNS: dict[str, set[str]] = {}
"""Columns that a harmless request may change (none today; e.g. a last-seen time), per table,
each with the reason in a comment."""

Snapshot = dict[str, list[tuple]]


def take(app: Flask) -> Snapshot:
    with app.app_context():
        try:
            out = {}
            for table in db.metadata.sorted_tables:
                ignored = IGNORED_COLUMNS.get(table.name, set())
                columns = [c for c in table.columns if c.name not in ignored]
                rows = db.session.execute(
                    db.select(*columns).order_by(*table.primary_key.columns)
                ).all()
                out[table.name] = [tuple(row) for row in rows]
            return out
        finally:
            db.session.remove()


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
