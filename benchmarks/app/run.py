"""The app's bulk actions at 150, 2,000 and 18,000 participants, side by side in one run.

    .venv/bin/python -m benchmarks.app.run --database postgresql+psycopg://postgres@127.0.0.1:5432/partnering_bench_app

For each size (the `osaka`, `large` and `bio` presets of `scheduler.generate`), in a process of
its own and on an emptied database (schema from `init-db`), through the app's own commands
(Flask's CLI runner) or the function a command calls:

1. `event import FILE --slug SLUG`: the preset's problem file, nothing placed;
2. `schedule run SLUG --time-limit 60 --wait`: the app's solver, then the result applied;
3. publish: `operations.publish`, what `schedule publish --wait` calls (the database part,
   then every agenda email built and queued), without the command's delivery at the end;
4. outbox delivery: the sender's round (`deliver_due`, the body of the outbox's job) to a
   local SMTP server (aiosmtpd's Sink, in its own process) over one connection;
5. `agendas export SLUG DIR`: every agenda as an .ics file, into a temporary folder (last:
   at 18,000 participants it is the slowest step).

Wall time per step, the process's peak RSS after each step and the load average; prints the
machine line and one Markdown table with the sizes side by side. Every table of the database
is dropped first (schema public).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.pool import NullPool

from benchmarks.smtp_sink import smtp_sink
from partnering import create_app
from partnering.events.cli import event_by_slug
from partnering.extensions import db
from partnering.outbox.models import OutboxMessage, OutboxStatus
from partnering.outbox.sender import deliver_due
from partnering.scheduling import operations
from partnering.scheduling.models import ScheduleRun
from scheduler import Problem, dump_json, problem_to_dict
from scheduler.generate import PRESETS

DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/partnering_bench_app"
STEPS = ("import", "run", "publish", "delivery", "export")


def peak_rss_gb() -> float:
    """This process's peak resident memory so far (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def invoke(app: Flask, *args: str) -> str:
    """A `flask --app partnering` command, as the command line runs it; its output."""
    result = app.test_cli_runner().invoke(args=list(args))
    if result.exit_code != 0:
        raise RuntimeError(
            f"`{' '.join(args)}` failed ({result.exit_code}): {result.output}"
        ) from (result.exception)
    return result.output


class Steps:
    """Wall time, peak RSS and load average at the end of each step, each also written to
    stderr as it ends (a long run shows where it is, and keeps what it measured if stopped)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.figures: dict[str, Any] = {"load_before": os.getloadavg()[0]}
        self._started = 0.0

    def start(self) -> None:
        self._started = time.perf_counter()

    def end(self, step: str) -> None:
        self.figures[f"{step}_s"] = time.perf_counter() - self._started
        self.figures[f"{step}_rss_gb"] = peak_rss_gb()
        self.figures[f"{step}_load"] = os.getloadavg()[0]
        print(
            f"{self.label}: {step} {self.figures[f'{step}_s']:.1f} s, peak RSS "
            f"{self.figures[f'{step}_rss_gb']:.2f} GB, load {self.figures[f'{step}_load']:.1f}",
            file=sys.stderr,
            flush=True,
        )


def measure_event(
    database: str,
    problem: Problem,
    slug: str,
    smtp_port: int,
    *,
    time_limit: int = 60,
    settings: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Every step on `problem` in an empty `database`; the figures."""
    with tempfile.TemporaryDirectory(prefix="app-bench-") as work:
        folder = Path(work)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database,
                "SECRET_KEY": secrets.token_hex(32),
                "HUEY_IMMEDIATE": True,
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": smtp_port,
                **(settings or {}),
            },
            instance_path=folder / "instance",
        )
        problem_file = folder / "problem.json"
        problem_file.write_text(dump_json(problem_to_dict(problem)), encoding="utf-8")
        invoke(app, "init-db")
        steps = Steps(slug)
        figures = steps.figures
        figures["participants"] = len(problem.participants)
        figures["meetings"] = len(problem.meetings)

        steps.start()
        invoke(app, "event", "import", str(problem_file), "--slug", slug)
        steps.end("import")

        steps.start()
        invoke(app, "schedule", "run", slug, "--time-limit", str(time_limit), "--wait")
        steps.end("run")
        with app.app_context():
            run = db.session.scalars(
                select(ScheduleRun).order_by(ScheduleRun.id.desc()).limit(1)
            ).one()
            figures["run_job_s"] = run.elapsed
            figures["placed"] = run.summary["result"]["meetings_scheduled"]
            figures["priority"] = run.summary["result"]["priority_sum"]
            figures["bound"] = run.summary["upper_bound"]
            figures["greedy_placed"] = run.summary["greedy"]["meetings_scheduled"]
            db.session.remove()

        with app.app_context():
            event = event_by_slug(slug)
            steps.start()
            job = operations.publish(event, "preliminary")
            steps.end("publish")
            figures["database_part_s"] = (job.published_at - job.started_at).total_seconds()
            figures["emails_part_s"] = (job.finished_at - job.published_at).total_seconds()
            figures["newly_published"] = job.newly_published
            figures["queued"] = job.emails_queued
            db.session.remove()

        with app.app_context():
            steps.start()
            delivered = deliver_due(limit=None)
            steps.end("delivery")
            figures["sent"] = delivered.sent
            figures["connections"] = delivered.connections
            figures["unsent"] = db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != OutboxStatus.SENT)
            )
            db.session.remove()

        agendas = folder / "agendas"
        steps.start()
        invoke(app, "agendas", "export", slug, str(agendas))
        steps.end("export")
        figures["agenda_files"] = sum(1 for _ in agendas.glob("*.ics"))
        with app.app_context():
            db.engine.dispose()
    return figures


