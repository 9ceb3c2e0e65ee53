"""The flask commands: init-db, serve and demo (event import/export: scheduling tests)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request

from sqlalchemy import func, inspect, select

from partnering import cli, create_app, supervisor
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant
from tests.keys import TEST_SECRET_KEY
from tests.servers import free_port


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_init_db_creates_the_schema_and_can_run_again(database_url):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url}
    )
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "Database is up to date." in result.output
    with app.app_context():
        assert {"event", "participant", "meeting"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_serve_starts_the_job_consumer_and_the_app_and_stops_the_consumer(app, runner, monkeypatch):
    started: list[list[str]] = []
    served: dict = {}

    class Consumer:
        pid = 4242
        stopped = False

        def __init__(self, args):
            started.append(args)

        def poll(self):
            return 0 if Consumer.stopped else None

        def terminate(self):
            Consumer.stopped = True

        def wait(self, timeout):
            return 0

    monkeypatch.setattr(supervisor.subprocess, "Popen", Consumer)

    def run_simple(host, port, application, **options):
        served.update(host=host, port=port, app=application)

    monkeypatch.setattr(cli, "run_simple", run_simple)
    result = runner.invoke(args=["serve", "--port", "5077", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert "consumer started (pid 4242)" in result.output
    assert "partnering.jobs.huey" in started[0] and "3" in started[0]
    assert (served["host"], served["port"]) == ("127.0.0.1", 5077)
    assert served["app"] is app
    assert Consumer.stopped


def login_links(output: str) -> list[str]:
    return re.findall(r"http://127\.0\.0\.1:5000(/login/\S+)", output)


def test_demo_prints_working_login_links(app, runner, client):
    result = runner.invoke(args=["demo", "--participants", "30", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "Created the demo event" in result.output
    assert "http://127.0.0.1:5000/e/osaka-bio/" in result.output
    assert re.search(r"requests: \d+ accepted, \d+ declined, \d+ pending", result.output)
    links = login_links(result.output)
    assert len(links) == 3
    page = client.get(links[0])
    assert page.status_code == 200 and b"Haruka Mori" in page.data
    assert client.post(links[0]).status_code == 302
    with app.app_context():
        assert count(Participant) == 31


def test_demo_if_empty_creates_nothing_more_and_prints_the_links_again(app, runner, client):
    runner.invoke(args=["demo", "--participants", "20"])
    again = runner.invoke(args=["demo", "--participants", "20", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert "already there" in again.output
    links = login_links(again.output)
    assert len(links) == 3
    assert b"Log in as" in client.get(links[1]).data
    with app.app_context():
        assert count(Event) == 1 and count(Participant) == 21


def test_demo_if_empty_leaves_a_database_with_other_events_alone(app, runner, create_event):
    create_event(slug="real-event")
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "no demo event created" in result.output
    with app.app_context():
        assert count(Event) == 1


def test_demo_twice_is_a_one_line_error(app, runner):
    runner.invoke(args=["demo", "--participants", "20"])
    result = runner.invoke(args=["demo", "--participants", "20"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: the demo event already exists: /e/osaka-bio/"


def test_demo_refuses_too_few_participants(runner):
    result = runner.invoke(args=["demo", "--participants", "3"])
    assert result.exit_code == 2
    assert "3 is not in the range 10<=x<=5000" in result.output


def test_serve_really_serves_and_a_kill_stops_its_job_consumer(tmp_path, database_url):
    env = {
        **os.environ,
        "PARTNERING_SQLALCHEMY_DATABASE_URI": database_url,
        "PARTNERING_HUEY_URL": f"sqlite:///{tmp_path}/jobs.db",
        "PARTNERING_SECRET_KEY": TEST_SECRET_KEY,
    }
    flask = [sys.executable, "-m", "flask", "--app", "partnering"]
    subprocess.run([*flask, "init-db"], env=env, check=True, capture_output=True)
    port = free_port()
    with subprocess.Popen(
        [*flask, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            started = server.stdout.readline()
            consumer = int(re.search(r"pid (\d+)", started).group(1))
            assert page_status(f"http://127.0.0.1:{port}/", within=30) == 200
            server.terminate()
            assert server.wait(timeout=20) == 0
            assert gone(consumer, within=15)
        finally:
            if server.poll() is None:
                server.kill()


def page_status(url: str, within: float) -> int | None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            time.sleep(0.2)
    return None


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False
