"""Applying a run issues a number of SQL statements that does not grow with the event: the
meetings' new places are written set-wise, not one query per meeting.

The same event is built at two sizes, the second ten times the first, with every meeting
taken out of the schedule; a run places them all again and applying it is counted with the
engine's `before_cursor_execute` event."""

from __future__ import annotations

from sqlalchemy import update

from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.scheduling import operations
from partnering.scheduling.models import ScheduleRun
from tests.partnering.scheduling.sized_events import LARGE, SMALL, TOLERANCE


def placed(event_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.count(Meeting.id)).filter(
            Meeting.event_id == event_id, Meeting.slot_id.is_not(None)
        )
    )


def test_applying_a_run_costs_the_same_statements_at_ten_times_the_size(
    sized, count_statements
):
    ids = [event.id for event in sized]
    runs = []
    for event in sized:
        db.session.execute(
            update(Meeting).where(Meeting.event_id == event.id).values(slot_id=None, table_id=None)
        )
        db.session.commit()
        runs.append(operations.start_run(event, None, time_limit=10).id)

    def apply(run_id: int):
        return lambda: operations.apply_run(db.session.get(ScheduleRun, run_id), None)

    counts = [count_statements(apply(run_id)) for run_id in runs]
    for event_id, size in zip(ids, (SMALL, LARGE), strict=True):
        assert placed(event_id) == size  # every meeting placed again
    assert counts[1] - counts[0] <= TOLERANCE, f"apply: {counts}"
