"""Live servers for tests that need real sockets and processes: the app under gunicorn (worker
processes, as in production), a werkzeug threaded server in a thread, a Huey consumer process
(`serving` runs the last two together for the browser tests), and a small HTTP client that
keeps cookies and fills in CSRF tokens.

    with start_gunicorn(database_url, workers=2) as server:
        web = WebClient(server.base_url)
        assert web.get("/").status == 200
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from partnering.config import INSTANCE_PATH_VARIABLE
from tests.keys import TEST_SECRET_KEY

FLASK = [sys.executable, "-m", "flask", "--app", "partnering"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerFailed(RuntimeError):
    """A server or consumer that did not start (its output is in the message)."""


@dataclass
class LiveServer:
    """A running server: `base_url` without a trailing slash; stop() (or leaving the `with`)
    stops it. `env` is the environment it runs with (for consumers that must share it), and
    output() what it has printed so far (gunicorn: access and error logs)."""

    base_url: str
    stop_server: Callable[[], None]
    env: dict[str, str] = field(default_factory=dict)
    read_output: Callable[[], str] = lambda: ""

    def output(self) -> str:
        return self.read_output()

    def stop(self) -> None:
        self.stop_server()

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def server_env(
    database_url: str,
    *,
    queue_url: str | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a server (and of its consumers) on this database. Without a queue
    URL, a SQLite database gets a SQLite queue file beside it, and PostgreSQL keeps the queue
    in the same database (the app's default); never the project's instance/ queue. Settings
    of the caller's shell (PARTNERING_*) are left out; the instance folder (uploads) is the
    tests' temporary one, or a new temporary folder."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PARTNERING_")},
        INSTANCE_PATH_VARIABLE: os.environ.get(INSTANCE_PATH_VARIABLE)
        or tempfile.mkdtemp(prefix="partnering-instance-"),
        "PARTNERING_SQLALCHEMY_DATABASE_URI": database_url,
        "PARTNERING_SECRET_KEY": TEST_SECRET_KEY,
    }
    if queue_url is None and make_url(database_url).get_backend_name() == "sqlite":
        database = Path(make_url(database_url).database)
        queue_url = f"sqlite://{database.with_name(database.stem + '-jobs.db')}"
    if queue_url is not None:
        env["PARTNERING_HUEY_URL"] = queue_url
    env.update(extra_env or {})
    return env


def init_db(env: Mapping[str, str]) -> None:
    """`flask init-db`: the schema by the migrations, as a deployment makes it."""
    done = subprocess.run([*FLASK, "init-db"], env=env, capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        raise ServerFailed(f"init-db failed:\n{done.stdout}{done.stderr}")


def start_gunicorn(
    database_url: str,
    *,
    workers: int = 2,
    queue_url: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> LiveServer:
    """Migrate the database (init-db), then serve the app with `flask serve-production`
    (gunicorn, production mode) on a free loopback port; returns once a page answers."""
    env = server_env(database_url, queue_url=queue_url, extra_env=extra_env)
    init_db(env)
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+", prefix="gunicorn-")
    process = subprocess.Popen(
        [*FLASK, "serve-production", "--host", "127.0.0.1", "--port", str(port)],
        env={**env, "WEB_CONCURRENCY": str(workers)},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    return _started(process, log, f"http://127.0.0.1:{port}", env, timeout)


def start_huey_consumer(env: Mapping[str, str], *, workers: int = 1) -> LiveServer:
    """`huey_consumer partnering.jobs.huey` with a server's environment; stop() ends it."""
    log = tempfile.TemporaryFile(mode="w+", prefix="huey-")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "huey.bin.huey_consumer",
            "partnering.jobs.huey",
            "--workers",
            str(workers),
        ],
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    return LiveServer("", lambda: _terminate(process, log), dict(env), lambda: _read(log))


