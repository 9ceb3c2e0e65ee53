"""What every command about one event starts with: the event its SLUG argument names."""

from __future__ import annotations

import click

from partnering.events.models import Event
from partnering.extensions import db


def event_by_slug(slug: str) -> Event:
    """The event at /e/SLUG/; none is a one-line error that ends the command."""
    event = db.session.execute(db.select(Event).filter_by(slug=slug)).scalar_one_or_none()
    if event is None:
        raise click.ClickException(f"no event with slug {slug!r}")
    return event
