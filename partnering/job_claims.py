"""Taking a background job's row before working on it: a queued job, or a running one whose
worker went silent. One conditional UPDATE, so that of several consumers only one wins."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, update

from partnering.db_types import utcnow
from partnering.extensions import db


def claim_job(model, job_id: int, *, queued: str, running: str, silent: ColumnElement):
    """The job's row, now running and beating, if this process took it; else None. `silent`
    says when a running job's worker counts as dead."""
    now = utcnow()
    claimed = db.session.execute(
        update(model)
        .where(
            model.id == job_id,
            or_(model.status == queued, (model.status == running) & silent),
        )
        .values(status=running, heartbeat_at=now, started_at=func.coalesce(model.started_at, now))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    return db.session.get(model, job_id)
