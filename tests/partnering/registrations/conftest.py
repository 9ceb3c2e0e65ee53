"""Fixtures for the registration tests."""

import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine


@pytest.fixture(autouse=True)
def unsynced_sqlite():
    """Test databases need no durability: without fsync, building the schema for each test
    takes a tenth of the time. (A candidate for tests/conftest.py.)"""

    def no_fsync(dbapi_connection, connection_record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    event.listen(Engine, "connect", no_fsync)
    yield
    event.remove(Engine, "connect", no_fsync)
