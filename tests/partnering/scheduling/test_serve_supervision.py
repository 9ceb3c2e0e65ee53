"""`flask --app partnering serve` as a real process: it keeps a job consumer alive, and the
consumer's heartbeat tells the web app that jobs run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

from partnering import heartbeat
from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.scheduling import operations
from partnering.scheduling.models import ScheduleRun
from tests.keys import TEST_SECRET_KEY
from tests.servers import free_port

WARNING = "Background jobs are not running"


class Output:
    """The lines a process writes, read on a thread so that the test never blocks on them."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        with stream:
            for line in stream:
                self.lines.append(line)

    def close(self) -> None:
        """After the process ended: the rest of its lines, and the pipe closed."""
        self._thread.join(timeout=10)

    def wait_for(self, pattern: str, within: float, after: int = 0) -> re.Match | None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if found := re.search(pattern, line):
                    return found
            time.sleep(0.1)
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def until(condition, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_serve_restarts_a_killed_consumer_and_queued_jobs_still_run(
    tmp_path, fair, queue, client, auth
):
    database = db.engine.url.render_as_string(hide_password=False)
    env = {
        **os.environ,
        "PARTNERING_SQLALCHEMY_DATABASE_URI": database,
        "PARTNERING_HUEY_URL": f"sqlite://{tmp_path / 'queue.db'}",
        "PARTNERING_SECRET_KEY": TEST_SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "partnering", "serve", "--port", str(free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(server.stdout)
    consumers: list[int] = []
    try:
        started = output.wait_for(r"consumer started \(pid (\d+)\)", within=30)
        assert started, "".join(output.lines)
        consumers.append(int(started.group(1)))

        # The consumer beats into the queue's storage: organiser pages stop warning.
        auth.login(fair.organiser)
        assert until(lambda: heartbeat.last_beat(queue) is not None, within=30)
        assert utcnow() - heartbeat.last_beat(queue) < timedelta(seconds=10)
        assert WARNING not in client.get("/e/fair/schedule/").get_data(as_text=True)

        seen = len(output.lines)
        os.kill(consumers[0], signal.SIGKILL)
        restarted = output.wait_for(r"consumer restarted \(pid (\d+)\)", within=10, after=seen)
        assert restarted, "".join(output.lines)
        consumers.append(int(restarted.group(1)))
        assert consumers[1] != consumers[0] and alive(consumers[1])
        assert output.wait_for(r"exited with code -9", within=1, after=seen)

        run = operations.start_run(fair.event, None, time_limit=1)
        assert run.status == "queued"

        def finished() -> bool:
            db.session.rollback()  # a new read transaction sees the consumer's writes
            return db.session.get(ScheduleRun, run.id).status not in ("queued", "running")

        assert until(finished, within=60), "".join(output.lines)
        run = db.session.get(ScheduleRun, run.id)
        assert run.status == "done", (run.error, "".join(output.lines))
        assert run.summary["result"]["meetings_scheduled"] == len(fair.meetings)

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
        assert until(lambda: not alive(consumers[1]), within=15)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        output.close()
        for pid in consumers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
