"""Write locks for operations that read, check and then write.

Two requests may run the same operation at the same instant (two tabs, two people). An
operation whose checks read the database first calls `lock_for_writing(...)` with the rows that
stand for what it checks (the two people of a request, the event of a schedule edit). A second
request doing the same waits until the first has committed, then reads what it wrote, so every
check sees every earlier write:

- PostgreSQL: `SELECT ... FOR UPDATE` on those rows, in one fixed order (table name, then id),
  so two operations never wait for each other in a circle.
- SQLite: the transaction starts again as `BEGIN IMMEDIATE`, the database's single write lock.

Everything loaded before the lock is read again afterwards. The unique indexes of
`partnering.meetings.integrity` stay the last line: what a lock does not cover, the database
refuses.
"""

from __future__ import annotations

from collections import defaultdict
from contextvars import ContextVar

from flask import Flask
from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Engine

from partnering.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite connection waits for the write lock before it gives up."""

_immediate_next: ContextVar[bool] = ContextVar("immediate_next", default=False)


def lock_for_writing(*rows: db.Model) -> None:
    """Hold the write locks of these rows until the transaction ends; call before any write."""
    session = db.session()  # the request's own Session, not the scoped proxy
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("take the locks before writing anything")
    ids: dict[type, set] = defaultdict(set)
    for row in rows:
        ids[type(row)].add(inspect(row).identity[0])
    if session.get_bind().dialect.name == "sqlite":
        _restart_immediate()
    for model in sorted(ids, key=lambda m: m.__tablename__):
        session.execute(
            select(model.id)
            .where(model.id.in_(sorted(ids[model])))
            .order_by(model.id)
            .with_for_update()
        )
    session.expire_all()


def _restart_immediate() -> None:
    session = db.session()  # the request's own Session, not the scoped proxy
    if session.in_transaction():
        if session.connection().info.get("immediate"):
            return
        session.rollback()
    _immediate_next.set(True)


def _sqlite_connected(dbapi_connection, connection_record) -> None:
    # The driver's own BEGIN is switched off: _sqlite_begin says which kind of transaction.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer


def _sqlite_begin(connection) -> None:
    immediate = _immediate_next.get()
    _immediate_next.set(False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    connection.info["immediate"] = immediate


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connected)
        event.listen(engine, "begin", _sqlite_begin)
