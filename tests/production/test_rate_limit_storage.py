"""Rate limits in production: gunicorn's workers count in one shared Redis, so a limit holds
across all of them; and a store that cannot be reached lets requests through rather than
failing them."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator

import pytest
import redis
from limits import parse_many

from partnering import config as settings
from partnering import create_app
from partnering.extensions import db
from tests.keys import TEST_SECRET_KEY
from tests.servers import WebClient, csrf_token, free_port, start_gunicorn

# A Redis database no other test empties; this test's keys have a prefix of their own.
REDIS_COUNTS = "redis://127.0.0.1:6379/12"


@pytest.fixture
def key_prefix() -> Iterator[str]:
    prefix = f"limits-test-{secrets.token_hex(6)}"
    yield prefix
    store = redis.Redis.from_url(REDIS_COUNTS)
    for key in store.scan_iter(f"*{prefix}*"):
        store.delete(key)
    store.close()


def test_gunicorn_workers_share_the_counts_in_redis(database_url, key_prefix):
    env = {
        "PARTNERING_RATELIMIT_STORAGE_URI": REDIS_COUNTS,
        "PARTNERING_RATELIMIT_KEY_PREFIX": key_prefix,
    }
    with start_gunicorn(database_url, workers=2, extra_env=env) as server:
        web = WebClient(server.base_url)
        token = csrf_token(web.get("/login").text)
        statuses = [
            web.post("/login", {"csrf_token": token, "email": "aiko@example.jp"}, follow=False)
            for _ in range(12)
        ]
    allowed = min(
        parse_many(settings.Defaults.LIMIT_LOGIN_LINKS_PER_ADDRESS), key=lambda i: i.get_expiry()
    ).amount
    # Each worker counting apart would have let up to twice as many through.
    assert [page.status for page in statuses] == [302] * allowed + [429] * (12 - allowed)
    assert all(int(page.headers["Retry-After"]) > 0 for page in statuses[allowed:])
    keys = [key.decode() for key in redis.Redis.from_url(REDIS_COUNTS).scan_iter(f"*{key_prefix}*")]
    assert keys, "the counts are in Redis"
    assert not any("aiko" in key for key in keys)  # addresses are hashed in the keys


def test_an_unreachable_store_lets_requests_through(database_url, caplog):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "HUEY_IMMEDIATE": True,
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0",  # nobody listens
        }
    )
    with app.app_context():
        db.create_all()
    caplog.set_level(logging.ERROR, logger="flask-limiter")
    client = app.test_client()
    statuses = {
        client.post("/login", data={"email": "a@example.org"}).status_code for _ in range(8)
    }
    assert statuses == {302}
    assert "Failed to rate limit" in caplog.text
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
