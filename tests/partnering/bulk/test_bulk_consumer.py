"""A real Huey consumer process on a SQLite queue runs bulk jobs to the end: a decision, and an
import whose consumer has an instance folder of its own (as on another machine)."""

from __future__ import annotations

from pathlib import Path

from partnering import create_app
from partnering.admin.participant_csv import check_rows, read_csv
from partnering.bulk.models import BulkJob
from partnering.bulk.operations import start_decisions, start_import
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Participant
from tests.consumers import consume_until_ended
from tests.keys import TEST_SECRET_KEY


def queue_with(tmp_path: Path, start) -> int:
    """Queue a job with `start(event_id)` from a web app of its own; its id."""
    database = db.engine.url.render_as_string(hide_password=False)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database,
            "HUEY_URL": f"sqlite://{tmp_path / 'queue.db'}",
        },
        instance_path=tmp_path / "web",
    )
    with app.app_context():
        job = start()
        job_id = job.id
        assert job.status == "queued"
        db.session.remove()
        db.engine.dispose()
    return job_id


def consumed(tmp_path: Path, job_id: int) -> BulkJob:
    """Run a consumer process (its instance folder its own) until the job ends; the job."""
    errors = consume_until_ended(
        db.engine.url.render_as_string(hide_password=False),
        tmp_path / "queue.db",
        lambda: db.session.get(BulkJob, job_id).status,
        instance=tmp_path / "consumer",
    )
    job = db.session.get(BulkJob, job_id)
    assert job.status == "done", (job.error, errors)
    return job


def test_a_consumer_process_runs_the_decisions(tmp_path, create_event, create_participant):
    event = create_event()
    people = [create_participant(event, status="pending") for _ in range(4)]
    ids, event_id = [p.id for p in people], event.id
    job_id = queue_with(
        tmp_path, lambda: start_decisions(db.session.get(Event, event_id), None, ids, "approved")
    )
    job = consumed(tmp_path, job_id)
    assert job.changed == 4 and job.result == "4 registrations approved."
    statuses = db.session.scalars(
        db.select(Participant.status).where(Participant.id.in_(ids))
    ).all()
    assert statuses == ["approved"] * 4


def test_a_consumer_elsewhere_imports_the_file_kept_with_the_job(tmp_path, create_event):
    event_id = create_event().id
    data = "Name,Email\nAiko Tanaka,aiko@takeda.example\nBruno Costa,bruno@biolab.example\n"
    mapping = {"name": 0, "email": 1}

    def start():
        event = db.session.get(Event, event_id)
        rows, problems = check_rows(event, read_csv(data.encode()), mapping)
        assert not problems
        return start_import(event, None, data.encode(), mapping, rows)

    job = consumed(tmp_path, queue_with(tmp_path, start))
    assert job.changed == 2 and job.result.startswith("Imported 2 rows: 2 participants created")
    emails = db.session.scalars(db.select(Participant).filter_by(event_id=event_id)).all()
    assert {p.email for p in emails} == {"aiko@takeda.example", "bruno@biolab.example"}
    assert not (tmp_path / "consumer" / "uploads").exists()  # nothing read from a disk