def measure_preset(database: str, preset: str, smtp_port: int, time_limit: int) -> dict:
    """One size, on the database emptied; run in a process of its own (its own peak RSS)."""
    problem = PRESETS[preset]()
    empty_database(database)
    figures = measure_event(database, problem, preset, smtp_port, time_limit=time_limit)
    return {"preset": preset, **figures}


def empty_database(url: str) -> None:
    """Create the PostgreSQL database if missing, then drop every table (schema public)."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql"):
        raise SystemExit(f"--database must be PostgreSQL, not {target.drivername}")
    server = create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with server.connect() as connection:
        if not connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ):
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()
    engine = create_engine(target, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def machine_line(database: str) -> str:
    engine = create_engine(database, poolclass=NullPool)
    with engine.connect() as connection:
        server = connection.scalar(text("SHOW server_version"))
    engine.dispose()
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {server.split()[0]}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


def table(rows: list[dict], time_limit: int) -> str:
    """The sizes side by side, one column each."""

    def line(label: str, cell) -> str:
        return f"| {label} | " + " | ".join(cell(f) for f in rows) + " |"

    def step(name: str, extra=lambda f: ""):
        return lambda f: f"{f[name + '_s']:.1f}{extra(f)}"

    return "\n".join(
        [
            "| | " + " | ".join(f["preset"] for f in rows) + " |",
            "| --- |" + " ---: |" * len(rows),
            line("participants", lambda f: f"{f['participants']:,}"),
            line("agreed meetings", lambda f: f"{f['meetings']:,}"),
            line("`event import` s", step("import")),
            line(
                f"`schedule run --time-limit {time_limit} --wait` s (of which the run job)",
                step("run", lambda f: f" ({f['run_job_s']:.1f})"),
            ),
            line(
                "placed meetings, % of the bound (first-come baseline)",
                lambda f: (
                    f"{f['placed']:,}, {100 * f['priority'] / f['bound']:.2f} % "
                    f"({f['greedy_placed']:,})"
                ),
            ),
            line(
                "publish s (database part + emails)",
                step(
                    "publish", lambda f: f" ({f['database_part_s']:.1f} + {f['emails_part_s']:.1f})"
                ),
            ),
            line("agenda emails queued", lambda f: f"{f['queued']:,}"),
            line("outbox delivery s", step("delivery")),
            line(
                "emails/s (SMTP connections)",
                lambda f: f"{f['sent'] / f['delivery_s']:.0f} ({f['connections']})",
            ),
            line(
                "`agendas export` s (files)", step("export", lambda f: f" ({f['agenda_files']:,})")
            ),
            line(
                "peak RSS GB after " + " / ".join(STEPS),
                lambda f: " / ".join(f"{f[s + '_rss_gb']:.2f}" for s in STEPS),
            ),
            line(
                "load average (1 min) before / after each step",
                lambda f: " / ".join(
                    f"{f[key]:.1f}" for key in ["load_before"] + [s + "_load" for s in STEPS]
                ),
            ),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default=DEFAULT_DATABASE, help="PostgreSQL URL; every table is dropped"
    )
    parser.add_argument("--presets", default="osaka,large,bio")
    parser.add_argument("--time-limit", type=int, default=60, help="the run's seconds of search")
    args = parser.parse_args(argv)
    presets = args.presets.split(",")
    unknown = set(presets) - set(PRESETS)
    if unknown:
        parser.error(f"unknown presets {', '.join(sorted(unknown))} (known: {', '.join(PRESETS)})")
    rows = []
    spawn = multiprocessing.get_context("spawn")
    with smtp_sink() as port:
        for preset in presets:
            with spawn.Pool(1) as pool:
                figures = pool.apply(measure_preset, (args.database, preset, port, args.time_limit))
            print(figures, file=sys.stderr, flush=True)
            rows.append(figures)
    print(machine_line(args.database))
    print()
    print(table(rows, args.time_limit))


if __name__ == "__main__":
    main()
