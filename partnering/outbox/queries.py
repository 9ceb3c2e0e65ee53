"""The outbox as the organiser's page reads it."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination

from partnering.access import row_of_event_or_404
from partnering.events.models import Event
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage, OutboxStatus


def messages_page(
    event: Event, status: OutboxStatus | None, *, page: int, per_page: int
) -> Pagination:
    """One page of the event's emails, newest first, of one status or all."""
    query = db.select(OutboxMessage).filter_by(event_id=event.id)
    if status:
        query = query.filter_by(status=status)
    return db.paginate(query.order_by(OutboxMessage.id.desc()), page=page, per_page=per_page)


def counts_by_status(event: Event) -> dict[OutboxStatus, int]:
    return dict(
        db.session.execute(
            db.select(OutboxMessage.status, db.func.count())
            .filter_by(event_id=event.id)
            .group_by(OutboxMessage.status)
        ).all()
    )


def message_or_404(event: Event, message_id: int) -> OutboxMessage:
    return row_of_event_or_404(OutboxMessage, message_id, event)
