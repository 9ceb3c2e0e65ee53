"""An imported event is planned with fresh statistics: on PostgreSQL the import analyses the
tables it filled, and applying a run or publishing the meetings it placed, so a participant's
page uses the indexes at once instead of scanning every meeting of the event (autovacuum may
be off or minutes away)."""

from __future__ import annotations

from sqlalchemy import text

from partnering.bulk.operations import apply_here
from partnering.extensions import db
from partnering.scheduling import operations
from partnering.scheduling.models import ScheduleRun
from partnering.scheduling.problem_import import import_problem
from scheduler.generate import generate
from tests.apps import QUIET, app_for
from tests.production.conftest import fresh_postgres_database


def planner_row_counts(tables: list[str]) -> dict[str, float]:
    """PostgreSQL's own idea of each table's size (-1: never analysed)."""
    return dict(
        db.session.execute(
            text("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(:names)"),
            {"names": tables},
        ).all()
    )


def test_the_import_leaves_postgresql_knowing_how_many_rows_it_wrote():
    problem = generate(participants=60, tables=8, days=1, meetings=150, seed=3)
    tables = ["meeting", "meeting_participant", "meeting_request", "participant"]
    with fresh_postgres_database() as url, app_for(url, QUIET, tables=True) as app:
        with app.app_context():
            assert all(rows <= 0 for rows in planner_row_counts(tables).values())
            import_problem(problem, "stats")
            stored = {
                table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in tables
            }
            assert stored["meeting"] == len(problem.meetings)
            assert planner_row_counts(tables) == stored
            db.session.remove()



def share_without(table: str, column: str) -> float:
    """PostgreSQL's idea of the share of `table`'s rows with no `column`."""
    return db.session.scalar(
        text("SELECT null_frac FROM pg_stats WHERE tablename = :table AND attname = :column"),
        {"table": table, "column": column},
    )


def test_applying_and_publishing_leave_postgresql_knowing_the_meetings_placed():
    problem = generate(participants=60, tables=8, days=1, meetings=150, seed=3)
    with fresh_postgres_database() as url, app_for(url, QUIET, tables=True) as app:
        with app.app_context():
            event = import_problem(problem, "stats")
            assert share_without("meeting", "slot_id") == 1.0  # imported unplaced
            run = operations.start_run(event, None, time_limit=5)
            apply_here(db.session.get(ScheduleRun, run.id), None)  # the organiser's Apply job
            assert share_without("meeting", "slot_id") < 0.5
            assert share_without("meeting", "published_at") == 1.0
            operations.publish(event, "preliminary")
            assert share_without("meeting", "published_at") < 0.5
            db.session.remove()
