"""PostgreSQL databases for the production tests that are about a PostgreSQL deployment,
whatever database the suite runs on: a fresh one on 127.0.0.1:5432, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy.engine import make_url

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def fresh_postgres_database(server_url: str = POSTGRES_SERVER) -> Iterator[str]:
    """The URL of a new empty database on the server, dropped afterwards (with whatever
    connections are still open to it)."""
    server = make_url(server_url)
    name = f"partnering_test_{uuid.uuid4().hex[:12]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of an empty PostgreSQL database, for tests about PostgreSQL deployments."""
    with fresh_postgres_database() as url:
        yield url
