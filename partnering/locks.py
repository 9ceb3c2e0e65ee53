"""Write locks for operations that read, check and then write.

Two requests may run the same operation at the same instant (two tabs, two people). An
operation whose checks read the database first calls `lock_for_writing(...)` with the rows that
stand for what it checks (the two people of a request, the event of a schedule edit). A second
request doing the same waits until the first has committed, then reads what it wrote, so every
check sees every earlier write:

- PostgreSQL: `SELECT ... FOR UPDATE` on those rows, in one fixed order (table name, then id),
  so two operations never wait for each other in a circle.
- SQLite: the transaction starts again as `BEGIN IMMEDIATE`, the database's single write lock.
  A request that may write (any method but GET, HEAD and OPTIONS) and a background job take
  that lock when their first transaction begins: SQLite (in WAL mode) refuses at once, without
  waiting, a write in a transaction that began reading before another writer committed.

Everything loaded before the lock is read again afterwards. The unique indexes of
`partnering.meetings.integrity` stay the last line: what a lock does not cover, the database
refuses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, g, request, request_started
from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Engine

from partnering.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
"""How long a SQLite connection waits for the write lock before it gives up."""

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_immediate: ContextVar[bool] = ContextVar("sqlite_immediate", default=False)
"""Whether this context's SQLite transactions begin by taking the write lock."""
_immediate_next: ContextVar[bool] = ContextVar("sqlite_immediate_next", default=False)
"""Whether the next one does (an operation that locks)."""


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


@contextmanager
def writing() -> Iterator[None]:
    """Every SQLite transaction inside takes the write lock when it begins (a background job)."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


def _sqlite_connected(dbapi_connection, connection_record) -> None:
    # The driver's own BEGIN is switched off: _sqlite_begin says which kind of transaction.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer


def _sqlite_begin(connection) -> None:
    immediate = _immediate.get() or _immediate_next.get()
    _immediate_next.set(False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    connection.info["immediate"] = immediate


def _request_mode(sender: Flask, **extra) -> None:
    g.sqlite_mode = _immediate.set(request.method not in SAFE_METHODS)


def _end_request_mode(error: BaseException | None) -> None:
    token = g.pop("sqlite_mode", None)
    if token is not None:
        _immediate.reset(token)


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connected)
        event.listen(engine, "begin", _sqlite_begin)
        # Before the URL's event or the user is loaded, which already begins the transaction.
        request_started.connect(_request_mode, app)
        app.teardown_request(_end_request_mode)
