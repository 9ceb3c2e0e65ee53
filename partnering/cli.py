"""Flask commands: `flask --app partnering <command>`.

Bad input ends with a one-line error and a non-zero exit code, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from partnering.events.models import Event
from partnering.extensions import db
from partnering.scheduling.problem import (
    ImportRefused,
    import_problem,
    problem_for_event,
    profiles_from_document,
)
from scheduler.problem import FormatError, dump_json, problem_from_dict, problem_to_dict


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the database schema."""
    upgrade()
    click.echo("Database is up to date.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="Background job threads.")
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the app with its background job consumer (for a single machine)."""
    consumer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "huey.bin.huey_consumer",
            "partnering.jobs.huey",
            "--workers",
            str(workers),
            "--worker-type",
            "thread",
            "--quiet",
        ]
    )
    click.echo(f"Background jobs: consumer started (pid {consumer.pid}).")
    try:
        current_app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        consumer.terminate()
        consumer.wait(timeout=10)


event_cli = AppGroup("event", help="Take an event out as a problem file, or bring one in.")


@event_cli.command("import")
@click.argument("problem_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slug", required=True, help="The new event's address: /e/SLUG/.")
@click.option("--name", default=None, help="The event's name (default: the file's).")
def import_event_command(problem_file: Path, slug: str, name: str | None) -> None:
    """Create an event from a partnering-problem/1 file."""
    doc = _read_json(problem_file)
    try:
        problem = problem_from_dict(doc)
        event = import_problem(problem, slug, name, profiles_from_document(doc))
    except (FormatError, ImportRefused) as exc:
        raise click.ClickException(f"{problem_file}: {exc}; nothing was imported") from None
    click.echo(
        f"Imported {event.name!r} as /e/{event.slug}/: {len(problem.slots)} slots, "
        f"{len(problem.tables)} tables, {len(problem.participants)} participants, "
        f"{len(problem.meetings)} meetings."
    )


@event_cli.command("export-problem")
@click.argument("slug")
def export_problem_command(slug: str) -> None:
    """Write the event's scheduling problem (partnering-problem/1) to stdout."""
    event = db.session.execute(db.select(Event).filter_by(slug=slug)).scalar_one_or_none()
    if event is None:
        raise click.ClickException(f"no event with slug {slug!r}")
    click.echo(dump_json(problem_to_dict(problem_for_event(event))), nl=False)


def _read_json(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}; nothing was imported"
        ) from None


def init_app(app: Flask) -> None:
    for command in (init_db_command, serve_command, event_cli):
        app.cli.add_command(command)
