"""Events, their slots and tables, as pages read them."""

from __future__ import annotations

from partnering.access import row_of_event_or_404
from partnering.events.models import Event, Slot, Table
from partnering.extensions import db


def all_events() -> list[Event]:
    """Every event, newest first (the site's front page)."""
    return list(db.session.scalars(db.select(Event).order_by(Event.created_at.desc())))


def slot_or_404(event: Event, slot_id: int) -> Slot:
    return row_of_event_or_404(Slot, slot_id, event)


def table_or_404(event: Event, table_id: int) -> Table:
    return row_of_event_or_404(Table, table_id, event)
