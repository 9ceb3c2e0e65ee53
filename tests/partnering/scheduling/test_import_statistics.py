"""An imported event is planned with fresh statistics: on PostgreSQL the import analyses the
tables it filled, so a participant's page uses the indexes at once instead of scanning every
meeting of the event (autovacuum may be off or minutes away)."""

from __future__ import annotations

from sqlalchemy import text

from partnering.extensions import db
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