def start_threaded(app: Flask) -> LiveServer:
    """The app on werkzeug's threaded server (a thread per request), in a thread of the
    test process: requests share the process (and its event hooks) with the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return LiveServer(f"http://127.0.0.1:{server.server_port}", stop)


@contextmanager
def serving(app: Flask, *, consumer: bool = False) -> Iterator[str]:
    """The app on `start_threaded` while the `with` lasts, its base URL given; with `consumer`,
    a Huey consumer process on the app's database, queue (HUEY_URL) and instance folder runs
    the jobs its pages queue."""
    jobs = None
    if consumer:
        env = server_env(
            app.config["SQLALCHEMY_DATABASE_URI"],
            queue_url=app.config["HUEY_URL"],
            extra_env={INSTANCE_PATH_VARIABLE: app.instance_path},
        )
        jobs = start_huey_consumer(env)
    try:
        with start_threaded(app) as server:
            yield server.base_url
    finally:
        if jobs is not None:
            jobs.stop()


def _read(log: IO[str]) -> str:
    log.flush()
    log.seek(0)
    return log.read()


def _terminate(process: subprocess.Popen, log: IO[str]) -> None:
    if process.poll() is None:
        process.terminate()  # gunicorn: graceful stop of the workers
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    log.close()


def _started(
    process: subprocess.Popen, log: IO[str], base_url: str, env: dict[str, str], timeout: float
) -> LiveServer:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = _read(log)
            log.close()
            raise ServerFailed(f"the server exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(base_url + "/", timeout=5):
                break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            time.sleep(0.2)
    else:
        output = _read(log)
        _terminate(process, log)
        raise ServerFailed(f"no answer from {base_url} within {timeout} s:\n{output}")
    return LiveServer(base_url, lambda: _terminate(process, log), env, lambda: _read(log))


@dataclass
class Page:
    status: int
    url: str
    text: str
    headers: Mapping[str, str]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class _LoopbackIsSecure(http.cookiejar.DefaultCookiePolicy):
    """Browsers count http://127.0.0.1 and localhost as secure: they send Secure cookies there,
    so a production server (Secure cookies) tried on this machine keeps its sessions."""

    def return_ok_secure(self, cookie, request) -> bool:
        host = urllib.parse.urlsplit(request.get_full_url()).hostname
        return host in LOOPBACK or super().return_ok_secure(cookie, request)


class WebClient:
    """A person's browser, roughly: keeps its cookies, follows redirects unless told not to,
    and never raises on an error status."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar(_LoopbackIsSecure())
        cookies = urllib.request.HTTPCookieProcessor(self.cookies)
        self._follow = urllib.request.build_opener(cookies)
        self._stay = urllib.request.build_opener(cookies, _NoRedirect)

    def get(
        self, path: str, *, follow: bool = True, headers: Mapping[str, str] | None = None
    ) -> Page:
        return self._open(path, None, follow, headers)

    def post(
        self,
        path: str,
        data: Mapping[str, object],
        *,
        follow: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> Page:
        return self._open(path, urllib.parse.urlencode(data).encode(), follow, headers)

    def submit(self, path: str, data: Mapping[str, object], *, follow: bool = True) -> Page:
        """Post a form as a browser does: load its page first for the CSRF token."""
        page = self.get(path)
        token = csrf_token(page.text)
        return self.post(path, {**data, "csrf_token": token}, follow=follow)

    def _open(
        self, path: str, body: bytes | None, follow: bool, headers: Mapping[str, str] | None
    ) -> Page:
        opener = self._follow if follow else self._stay
        request = urllib.request.Request(self.base_url + path, body, dict(headers or {}))
        try:
            response = opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            response = error  # 3xx not followed, 4xx, 5xx: a page all the same
        with response:
            text = response.read().decode("utf-8", "replace")
            return Page(response.status, response.url, text, dict(response.headers))


def csrf_token(html: str) -> str:
    found = CSRF_FIELD.search(html)
    if found is None:
        raise AssertionError("no CSRF token on the page")
    return found.group(1)
