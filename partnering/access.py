"""Who may see and do what: loads the event of an /e/<slug>/ URL and the current user's
participant record for it, so routes never repeat access checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user

from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant


def event_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint under /e/<slug>/ whose routes find the event in g.event."""
    bp = Blueprint(name, import_name, url_prefix=f"/e/<slug>{url_prefix}")

    @bp.url_value_preprocessor
    def load_event(endpoint: str | None, values: dict[str, Any] | None) -> None:
        slug = (values or {}).pop("slug", None)
        g.event = db.one_or_404(db.select(Event).filter_by(slug=slug))
        g.participant = participant_for(g.event)

    @bp.url_defaults
    def add_slug(endpoint: str, values: dict[str, Any]) -> None:
        if "slug" not in values and getattr(g, "event", None) is not None:
            values["slug"] = g.event.slug

    return bp


def participant_for(event: Event) -> Participant | None:
    if not current_user.is_authenticated:
        return None
    return db.session.execute(
        db.select(Participant).filter_by(event_id=event.id, account_id=current_user.id)
    ).scalar_one_or_none()


def participant_required(view: Callable) -> Callable:
    """An approved participant (or organiser) of g.event."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        participant = g.participant
        if participant is None:
            flash("Register for this event first.", "info")
            return redirect(url_for("events.home", slug=g.event.slug))
        if not participant.is_approved and not participant.is_organiser:
            flash("Your registration is waiting for the organiser's approval.", "info")
            return redirect(url_for("events.home", slug=g.event.slug))
        return view(*args, **kwargs)

    return wrapped


def organiser_required(view: Callable) -> Callable:
    """An organiser of g.event (site administrators count as organisers of every event)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        participant = g.participant
        if not (participant and participant.is_organiser) and not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def is_organiser() -> bool:
    """Whether the current user organises g.event (for templates and views)."""
    participant = getattr(g, "participant", None)
    return bool(
        (participant and participant.is_organiser)
        or (current_user.is_authenticated and current_user.is_admin)
    )
