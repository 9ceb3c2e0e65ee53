"""Fixtures shared by the web app's tests: an app on a fresh SQLite file, a client, and
factories that return callables (create_event(...), create_participant(...))."""

from __future__ import annotations

import socket
import sqlite3
from datetime import date, time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event
from sqlalchemy.engine import Engine

from partnering import create_app
from partnering.auth.operations import get_or_create_account
from partnering.events.operations import SessionSpec, add_sessions, add_tables
from partnering.events.operations import create_event as new_event
from partnering.extensions import db
from partnering.registrations.models import Organisation, Participant


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


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
            "WTF_CSRF_ENABLED": False,
            "HUEY_IMMEDIATE": True,
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


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
        account_id = (
            getattr(account_or_participant, "account_id", None) or account_or_participant.id
        )
        with self.client.session_transaction() as session:
            session["_user_id"] = str(account_id)
            session["_fresh"] = True

    def logout(self):
        with self.client.session_transaction() as session:
            session.clear()


@pytest.fixture
def auth(client):
    return Auth(client)


# --- a real SMTP server on localhost ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What a real SMTP server on localhost received."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content)
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
