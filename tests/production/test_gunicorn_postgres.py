"""The production topology on one machine: the app under gunicorn with two worker processes on
PostgreSQL, jobs queued in Redis and run by a separate Huey consumer process."""

from __future__ import annotations

import json
import re
import time

import pytest
import redis
from sqlalchemy import select

from partnering import create_app
from partnering.auth.operations import login_token
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.outbox.models import OutboxMessage
from tests.keys import TEST_SECRET_KEY
from tests.servers import WebClient, csrf_token, start_gunicorn, start_huey_consumer

# A Redis database number no other test uses; emptied before and after.
REDIS_QUEUE = "redis://127.0.0.1:6379/13"
SECRET = TEST_SECRET_KEY


@pytest.fixture
def redis_queue():
    client = redis.Redis.from_url(REDIS_QUEUE)
    client.flushdb()
    yield REDIS_QUEUE
    client.flushdb()
    client.close()


@pytest.fixture
def app(postgres_url):
    """The test's own view of the server's database (same secret, so its login links work)."""
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": postgres_url})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_gunicorn_workers_serve_and_a_consumer_runs_the_scheduler(
    app, postgres_url, redis_queue, create_event, create_participant
):
    event = create_event(slug="fair", tables=4)
    organiser = create_participant(event, name="Olga Organiser", role="organiser")
    people = [
        create_participant(event, name=name, organisation=org)
        for name, org in [
            ("Aiko Sato", "Kobe Bio"),
            ("Ben Okafor", "Lagos Pharma"),
            ("Chloé Martin", "Lyon Capital"),
        ]
    ]
    a, b, c = people
    for pair in [(a, b), (a, c), (b, c)]:
        db.session.add(Meeting(event_id=event.id, participants=list(pair), priority=1))
    db.session.commit()
    link = f"/login/{login_token(organiser.account)}"
    aiko_email = a.account.email
    db.session.close()

    with start_gunicorn(
        postgres_url,
        workers=2,
        queue_url=redis_queue,
        extra_env={"PARTNERING_SECRET_KEY": SECRET},
    ) as server:
        web = WebClient(server.base_url)
        assert "Welcome, Olga Organiser" in web.submit(link, {}).text
        overview = web.get("/e/fair/schedule/")
        assert overview.status == 200 and "Run scheduler" in overview.text

        started = web.post(
            "/e/fair/schedule/runs",
            {"csrf_token": csrf_token(overview.text), "time_limit": 5, "keep_published": "y"},
        )
        assert started.status == 200, started.text[:500]
        run_id = int(re.search(r"/schedule/runs/(\d+)$", started.url).group(1))

        # Nobody runs jobs inside the web server: the run waits for a consumer.
        assert progress(web, run_id)["status"] == "queued"
        with start_huey_consumer(server.env) as consumer:
            status = wait_for_run(web, run_id, within=90)
            assert status["status"] == "done", (status, consumer.output()[-3000:])

            # Proxy headers are the app's to trust (PROXY_FIX_*, unset here): gunicorn does not
            # turn X-Forwarded-Proto into https by itself either. (The login email is written
            # by a job, with the links of the request that asked for it.)
            web.post(
                "/login",
                {"csrf_token": csrf_token(web.get("/login").text), "email": aiko_email},
                headers={
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-Host": "partnering.example.org",
                },
            )
            mail = wait_for_login_email(app, within=30)
        assert web.get(f"/e/fair/schedule/runs/{run_id}").status == 200
        output = server.output()

    assert output.count("Booting worker") == 2, output
    assert re.search(r'"GET /e/fair/schedule/ HTTP/1.1" 200', output)  # the access log
    assert f"{server.base_url}/login/".encode() in mail.raw


def wait_for_login_email(app, within: float) -> OutboxMessage:
    deadline = time.monotonic() + within
    with app.app_context():
        while True:
            mail = db.session.scalars(select(OutboxMessage).filter_by(kind="login")).one_or_none()
            db.session.close()
            if mail is not None or time.monotonic() > deadline:
                assert mail is not None, "no login email within the time"
                return mail
            time.sleep(0.3)


def progress(web: WebClient, run_id: int) -> dict:
    page = web.get(f"/e/fair/schedule/runs/{run_id}/progress")
    assert page.status == 200, page.text[:500]
    return json.loads(page.text)


def wait_for_run(web: WebClient, run_id: int, within: float) -> dict:
    deadline = time.monotonic() + within
    status = progress(web, run_id)
    while status["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        status = progress(web, run_id)
    return status
