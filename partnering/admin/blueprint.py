"""The `admin` blueprint. Unlike event_blueprint it also serves one page outside any event
(creating an event), so it loads g.event only for routes that have a slug."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from partnering.access import participant_for
from partnering.events.models import Event
from partnering.extensions import db

bp = Blueprint("admin", __name__)


@bp.url_value_preprocessor
def load_event(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "slug" in values:
        g.event = db.one_or_404(db.select(Event).filter_by(slug=values.pop("slug")))
        g.participant = participant_for(g.event)


@bp.url_defaults
def add_slug(endpoint: str, values: dict[str, Any]) -> None:
    event = getattr(g, "event", None)
    if (
        "slug" not in values
        and event is not None
        and current_app.url_map.is_endpoint_expecting(endpoint, "slug")
    ):
        values["slug"] = event.slug


def site_admin_required(view: Callable) -> Callable:
    """A site administrator (Account.is_admin)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
