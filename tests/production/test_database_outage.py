"""The database goes away while people use the site: they get the app's own 503 page, never a
traceback; what they were saving is rolled back, not half-written; and the site recovers by
itself once the database is back. Against a live threaded server, on each backend:
- PostgreSQL: a TCP forwarder between the app and the server is cut (every connection closed,
  new ones refused), the first time in the middle of a request's transaction, after its row
  locks were taken;
- SQLite: another connection holds the write lock past the app's busy timeout. In WAL mode
  readers never wait for a writer, so pages that only read keep working; writes get the 503."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine, make_url

from partnering import locks
from partnering.auth.operations import login_token
from partnering.extensions import db
from partnering.meetings.models import MeetingRequest
from partnering.web import DATABASE_UNREACHABLE
from tests.apps import app_for
from tests.forwarder import TcpForwarder
from tests.servers import Page, WebClient, csrf_token, start_threaded

WRITE_STATEMENTS = ("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE")


class PostgresOutage:
    """The app reaches PostgreSQL through a forwarder that can be cut."""

    reads_fail = True

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        self.forwarder = TcpForwarder(url.host or "127.0.0.1", url.port or 5432)
        self.forwarder.restore()
        self.app_url = url.set(host="127.0.0.1", port=self.forwarder.port).render_as_string(
            hide_password=False
        )

    def begin_at_next_write(self) -> None:
        self.forwarder.cut_on(b"INSERT INTO")

    def begin(self) -> None:
        self.forwarder.cut()

    def end(self) -> None:
        self.forwarder.restore()

    @property
    def happening(self) -> bool:
        return self.forwarder.is_cut

    def close(self) -> None:
        self.forwarder.cut()


class SqliteOutage:
    """Another connection takes the database's write lock and keeps it."""

    reads_fail = False  # WAL mode

    def __init__(self, database_url: str) -> None:
        self.app_url = database_url
        self.path = make_url(database_url).database
        self.locker: sqlite3.Connection | None = None
        self.armed = False
        event.listen(Engine, "before_cursor_execute", self._before_execute)

    def _before_execute(self, conn, cursor, statement, parameters, context, executemany):
        # In the server's thread, just before the request starts to write: it holds no write
        # lock yet, so the locker gets it at once.
        if self.armed and statement.lstrip().upper().startswith(WRITE_STATEMENTS):
            self.armed = False
            self.begin()

    def begin_at_next_write(self) -> None:
        self.armed = True

    def begin(self) -> None:
        self.locker = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=0
        )
        self.locker.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        if self.locker is not None:
            self.locker.execute("ROLLBACK")
            self.locker.close()
            self.locker = None

    @property
    def happening(self) -> bool:
        return self.locker is not None

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._before_execute)
        self.end()


@pytest.fixture
def outage(database_url, monkeypatch) -> Iterator[PostgresOutage | SqliteOutage]:
    # The app's SQLite connections give up on a lock after one second instead of fifteen.
    monkeypatch.setattr(locks, "SQLITE_BUSY_TIMEOUT_MS", 1000)
    backend = make_url(database_url).get_backend_name()
    made = PostgresOutage(database_url) if backend == "postgresql" else SqliteOutage(database_url)
    yield made
    made.close()


@pytest.fixture
def app(outage):
    """The app as in production (not TESTING: errors become pages), on the database under
    test (through the outage's forwarder for PostgreSQL), migrated by init-db."""
    with app_for(outage.app_url, {"PRODUCTION": True, "HUEY_IMMEDIATE": True}) as app:
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        yield app


def saved_requests() -> list[tuple[int, str]]:
    try:
        rows = db.session.execute(select(MeetingRequest.id, MeetingRequest.status))
        return [tuple(row) for row in rows]
    finally:
        db.session.close()


def assert_outage_page(page: Page) -> None:
    assert page.status == 503, page.text[:500]
    assert DATABASE_UNREACHABLE in page.text
    assert "Back to the events" in page.text  # the app's own error.html
    assert "Traceback" not in page.text
    assert page.headers.get("Retry-After") == "5"


def test_an_outage_gives_503_pages_writes_nothing_and_the_site_recovers(
    app, outage, create_event, create_participant
):
    event = create_event(slug="osaka")
    aiko = create_participant(event, name="Aiko Sato", organisation="Kobe Bio")
    ben = create_participant(event, name="Ben Okafor", organisation="Lagos Pharma")
    link = f"/login/{login_token(aiko.account)}"
    ask_ben = f"/e/osaka/meetings/request/{ben.id}"
    pages = ["/", "/e/osaka/", "/e/osaka/meetings/", ask_ben]
    db.session.close()  # the test itself holds no connection across the outage

    def assert_reads_during_outage() -> None:
        for path in pages:
            page = web.get(path)
            if outage.reads_fail:
                assert_outage_page(page)
            else:
                assert page.status == 200, page.text[:500]
                assert "Aiko Sato" in page.text  # still logged in, and the page is whole

    # Sending a request is rate-limited: the limiter must leave the 503's Retry-After alone.
    assert "rate_limits" in app.extensions
    with start_threaded(app) as server:
        web = WebClient(server.base_url)
        assert "Welcome, Aiko Sato" in web.submit(link, {}).text
        form = web.get(ask_ben)
        assert form.status == 200
        request = {"csrf_token": csrf_token(form.text), "priority": 1, "message": "Hello Ben"}

        # The database goes away in the middle of saving the request.
        outage.begin_at_next_write()
        assert_outage_page(web.post(ask_ben, request))
        assert outage.happening
        assert_reads_during_outage()
        assert_outage_page(web.post(ask_ben, request))

        outage.end()
        # The very next request works: stale pooled connections are pinged and replaced.
        mine = web.get("/e/osaka/meetings/")
        assert mine.status == 200 and "Aiko Sato" in mine.text
        assert saved_requests() == []

        sent = web.post(ask_ben, request)
        assert sent.status == 200, sent.text[:500]
        assert "Your request is on its way to Ben Okafor." in sent.text
        [(request_id, status)] = saved_requests()
        assert status == "pending"

        # A second outage, begun between requests: withdrawing the request fails cleanly.
        withdraw = f"/e/osaka/meetings/requests/{request_id}/withdraw"
        outage.begin()
        assert_outage_page(web.post(withdraw, {"csrf_token": request["csrf_token"]}))
        assert_reads_during_outage()
        outage.end()
        assert saved_requests() == [(request_id, "pending")]
        done = web.post(withdraw, {"csrf_token": request["csrf_token"]})
        assert "You withdrew your request to Ben Okafor." in done.text
        assert saved_requests() == [(request_id, "withdrawn")]
