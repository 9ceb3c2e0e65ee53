"""Publishing and delivering agendas at 150, 2,000 and 18,000 participants, side by side.

    PYTHONPATH=. .venv/bin/python benchmarks/publish/run.py --database postgresql+psycopg://postgres@127.0.0.1:5432/partnering_bench_publish

For each size (the `osaka`, `large` and `bio` presets of `scheduler.generate`, every meeting
the first-come baseline places arriving placed, none published): an empty database, the event
imported, then published as the app does it (`schedule publish --workers N`: the database part
in one transaction, then every agenda email built and queued in batches by N processes, 2 by
default; `--presets large` for one size), then the outbox delivered
to a local SMTP server (aiosmtpd's Sink, in its own process) over the sender's one connection.
Prints one Markdown table. The database is emptied (every table dropped) first.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import secrets
import sys
import time

from sqlalchemy import func, select, update

from benchmarks.first_come import placed_by_first_come
from benchmarks.smtp_sink import smtp_sink
from partnering import create_app
from partnering.db_types import utcnow
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage
from partnering.outbox.sender import deliver_due
from partnering.scheduling import operations
from partnering.scheduling.problem_import import import_document
from scheduler.generate import PRESETS
from scheduler.problem_json import problem_to_dict


def placed_document(preset: str) -> dict:
    return problem_to_dict(placed_by_first_come(PRESETS[preset]()))


def measure(database: str, preset: str, port: int, workers: int) -> dict:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": secrets.token_hex(32),
            "HUEY_IMMEDIATE": True,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
        }
    )
    figures: dict = {"preset": preset, "workers": workers}
    with app.app_context():
        db.drop_all()
        db.create_all()
        doc = placed_document(preset)
        started = time.perf_counter()
        event, problem = import_document(doc, preset)
        figures["import_s"] = time.perf_counter() - started
        figures["participants"] = len(problem.participants)
        figures["placed"] = sum(1 for m in problem.meetings if m.fixed is not None)
        event_id = event.id
        db.session.remove()

        event = db.session.get(type(event), event_id)
        started = time.perf_counter()
        job = operations.publish(event, "preliminary", workers=workers)
        figures["publish_s"] = time.perf_counter() - started
        figures["database_s"] = (job.published_at - job.started_at).total_seconds()
        figures["emails_s"] = (job.finished_at - job.published_at).total_seconds()
        figures["ms_per_email"] = 1000 * figures["emails_s"] / max(job.emails_queued, 1)
        figures["newly_published"] = job.newly_published
        figures["queued"] = job.emails_queued
        figures["rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        # The forked workers' (ended by now; the SMTP sink is not, so not counted).
        figures["rss_worker_gb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
        db.session.remove()

        started = time.perf_counter()
        delivered = deliver_due(limit=None)
        figures["deliver_s"] = time.perf_counter() - started
        figures["sent"] = delivered.sent
        figures["connections"] = delivered.connections
        figures["waiting"] = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
        )
        db.session.remove()
        db.engine.dispose()
    return figures


def deliver_only(database: str, port: int) -> None:
    """Deliver what the outbox holds now (every unsent email due at once), and print it."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": secrets.token_hex(32),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
        }
    )
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status != "sent")
            .values(status="waiting", next_attempt_at=utcnow(), attempts=0)
        )
        db.session.commit()
        started = time.perf_counter()
        delivered = deliver_due(limit=None)
        seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    print(
        f"{delivered.sent:,} emails in {seconds:.1f} s: {delivered.sent / seconds:.0f} emails/s "
        f"over {delivered.connections} SMTP connection(s); load average "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL; it is emptied")
    parser.add_argument("--presets", default="osaka,large,bio", help="e.g. large for one size")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="processes queueing the emails, as `schedule publish --workers` (default 2)",
    )
    parser.add_argument(
        "--deliver-only",
        action="store_true",
        help="only deliver the unsent emails the database's outbox holds",
    )
    args = parser.parse_args()
    rows = []
    with smtp_sink() as port:
        if args.deliver_only:
            deliver_only(args.database, port)
            return
        for preset in args.presets.split(","):
            figures = measure(args.database, preset, port, args.workers)
            print(figures, file=sys.stderr, flush=True)
            rows.append(figures)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{platform.processor() or platform.machine()}, {platform.python_version()}, "
        f"load average {load}"
    )
    print()
    print(
        "| event | participants | placed meetings | import s | publish s (database part + "
        "emails) | workers | ms per email | agenda emails queued | peak RSS GB (a worker) | "
        "delivery s | "
        "emails/s | SMTP connections |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for f in rows:
        print(
            f"| {f['preset']} | {f['participants']:,} | {f['placed']:,} | {f['import_s']:.1f} | "
            f"{f['publish_s']:.1f} ({f['database_s']:.1f} + {f['emails_s']:.1f}) | "
            f"{f['workers']} | {f['ms_per_email']:.1f} | "
            f"{f['queued']:,} | {f['rss_gb']:.2f} ({f['rss_worker_gb']:.2f}) | "
            f"{f['deliver_s']:.1f} | "
            f"{f['sent'] / f['deliver_s']:.0f} | {f['connections']} |"
        )


if __name__ == "__main__":
    main()
