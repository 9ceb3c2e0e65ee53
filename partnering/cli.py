"""Flask commands: `flask --app partnering <command>`.

Bad input ends with a one-line error and a non-zero exit code, never a traceback."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select
from werkzeug.serving import run_simple

from partnering.auth.operations import login_token
from partnering.backup import BackupRefused, export_event, restore_event, unsent_emails
from partnering.demo import DemoExists, create_demo, demo_logins, find_demo
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.scheduling.problem import ImportRefused, import_document, problem_document
from partnering.supervisor import ConsumerSupervisor


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema."""
    upgrade()
    click.echo("Database is up to date.")


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="Background job threads.")
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the app with its background job consumer (for a single machine); a consumer
    that dies is started again."""
    consumer = ConsumerSupervisor(
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
        ],
        say=click.echo,
    )
    consumer.start()
    # A plain `kill` must stop the consumer too, as Ctrl+C does.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        # Not app.run(): Flask ignores it inside a `flask` command.
        click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop).")
        run_simple(host, port, current_app._get_current_object(), threaded=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        consumer.stop()


@click.command("serve-production")
@with_appcontext
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="PORT", default=8000, show_default=True)
@click.option(
    "--workers",
    envvar="WEB_CONCURRENCY",
    type=click.IntRange(1),
    default=None,
    help="Web worker processes (default: 2 × cores + 1, at most 8).",
)
def serve_production_command(host: str, port: int, workers: int | None) -> None:
    """Serve the app with gunicorn, in production mode (several worker processes).

    Background jobs are not run here: start consumers with `huey_consumer partnering.jobs.huey`."""
    env = {**os.environ, "HOST": host, "PORT": str(port)}
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    click.echo(
        "Background jobs are not run by this server: start consumers with "
        "`huey_consumer partnering.jobs.huey -w N` (same environment, any machine)."
    )
    # exec: gunicorn's master takes this process's place, so signals from a process manager
    # reach it directly.
    settings_file = Path(__file__).with_name("gunicorn_conf.py")
    os.execve(
        sys.executable, [sys.executable, "-m", "gunicorn", "--config", str(settings_file)], env
    )


@click.command("demo")
@with_appcontext
@click.option("--participants", default=150, show_default=True, type=click.IntRange(10, 5000))
@click.option("--seed", default=1, show_default=True, help="Same seed, same demo.")
@click.option("--if-empty", is_flag=True, help="Do nothing when an event exists already.")
@click.option(
    "--url",
    "base_url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Where the app is served, for the login links.",
)
def demo_command(participants: int, seed: int, if_empty: bool, base_url: str) -> None:
    """Create a demo event: a biotech partnering event in Osaka with ~150 participants."""
    if if_empty and db.session.scalar(select(func.count(Event.id))):
        demo = find_demo()
        if demo is None:
            click.echo("Events exist already: no demo event created.")
        else:
            click.echo(f"The demo event is already there: {base_url}/e/{demo.slug}/")
            _print_logins(demo, base_url)
        return
    try:
        event = create_demo(participants=participants, seed=seed)
    except DemoExists as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created the demo event {event.name!r}: {base_url}/e/{event.slug}/")
    click.echo(f"  {_demo_figures(event)}")
    _print_logins(event, base_url)


def _demo_figures(event: Event) -> str:
    requests = dict(
        db.session.execute(
            select(MeetingRequest.status, func.count())
            .filter_by(event_id=event.id)
            .group_by(MeetingRequest.status)
        ).all()
    )
    meetings = db.session.scalar(select(func.count(Meeting.id)).filter_by(event_id=event.id))
    by_status = ", ".join(f"{n} {status}" for status, n in sorted(requests.items()))
    return (
        f"{len(event.slots)} slots, {len(event.tables)} tables; requests: {by_status}; "
        f"{meetings} agreed meetings"
    )


def _print_logins(event: Event, base_url: str) -> None:
    click.echo("Log in with these links (each works once, for 24 hours):")
    with current_app.test_request_context():
        for login in demo_logins(event):
            path = url_for("auth.use_link", token=login_token(login.account))
            click.echo(f"  as {login.who}:\n    {base_url.rstrip('/')}{path}")
    click.echo(
        f"Any other participant: ask for a link at {base_url}/login with their email address "
        "(without a mail server, the link is written to the server's log)."
    )


event_cli = AppGroup(
    "event", help="Take an event out as a problem file or a full backup, or bring one in."
)


@event_cli.command("import")
@click.argument("problem_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slug", required=True, help="The new event's address: /e/SLUG/.")
@click.option("--name", default=None, help="The event's name (default: the file's).")
def import_event_command(problem_file: Path, slug: str, name: str | None) -> None:
    """Create an event from a partnering-problem/1 file."""
    doc = _read_json(problem_file)
    try:
        event, problem = import_document(doc, slug, name)
    except ImportRefused as exc:
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
    click.echo(problem_document(event), nl=False)


@event_cli.command("export")
@click.argument("slug")
def export_command(slug: str) -> None:
    """Write everything of the event as one partnering-event/1 document to stdout.

    Settings, sessions, slots, tables, organisations, participants with their accounts
    (email, name; no login secrets), profiles, availability, booths, requests, meetings with
    their calendar UIDs and SEQUENCE, the publication state, calendar subscription secrets
    (so subscriptions keep working after a move), and the scheduler runs as history.

    Left out: a run's stored problem and result (they name rows by this database's ids), so
    the export is refused while a run is queued, running or waiting for review; and the
    outbox (sent emails are this site's history; unsent ones are counted on stderr).
    """
    event = _event_by_slug(slug)
    try:
        doc = export_event(event)
    except BackupRefused as exc:
        raise click.ClickException(f"{slug}: {exc}; nothing was exported") from None
    unsent = unsent_emails(event)
    if unsent:
        click.echo(
            f"Note: {unsent} unsent email(s) of this event stay in this site's outbox.", err=True
        )
    click.echo(json.dumps(doc, indent=1, ensure_ascii=False))


@event_cli.command("import-full")
@click.argument("event_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slug", default=None, help="The event's address: /e/SLUG/ (default: the file's).")
def import_full_command(event_file: Path, slug: str | None) -> None:
    """Restore an event from a partnering-event/1 file (made by `event export`).

    Accounts with the same email are reused as they are (never renamed); the others are
    created. Calendar UIDs and subscription links are kept, so calendars follow a moved event;
    if the file's UIDs are already in this database (a copy next to its original, under
    another --slug), the copy's meetings get new UIDs and its subscription links new secrets.
    A file that is not a complete, consistent export is refused and nothing is written.
    """
    doc = _read_json(event_file)
    try:
        restored = restore_event(doc, slug)
    except BackupRefused as exc:
        raise click.ClickException(f"{event_file}: {exc}; nothing was imported") from None
    counts = restored.counts
    click.echo(
        f"Imported {restored.event.name!r} as /e/{restored.event.slug}/: "
        f"{counts['participants']} participants, {counts['requests']} requests, "
        f"{counts['meetings']} meetings."
    )
    if restored.copied:
        click.echo(
            "Its original is in this database: the copy's meetings got new calendar UIDs and "
            "its subscription links new secrets."
        )


def _event_by_slug(slug: str) -> Event:
    event = db.session.execute(db.select(Event).filter_by(slug=slug)).scalar_one_or_none()
    if event is None:
        raise click.ClickException(f"no event with slug {slug!r}")
    return event


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
    except RecursionError:
        raise click.ClickException(
            f"{path}: JSON nested too deeply; nothing was imported"
        ) from None


def init_app(app: Flask) -> None:
    from partnering.agenda.cli import agendas
    from partnering.scheduling.cli import schedule_group

    commands = (
        init_db_command,
        serve_command,
        serve_production_command,
        demo_command,
        event_cli,
        schedule_group,
        agendas,
    )
    for command in commands:
        app.cli.add_command(command)
