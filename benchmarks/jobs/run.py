"""The agendas export and the participant import as the organiser's background jobs run them,
at several sizes side by side.

    PYTHONPATH=. .venv/bin/python benchmarks/jobs/run.py --presets osaka,large --rows 2000 \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/partnering_bench_jobs

For each size (presets of `scheduler.generate`, every meeting the first-come baseline places
arriving placed and marked published, no email built): an emptied database, the event imported,
then
- "Download every agenda": the export job run to the end (every approved participant's `.ics`
  and index.csv in one ZIP kept on the job's row), and the same files written to a folder as
  `flask agendas export` does;
- a CSV of ROWS new participants: every row checked as the upload page does in the request,
  then the import job that writes them all in one transaction.
Jobs run inline (HUEY_IMMEDIATE): the figures are the job's work, not the queue's wait. Prints
one Markdown table. The database is emptied (every table dropped) first.
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy import update

from benchmarks.first_come import placed_by_first_come
from partnering import create_app
from partnering.admin.participant_csv import check_rows, guess_mapping, read_csv
from partnering.agenda.export import agenda_files
from partnering.bulk.operations import start_agendas_export, start_import
from partnering.db_types import utcnow
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting
from partnering.public_urls import public_urls
from partnering.scheduling.problem_import import import_document
from scheduler.generate import PRESETS
from scheduler.problem_json import problem_to_dict


def people_csv(rows: int) -> bytes:
    lines = ["Name,Email,Organisation,Country"]
    lines += [f"Person {i},person{i}@import.example,Org {i % 300},Japan" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def measure(database: str, preset: str, rows: int) -> dict:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": secrets.token_hex(32)}
        | {"HUEY_IMMEDIATE": True}
    )
    figures: dict = {"preset": preset}
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        document = problem_to_dict(placed_by_first_come(PRESETS[preset]()))
        event, problem = import_document(document, preset)
        figures["participants"] = len(problem.participants)
        db.session.execute(
            update(Meeting)
            .where(Meeting.event_id == event.id, Meeting.slot_id.is_not(None))
            .values(published_at=utcnow())
        )
        db.session.commit()
        event_id = event.id
        db.session.remove()

        event = db.session.get(Event, event_id)
        started = time.perf_counter()
        job = start_agendas_export(event, None)
        figures["export_s"] = time.perf_counter() - started
        db.session.refresh(job)
        assert job.is_done, job.error
        figures["agendas"], figures["zip_mb"] = job.changed, len(job.download) / 1e6
        db.session.remove()

        event = db.session.get(Event, event_id)
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            with public_urls():
                for name, contents in agenda_files(event):
                    (Path(folder) / name).write_bytes(contents)
            figures["folder_s"] = time.perf_counter() - started
        db.session.remove()

        event = db.session.get(Event, event_id)
        data = people_csv(rows)
        started = time.perf_counter()
        table = read_csv(data)
        mapping = guess_mapping(table.headers)
        checked, problems = check_rows(event, table, mapping)
        figures["check_s"] = time.perf_counter() - started
        assert not problems, problems[:3]
        started = time.perf_counter()
        job = start_import(event, None, data, mapping, checked)
        figures["import_s"] = time.perf_counter() - started
        db.session.refresh(job)
        assert job.is_done, job.error
        figures["rows"] = job.changed
        db.session.remove()
        db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="an SQLAlchemy URL; it is emptied")
    parser.add_argument("--presets", default="osaka,large")
    parser.add_argument("--rows", type=int, default=2000, help="rows of the imported CSV")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print(
        "| event | participants | export job s (agendas, ZIP MB) | same files to a folder s "
        "| import: rows | checked in the request s | import job s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for preset in args.presets.split(","):
        f = measure(args.database, preset, args.rows)
        print(
            f"| {preset} | {f['participants']:,} | {f['export_s']:.1f} ({f['agendas']:,}, "
            f"{f['zip_mb']:.2f}) | {f['folder_s']:.1f} | {f['rows']:,} | {f['check_s']:.2f} "
            f"| {f['import_s']:.1f} |",
            flush=True,
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
