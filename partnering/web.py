"""Blueprints, template helpers and error pages."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g, render_template, request
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from partnering.access import is_organiser
from partnering.extensions import db, login_manager
from partnering.form_fields import field_aria
from partnering.outbox.operations import deliver_if_queued
from partnering.wording import counted

FORMATS = {
    "time": "%H:%M",
    "date": "%a %d %b %Y",
    "day": "%a %d %b",
    "datetime": "%a %d %b %Y, %H:%M",
}


def local_time(instant: datetime | None, style: str = "datetime", event=None) -> str:
    """An instant shown in the event's timezone (the page's event unless one is given)."""
    if instant is None:
        return ""
    event = event or getattr(g, "event", None)
    if event is not None:
        instant = event.local(instant)
    return instant.strftime(FORMATS.get(style, style))


# The event menu, in order: (endpoint, label, organisers only). An entry shows once its
# blueprint is registered, so each feature only has to use the endpoint named here.
EVENT_NAV = [
    ("registrations.directory", "Participants", False),
    ("meetings.mine", "My meetings", False),
    ("agenda.mine", "My agenda", False),
    ("registrations.availability", "Availability", False),
    ("registrations.profile", "My profile", False),
    ("admin.dashboard", "Dashboard", True),
    ("admin.participants", "Registrations", True),
    ("scheduling.overview", "Schedule", True),
    ("attendance.desk", "Check-in", True),
    ("outbox.index", "Outbox", True),
    ("admin.edit_event", "Settings", True),
]


def register_blueprints(app: Flask) -> None:
    from partnering.admin.views import bp as admin_bp
    from partnering.agenda.views import bp as agenda_bp
    from partnering.attendance.views import bp as attendance_bp
    from partnering.auth.views import bp as auth_bp
    from partnering.bulk.views import bp as bulk_bp
    from partnering.events.views import bp as events_bp
    from partnering.events.views import site
    from partnering.meetings.views import bp as meetings_bp
    from partnering.outbox.views import bp as outbox_bp
    from partnering.registrations.views import bp as registrations_bp
    from partnering.scheduling.views import bp as scheduling_bp

    for blueprint in (
        site,
        auth_bp,
        events_bp,
        admin_bp,
        registrations_bp,
        meetings_bp,
        scheduling_bp,
        agenda_bp,
        attendance_bp,
        outbox_bp,
        bulk_bp,
    ):
        app.register_blueprint(blueprint)


def init_app(app: Flask) -> None:
    register_blueprints(app)
    app.after_request(deliver_if_queued)
    app.add_template_filter(local_time, "local")
    app.add_template_filter(counted, "counted")
    app.add_template_global(is_organiser)
    app.add_template_global(field_aria)

    @app.template_global()
    def event_endpoints() -> set[str]:
        return set(app.view_functions)

    @app.template_global()
    def event_nav_links() -> list[tuple[str, str, bool]]:
        return [entry for entry in EVENT_NAV if entry[0] in app.view_functions]

    @app.errorhandler(403)
    def forbidden(error):
        message = "You do not have access to this page."
        return render_template("error.html", code=403, message=message), 403

    @app.errorhandler(IntegrityError)
    def conflict(error):
        # The database refused a write that a lock did not cover (two clicks at one instant).
        db.session.rollback()
        message = (
            "Someone changed the same thing at the same moment, so nothing of yours was saved. "
            "Reload the page to see where things stand, and try again."
        )
        return render_template("error.html", code=409, message=message), 409

    @app.errorhandler(404)
    def not_found(error):
        return render_template("error.html", code=404, message="There is no such page."), 404

    app.register_error_handler(OperationalError, database_unreachable)
    app.register_error_handler(PoolTimeout, database_unreachable)


DATABASE_UNREACHABLE = (
    "The database is not reachable right now; nothing was saved. Try again in a moment."
)


def database_unreachable(error: SQLAlchemyError):
    """The database went away (restarted, network cut, SQLite locked past its busy timeout):
    the request's transaction is rolled back and the person sees a page that says so, not a
    server error. The pool's pre-ping reconnects by itself once the database is back."""
    # The driver's message only: the statement's parameters may hold what people typed.
    reason = str(getattr(error, "orig", None) or error).strip()
    current_app.logger.warning(
        "Database not reachable on %s %s: %s", request.method, request.path, reason
    )
    try:
        db.session.rollback()
    except SQLAlchemyError:
        # The connection is gone for good; the session is thrown away at teardown anyway.
        current_app.logger.warning("Rollback failed too; the connection is discarded")
    # The page must render without the database: rolled-back rows (the event, the account)
    # would reload on access, so the page shows neither.
    g.pop("event", None)
    g.pop("participant", None)
    g._login_user = login_manager.anonymous_user()
    page = render_template("error.html", code=503, message=DATABASE_UNREACHABLE)
    return page, 503, {"Retry-After": "5"}
