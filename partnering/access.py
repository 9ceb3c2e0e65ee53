"""Who may see and do what: loads the event of an /e/<slug>/ URL and the current user's
participant record for it, and finds the rows a URL names, so routes never repeat access
checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user

from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant


class EventRow(Protocol):
    id: Any
    event_id: Any


Row = TypeVar("Row", bound=EventRow)


def event_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint under /e/<slug>/ whose routes find the event in g.event."""
    bp = Blueprint(name, import_name, url_prefix=f"/e/<slug>{url_prefix}")

    @bp.url_value_preprocessor
    def load_event(endpoint: str | None, values: dict[str, Any] | None) -> None:
        enter_event((values or {}).pop("slug", None))

    @bp.url_defaults
    def add_slug(endpoint: str, values: dict[str, Any]) -> None:
        if "slug" not in values and getattr(g, "event", None) is not None:
            values["slug"] = g.event.slug

    return bp


def enter_event(slug: str | None) -> None:
    """g.event from its slug (404 if there is none) and g.participant, the current user's
    record in it."""
    g.event = db.one_or_404(db.select(Event).filter_by(slug=slug))
    g.participant = participant_for(g.event)


def participant_for(event: Event) -> Participant | None:
    if not current_user.is_authenticated:
        return None
    return db.session.execute(
        db.select(Participant).filter_by(event_id=event.id, account_id=current_user.id)
    ).scalar_one_or_none()


def row_of_event_or_404(model: type[Row], row_id: int, event: Event) -> Row:
    """The row `row_id` of `model` if it belongs to `event`. Another event's row is "not
    found" like a missing one, so that ids reveal nothing across events."""
    row = db.session.get(model, row_id)
    if row is None or row.event_id != event.id:
        abort(404)
    return row


def _login_first():
    """The redirect to the login page for an anonymous visitor, else None."""
    if current_user.is_authenticated:
        return None
    return redirect(url_for("auth.login", next=request.full_path))


def signed_in_required(view: Callable) -> Callable:
    """Anyone signed in; the view decides the rest (a page that answers organisers and one
    participant differently)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if login := _login_first():
            return login
        return view(*args, **kwargs)

    return wrapped


def participant_required(view: Callable) -> Callable:
    """An approved participant (or organiser) of g.event."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if login := _login_first():
            return login
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
        if login := _login_first():
            return login
        if not is_organiser():
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def site_admin_required(view: Callable) -> Callable:
    """A site administrator (Account.is_admin)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if login := _login_first():
            return login
        if not current_user.is_admin:
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
