"""Importing participants from a CSV file: every row is checked in the request, which lists
every bad row next to the form and imports nothing; a clean file is imported by a background
job that keeps the file's bytes in the database (its consumer may run on another machine),
writes every row or none, and is the event's only import while it runs."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from partnering.bulk import runner, tasks
from partnering.events.models import Table
from partnering.extensions import db
from partnering.registrations.models import Participant
from tests.bulk_jobs import Killed, consume, job_count, make_silent, only_job
from tests.csv_uploads import MAPPING, upload

CLEAN = (
    "Full name;E-mail;Company;Type;Country;Interests;About;Stand\n"
    "Aiko Tanaka;aiko@takeda.example;Takeda;pharma;Japan;;Small molecules;T01\n"
    "Bruno Costa;bruno@biolab.example;BioLab;SME / start-up;Brazil;;;\n"
    "Chen Wei;chen@suzhou.example;Suzhou Bio;;China;;;\n"
)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def import_columns(client, token: str, **kwargs):
    return client.post(
        "/e/osaka/admin/participants/import/columns",
        query_string={"upload": token},
        data=dict(MAPPING, upload=token),
        **kwargs,
    )


def imported() -> set[str]:
    db.session.expire_all()
    people = db.session.execute(db.select(Participant)).scalars()
    return {p.email for p in people if p.role != "organiser"}


def test_a_clean_file_is_imported_by_a_job_that_keeps_the_file_in_the_database(
    app, client, as_organiser, queue
):
    token = upload(client, CLEAN)
    response = import_columns(client, token)
    job = only_job()
    assert response.headers["Location"].endswith(f"/e/osaka/jobs/{job.id}")
    assert job.kind == "import_participants" and job.status == "queued" and job.total == 3
    assert job.upload == CLEAN.encode()  # the bytes as uploaded, for a consumer anywhere
    uploads = list((Path(app.instance_path) / "uploads").glob("*.csv"))
    assert uploads == []  # the web machine's copy is gone: the job does not need it
    assert imported() == set()  # nothing written in the request
    page = text_of(client.get(f"/e/osaka/jobs/{job.id}"))
    assert "Importing participants #" in page and "3 rows" in page and "Waiting to start" in page

    second = upload(client, CLEAN.replace("aiko@", "aiko2@"))
    refused = text_of(import_columns(client, second))
    assert f"(#{job.id}) is already going for this event" in refused
    assert job_count() == 1

    consume(queue)
    assert imported() == {"aiko@takeda.example", "bruno@biolab.example", "chen@suzhou.example"}
    page = text_of(client.get(f"/e/osaka/jobs/{job.id}"))
    assert "Imported 3 rows: 3 participants created, 0 updated, 0 invited" in page
    db.session.refresh(job)
    assert job.upload is None  # the file is not kept once imported
    aiko = db.session.execute(
        db.select(Participant).join(Participant.account).filter_by(email="aiko@takeda.example")
    ).scalar_one()
    assert aiko.booth.name == "T01" and aiko.description == "Small molecules"


def test_every_bad_row_is_shown_in_the_request_and_no_job_is_made(client, as_organiser, queue):
    bad = CLEAN + "Dora;not-an-email;X;;;;;\n;eve@example.org;Y;;;;;T99\n"
    token = upload(client, bad)
    page = text_of(import_columns(client, token))
    assert "Nothing was imported: fix these 2 problems" in page
    assert "Line 5: “not-an-email” is not an email address." in page
    assert "Line 6: the name is missing; there is no table “T99” for a booth." in page
    assert job_count() == 0 and imported() == set()


def test_a_dying_import_job_imports_nothing_and_run_again_imports_every_row_once(
    app, client, as_organiser, queue, monkeypatch
):
    import_columns(client, upload(client, CLEAN))
    job = only_job()
    real, calls = runner.write_participants, []

    def dies_after_the_work(*args, **kwargs):
        calls.append(1)
        real(*args, **kwargs)  # every row written in the session ...
        raise Killed  # ... and the worker dies before the commit

    with monkeypatch.context() as patch:
        patch.setattr(runner, "write_participants", dies_after_the_work)
        with pytest.raises(Killed):
            queue.execute(queue.dequeue())
    db.session.rollback()
    assert calls == [1] and imported() == set()

    make_silent(app, job)
    tasks.take_over_silent_bulk_jobs.call_local()
    db.session.refresh(job)
    assert job.status == "done" and job.changed == 3
    people = db.session.execute(db.select(Participant)).scalars().all()
    assert len(people) == 4  # the organiser and the three rows, each once


def test_rows_that_no_longer_fit_the_event_when_the_job_runs_import_nothing(
    client, as_organiser, queue
):
    import_columns(client, upload(client, CLEAN))
    # Meanwhile the table Aiko's row names as her booth goes.
    db.session.execute(db.delete(Table).filter_by(event_id=as_organiser.event_id, name="T01"))
    db.session.commit()
    consume(queue)
    job = only_job()
    assert job.status == "failed" and imported() == set() and job.upload is None
    page = text_of(client.get(f"/e/osaka/jobs/{job.id}"))
    assert (
        "failed: Nothing was imported: the event changed since the file was checked. "
        "Line 2: there is no table “T01” for a booth. Upload the file again."
    ) in page
