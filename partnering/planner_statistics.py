"""Fresh planner statistics after a bulk write.

PostgreSQL picks its plans from per-table statistics that autovacuum refreshes only after a
while (and never where it is turned off). Right after thousands of rows arrive in one go, it
still believes the tables nearly empty and answers a participant's page with sequential scans
of every meeting of the event. Analysing the written tables at once gives the indexes back.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, text

from partnering.extensions import db


def refresh_statistics(tables: Iterable[Table]) -> None:
    """ANALYZE `tables` on PostgreSQL and commit; nothing elsewhere (SQLite plans without)."""
    if db.engine.dialect.name != "postgresql":
        return
    quote = db.engine.dialect.identifier_preparer.quote_identifier
    names = ", ".join(quote(t.name) for t in tables)
    db.session.execute(text(f"ANALYZE {names}"))
    db.session.commit()
