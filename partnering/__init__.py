"""The partnering web app."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from partnering import config as settings
from partnering import input_guard, locks, proxy, rate_limits, secret_key, security_headers
from partnering.extensions import csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The app; `test_config` replaces instance/config.py and the environment (its
    INSTANCE_PATH, when given, replaces instance/)."""
    app = Flask(
        __name__,
        instance_path=(test_config or {}).get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object(settings.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(settings.from_environment())
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

    from partnering import cli, models, web  # noqa: F401  (models: the whole schema)
    from partnering.meetings import integrity

    integrity.init_app(app)
    web.init_app(app)
    rate_limits.init_app(app)  # on the routes web.init_app registered
    input_guard.init_app(app)
    cli.init_app(app)
    proxy.init_app(app)
    security_headers.init_app(app)
    return app
