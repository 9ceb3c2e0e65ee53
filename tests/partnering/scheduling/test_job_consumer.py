"""A real Huey consumer process on a SQLite queue runs a scheduler run to the end."""

from __future__ import annotations

from partnering import create_app
from partnering.extensions import db
from partnering.scheduling import operations
from partnering.scheduling.models import ScheduleRun
from tests.consumers import consume_until_ended
from tests.keys import TEST_SECRET_KEY


def test_a_consumer_process_runs_the_job(tmp_path, fair):
    database = db.engine.url.render_as_string(hide_password=False)
    queue = tmp_path / "queue.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database,
            "HUEY_URL": f"sqlite://{queue}",
        }
    )
    # Read before the other app's context: inside it, this session would borrow that app's engine.
    event_type, event_id = type(fair.event), fair.event.id
    with app.app_context():
        run = operations.start_run(db.session.get(event_type, event_id), None, time_limit=1)
        run_id = run.id
        assert run.status == "queued"
        db.session.remove()
        db.engine.dispose()
    errors = consume_until_ended(
        database, queue, lambda: db.session.get(ScheduleRun, run_id).status
    )
    run = db.session.get(ScheduleRun, run_id)
    assert run.status == "done", (run.error, errors)
    assert run.summary["result"]["meetings_scheduled"] == 7
