"""The partnering web app."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

from partnering import config as settings
from partnering import input_guard, locks, proxy, rate_limits, secret_key, security_headers
from partnering.extensions import csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    test_config: dict[str, Any] | None = None, *, instance_path: str | Path | None = None
) -> Flask:
    """The app. Its instance folder: `instance_path`, else $PARTNERING_INSTANCE_PATH, else
    instance/ in the checkout. Its settings: the defaults, then the instance folder's config.py
    and PARTNERING_* environment variables, or `test_config` in their place."""
    instance_path = (
        instance_path
        or os.environ.get(settings.INSTANCE_PATH_VARIABLE)
        or PROJECT_ROOT / "instance"
    )
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object(settings.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env(settings.ENV_PREFIX)
    else:
        app.config.update(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/partnering.db"
    settings.follow_production(app.config)
    if app.config["SECRET_KEY"] is None:
        app.config["SECRET_KEY"] = secret_key.instance_secret_key(app.instance_path)
    else:
        settings.check_secret_key(app.config["SECRET_KEY"])
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    app.logger.setLevel(logging.INFO)

    db.init_app(app)
    locks.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "partnering" / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)

    # models: the whole schema; the tasks modules: the jobs of the app's queue, so that a
    # consumer built from this app knows them.
    from partnering import cli, jobs, models, web  # noqa: F401
    from partnering.auth import tasks as auth_tasks  # noqa: F401
    from partnering.bulk import tasks as bulk_tasks  # noqa: F401
    from partnering.meetings import integrity
    from partnering.outbox import tasks as outbox_tasks  # noqa: F401
    from partnering.registrations import tasks as registrations_tasks  # noqa: F401
    from partnering.scheduling import tasks as scheduling_tasks  # noqa: F401

    jobs.init_app(app)
    integrity.init_app(app)
    web.init_app(app)
    rate_limits.init_app(app)  # on the routes web.init_app registered
    input_guard.init_app(app)
    cli.init_app(app)
    proxy.init_app(app)
    security_headers.init_app(app)
    return app
