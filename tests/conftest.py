"""Fixtures shared by the web app's tests: an empty database for each test (a SQLite file, or
PostgreSQL when TEST_DATABASE_URL is set), an app on it, a client, and factories that return
callables (create_event(...), create_participant(...)).

Tests write nothing into the checkout: every app's instance folder is a temporary one, and a
run that leaves new files in the checkout fails."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from datetime import date, time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import g
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool

from partnering import PROJECT_ROOT
from partnering.auth.operations import get_or_create_account
from partnering.config import INSTANCE_PATH_VARIABLE
from partnering.events.operations import SessionSpec, add_sessions, add_tables
from partnering.events.operations import create_event as new_event
from partnering.extensions import db
from partnering.registrations.models import Organisation, Participant
from tests.apps import QUIET, app_for
from tests.logins import log_in
from tests.servers import free_port
from tests.statements import statements_seen

# --- the checkout stays clean -------------------------------------------------------------

TOOL_CACHES = {"__pycache__", ".pytest_cache", ".hypothesis"}
UNTRACKED_AT_START = pytest.StashKey[set[str] | None]()


def untracked_in_checkout() -> set[str] | None:
    """What git does not track in the checkout, ignored files included (a wholly untracked
    folder is one entry), tool caches aside; None outside a git checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--directory", "-z"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if listed.returncode != 0:
        return None
    return {
        path
        for path in listed.stdout.split("\0")
        if path and not TOOL_CACHES.intersection(Path(path).parts)
    }


def pytest_sessionstart(session):
    session.config.stash[UNTRACKED_AT_START] = untracked_in_checkout()


def pytest_sessionfinish(session, exitstatus):
    before = session.config.stash.get(UNTRACKED_AT_START, None)
    after = untracked_in_checkout()
    if before is None or after is None:
        return
    left = sorted(after - before)
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "The tests left new files in the checkout (tests must write under tmp_path): "
                + ", ".join(left),
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True, scope="session")
def instance_folder_outside_the_checkout(tmp_path_factory):
    """Apps the tests build without naming an instance folder, in this process or in servers
    and consumers started with its environment, get a temporary one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(INSTANCE_PATH_VARIABLE, str(tmp_path_factory.mktemp("instance")))
        yield


@pytest.fixture(autouse=True, scope="session")
def unsynced_sqlite():
    """Test databases need no durability: without fsync, building the schema for each test
    takes a tenth of the time."""

    def no_fsync(dbapi_connection, connection_record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    event.listen(Engine, "connect", no_fsync)
    yield
    event.remove(Engine, "connect", no_fsync)


# --- empty databases --------------------------------------------------------------------------


class PostgresDatabases:
    """The database of TEST_DATABASE_URL and others named after it (NAME_suffix) on the same
    server: each is created once and emptied (schema public dropped) whenever a test asks for it.
    Databases of the tests, so commits need not wait for the disk (synchronous_commit off)."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.server = admin_engine(self.url.set(database="postgres"))
        self.created: set[str] = set()

    def empty(self, suffix: str = "") -> str:
        name = f"{self.url.database}_{suffix}" if suffix else self.url.database
        if name not in self.created:
            self.create(name)
        url = self.url.set(database=name)
        engine = admin_engine(url)
        with engine.connect() as connection:
            # Whatever a previous test left connected would hold locks the DROP waits for.
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url.render_as_string(hide_password=False)

    def create(self, name: str) -> None:
        with self.server.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        self.created.add(name)

    def drop_others(self) -> None:
        """Drop the databases made beside TEST_DATABASE_URL's (that one is the caller's)."""
        with self.server.connect() as connection:
            for name in self.created - {self.url.database}:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.server.dispose()


def admin_engine(url: URL) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases | None]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    databases = PostgresDatabases(url)
    yield databases
    databases.drop_others()


