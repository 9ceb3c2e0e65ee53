"""The production server's settings: gunicorn's configuration, the secret keys it refuses,
the reverse proxy's headers and the database pool's pre-ping."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import pytest

from partnering import config as settings
from partnering import create_app, gunicorn_conf
from partnering.auth.operations import get_or_create_account
from partnering.extensions import db
from tests.keys import TEST_SECRET_KEY
from tests.servers import ServerFailed, WebClient, start_gunicorn


def test_gunicorn_binds_and_sizes_from_the_environment():
    assert gunicorn_conf.bind_address({}) == "127.0.0.1:8000"
    assert gunicorn_conf.bind_address({"HOST": "0.0.0.0", "PORT": "5050"}) == "0.0.0.0:5050"
    assert gunicorn_conf.bind_address({"HOST": "::1", "PORT": "80"}) == "[::1]:80"
    assert gunicorn_conf.worker_count({"WEB_CONCURRENCY": "3"}, cores=16) == 3
    assert gunicorn_conf.worker_count({}, cores=2) == 5
    assert gunicorn_conf.worker_count({}, cores=16) == gunicorn_conf.MAX_DEFAULT_WORKERS
    assert gunicorn_conf.wsgi_app == "partnering:create_app()"
    assert "PARTNERING_PRODUCTION=true" in gunicorn_conf.raw_env


def test_gunicorn_settings_load_none_of_the_app_in_the_master():
    """So that `kill -HUP` brings up workers with the code as it is after an upgrade."""
    check = "import runpy, sys; runpy.run_path(sys.argv[1]); print('partnering' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", check, gunicorn_conf.__file__],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_gunicorn_by_hand_refuses_the_old_public_key(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "PARTNERING_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
        "PARTNERING_HUEY_URL": f"sqlite://{tmp_path}/jobs.db",
        "PARTNERING_SECRET_KEY": settings.OLD_PUBLIC_KEY,
        "PARTNERING_INSTANCE_PATH": str(tmp_path / "instance"),
        "PORT": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", gunicorn_conf.__file__],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "SECRET_KEY is the public default of earlier releases" in done.stdout + done.stderr


def test_database_connections_are_pinged_before_use_whatever_the_engine_options(tmp_path):
    app = create_app(
        {
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 2}},
        }
    )
    with app.app_context():
        assert db.engine.pool._pre_ping is True
        db.engine.dispose()


PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "partnering.example.org"}


@pytest.mark.parametrize(
    ("proxy_settings", "link_base"),
    [
        ({"PROXY_FIX_X_PROTO": 1, "PROXY_FIX_X_HOST": 1}, "https://partnering.example.org"),
        ({}, "http://localhost"),
    ],
    ids=["behind-a-proxy", "no-proxy-configured"],
)
def test_forwarded_scheme_and_host_make_the_links_only_when_configured(
    tmp_path, caplog, proxy_settings, link_base
):
    """A login link is an external URL: behind a configured proxy it is the public one; without
    the setting, the same headers (anybody can send them) change nothing."""
    app = create_app(
        {
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
            "WTF_CSRF_ENABLED": False,
            "HUEY_IMMEDIATE": True,
            **proxy_settings,
        }
    )
    with app.app_context():
        db.create_all()
        get_or_create_account("aiko@example.jp", "Aiko Tanaka")
        db.session.commit()
    caplog.set_level(logging.INFO)
    response = app.test_client().post(
        "/login", data={"email": "aiko@example.jp"}, headers=PROXY_HEADERS
    )
    assert response.status_code == 302
    links = re.findall(r"(\S+)/login/[\w.-]+", caplog.text)
    assert links == [link_base], caplog.text
    with app.app_context():
        db.engine.dispose()


def test_proxy_fix_is_not_applied_by_default(tmp_path):
    url = f"sqlite:///{tmp_path}/p.db"
    plain = create_app({"SECRET_KEY": TEST_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url})
    proxied = create_app(
        {"SECRET_KEY": TEST_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": url, "PROXY_FIX_X_FOR": 1}
    )
    assert type(plain.wsgi_app).__name__ != "ProxyFix"
    assert type(proxied.wsgi_app).__name__ == "ProxyFix"
    assert (proxied.wsgi_app.x_for, proxied.wsgi_app.x_proto) == (1, 0)


def test_start_gunicorn_serves_a_sqlite_database_with_its_queue_beside_it(tmp_path):
    with start_gunicorn(f"sqlite:///{tmp_path}/site.db", workers=2) as server:
        page = WebClient(server.base_url).get("/")
        assert page.status == 200
        assert server.env["PARTNERING_HUEY_URL"] == f"sqlite://{tmp_path}/site-jobs.db"
    assert (tmp_path / "site.db").exists()


def test_start_gunicorn_shows_why_a_server_did_not_start(tmp_path):
    with pytest.raises(ServerFailed, match="SECRET_KEY is shorter than 32 characters"):
        start_gunicorn(f"sqlite:///{tmp_path}/site.db", extra_env={"PARTNERING_SECRET_KEY": ""})
