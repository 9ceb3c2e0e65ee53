"""The `admin` blueprint. Unlike event_blueprint it also serves one page outside any event
(creating an event), so it loads g.event only for routes that have a slug."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g

from partnering.access import enter_event

bp = Blueprint("admin", __name__)


@bp.url_value_preprocessor
def load_event(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "slug" in values:
        enter_event(values.pop("slug"))


@bp.url_defaults
def add_slug(endpoint: str, values: dict[str, Any]) -> None:
    event = getattr(g, "event", None)
    if (
        "slug" not in values
        and event is not None
        and current_app.url_map.is_endpoint_expecting(endpoint, "slug")
    ):
        values["slug"] = event.slug