@pytest.fixture(scope="session")
def empty_database(postgres, tmp_path_factory) -> Callable[[str], str]:
    """empty_database(name) -> the URL of an empty database of its own, for fixtures that
    outlive a test or tests that need several: a SQLite file, or with TEST_DATABASE_URL a
    PostgreSQL database NAME_name. A name must not be in use elsewhere at the same time."""
    folder: Path = tmp_path_factory.mktemp("databases")

    def empty(name: str) -> str:
        if postgres is not None:
            return postgres.empty(name)
        path = folder / f"{name}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"

    return empty


@pytest.fixture
def database_url(postgres, tmp_path) -> str:
    """The URL of an empty database for this test, which other processes can open too: a SQLite
    file in tmp_path, or with TEST_DATABASE_URL that PostgreSQL database emptied."""
    if postgres is not None:
        return postgres.empty()
    return f"sqlite:///{tmp_path / 'test.db'}"


# --- the app -----------------------------------------------------------------------------------


@pytest.fixture
def app(database_url, tmp_path):
    with app_for(database_url, QUIET, tables=True, instance_path=tmp_path / "instance") as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for tests that work with models directly."""
    with app.app_context():
        yield


@pytest.fixture
def count_statements(ctx):
    """count(action) -> statements issued while `action()` runs, from a cold session (nothing
    loaded by building the event)."""

    def count(action) -> int:
        db.session.remove()
        with statements_seen(db.engine) as seen:
            action()
        return len(seen)

    return count


@pytest.fixture
def create_event(ctx):
    def create(
        slug="osaka", name="Osaka Partnering Day", days=(date(2030, 1, 24),), tables=4, **fields
    ):
        event = new_event(
            slug=slug, name=name, timezone=fields.pop("timezone", "Asia/Tokyo"), **fields
        )
        add_sessions(
            event,
            [
                spec
                for day in days
                for spec in (
                    SessionSpec(day, time(9), time(12)),
                    SessionSpec(day, time(14), time(17)),
                )
            ],
        )
        add_tables(event, tables, seats=4)
        db.session.commit()
        return event

    return create


@pytest.fixture
def create_participant(ctx):
    counter = iter(range(1, 10_000))

    def create(
        event,
        name=None,
        email=None,
        organisation=None,
        role="participant",
        status="approved",
        **fields,
    ):
        n = next(counter)
        name = name or f"Person {n}"
        account = get_or_create_account(email or f"person{n}@example.org", name)
        org = None
        if organisation is not None:
            org = db.session.execute(
                db.select(Organisation).filter_by(event_id=event.id, name=organisation)
            ).scalar_one_or_none() or Organisation(event_id=event.id, name=organisation, kind="sme")
        participant = Participant(
            event_id=event.id,
            account=account,
            organisation=org,
            role=role,
            status=status,
            show_profile=True,
            **fields,
        )
        db.session.add(participant)
        db.session.commit()
        return participant

    return create


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, account_or_participant):
        """Log the client in as a login link does (a new login session of the account)."""
        account_id = (
            getattr(account_or_participant, "account_id", None) or account_or_participant.id
        )
        log_in(self.client, account_id)

    def logout(self):
        with self.client.session_transaction() as session:
            session.clear()


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login_as(auth):
    """Log the test client in as someone else. The tests share one app context with the
    requests, so the previous user cached on `g` is dropped too."""

    def login(participant: Participant) -> None:
        g.pop("_login_user", None)
        auth.login(participant)

    return login


# --- a real SMTP server on localhost ---------------------------------------------------------


class Inbox:
    """What a real SMTP server on localhost received, and on which connection."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.peers: list[tuple] = []
        """The client's address and port of each message received: one per connection."""
        self.refused: set[str] = set()
        """Addresses the server does not know: 550 at RCPT."""
        self.hang_up_on: set[str] = set()
        """Addresses whose next message is answered 421 (closing), after which the client
        drops the connection."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        hung_up = self.hang_up_on & set(envelope.rcpt_tos)
        if hung_up:
            self.hang_up_on -= hung_up
            return "421 4.3.2 Service shutting down"
        self.messages.append(envelope.original_content)
        self.peers.append(session.peer)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(app):
    server = SmtpServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()
