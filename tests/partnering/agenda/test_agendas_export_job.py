""" "Download every agenda": a background job writes the files `flask agendas export` writes
into one ZIP kept in the database, which its page offers to the event's organisers; one export
per event at a time, and only the latest keeps its file."""

from __future__ import annotations

import html
import io
import zipfile

import icalendar
import pytest

from partnering.agenda.calendars import agenda_calendar
from partnering.agenda.export import agenda_files
from partnering.bulk import runner as job_runner
from partnering.bulk import tasks
from partnering.bulk.models import BulkJob
from partnering.bulk.operations import start_agendas_export
from partnering.extensions import db
from partnering.public_urls import public_urls
from partnering.scheduling import operations
from tests.bulk_jobs import Killed, consume, job_count, make_silent, only_job, own_queue
from tests.statements import statements_seen


@pytest.fixture
def queue(app, tmp_path):
    return own_queue(app, tmp_path)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_export_job_offers_the_command_lines_files_in_one_zip(
    client, auth, runner, published, queue, tmp_path
):
    auth.login(published.organiser)
    overview = text_of(client.get("/e/osaka/schedule/"))
    assert 'action="/e/osaka/agenda/export"' in overview and "Download every agenda" in overview
    response = client.post("/e/osaka/agenda/export")
    job = only_job()
    assert response.headers["Location"].endswith(f"/e/osaka/jobs/{job.id}")
    assert job.kind == "export_agendas" and job.status == "queued" and job.total == 4
    assert client.get(f"/e/osaka/jobs/{job.id}/agendas.zip").status_code == 404  # not yet
    again = client.post("/e/osaka/agenda/export", follow_redirects=True)
    assert f"(#{job.id}) is already going for this event" in text_of(again)
    assert job_count() == 1

    consume(queue)
    page = text_of(client.get(f"/e/osaka/jobs/{job.id}"))
    assert "4 agendas in one ZIP file, with index.csv listing them." in page
    assert f'href="/e/osaka/jobs/{job.id}/agendas.zip"' in page
    download = client.get(f"/e/osaka/jobs/{job.id}/agendas.zip")
    assert download.mimetype == "application/zip"
    assert 'filename="osaka-agendas.zip"' in download.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(download.data))

    out = tmp_path / "agendas"
    assert runner.invoke(args=["agendas", "export", "osaka", str(out)]).exit_code == 0
    assert sorted(archive.namelist()) == sorted(p.name for p in out.iterdir())
    assert archive.read("index.csv") == (out / "index.csv").read_bytes()
    aiko = f"{published.aiko.ref}.ics"
    calendar = icalendar.Calendar.from_ical(archive.read(aiko))
    description = str(calendar.walk("VEVENT")[0]["description"])
    # Links in the calendars name the site the organiser asked from.
    assert f"Profile: http://localhost/e/osaka/people/{published.marc.id}" in description


def test_only_the_latest_export_keeps_its_file(client, auth, published):
    auth.login(published.organiser)
    client.post("/e/osaka/agenda/export")  # run inline
    client.post("/e/osaka/agenda/export")
    first, latest = db.session.execute(db.select(BulkJob).order_by(BulkJob.id)).scalars()
    assert client.get(f"/e/osaka/jobs/{first.id}/agendas.zip").status_code == 404
    assert "A later export replaced this file" in text_of(client.get(f"/e/osaka/jobs/{first.id}"))
    assert client.get(f"/e/osaka/jobs/{latest.id}/agendas.zip").status_code == 200
    overview = text_of(client.get("/e/osaka/schedule/"))
    assert f'(the latest: <a href="/e/osaka/jobs/{latest.id}">job #{latest.id}</a>' in overview


def test_participants_may_not_start_or_download_an_export(client, auth, published):
    job = start_agendas_export(published.event, None)  # run inline
    auth.login(published.aiko)
    assert client.post("/e/osaka/agenda/export").status_code == 403
    assert client.get(f"/e/osaka/jobs/{job.id}/agendas.zip").status_code == 403


def test_a_dying_export_job_keeps_no_file_and_run_again_writes_it(
    app, published, queue, monkeypatch
):
    job = start_agendas_export(published.event, None)
    real = job_runner.agendas_zip

    def dies_after_the_work(*args, **kwargs):
        real(*args, **kwargs)
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(job_runner, "agendas_zip", dies_after_the_work)
        with pytest.raises(Killed):
            queue.execute(queue.dequeue())
    db.session.rollback()
    db.session.refresh(job)
    assert job.status == "running" and job.download is None

    make_silent(app, job)
    tasks.take_over_silent_bulk_jobs.call_local()
    db.session.refresh(job)
    assert job.status == "done" and job.changed == 4
    assert len(zipfile.ZipFile(io.BytesIO(job.download)).namelist()) == 5  # and index.csv


def without_stamps(calendar: bytes) -> list[bytes]:
    """A calendar's lines but DTSTAMP (the moment it was written)."""
    return [line for line in calendar.splitlines() if not line.startswith(b"DTSTAMP")]


def test_each_file_is_the_agenda_the_participant_downloads(app, published):
    operations.cancel_meeting(published.second, published.organiser.account, as_organiser=True)
    with app.test_request_context(), public_urls():
        files = dict(agenda_files(published.event))
        for person in (published.aiko, published.marc, published.jun, published.organiser):
            db.session.refresh(person)
            own = files[f"{person.ref}.ics"]
            assert without_stamps(own) == without_stamps(agenda_calendar(person))
    assert len(files) == 5


def test_the_export_loads_a_fixed_number_of_statements_however_many_people(
    app, published, create_participant
):
    def statements() -> int:
        db.session.rollback()  # each count begins its transaction and loads what it needs
        with statements_seen(db.engine) as seen, app.test_request_context(), public_urls():
            for _file in agenda_files(published.event):
                pass
        return len(seen)

    before = statements()
    for i in range(20):
        create_participant(published.event, name=f"Late {i}")
    assert statements() == before
