"""Flask commands: `flask --app partnering <command>`: the app's own here (init-db, serve,
serve-production, demo), the domains' command groups from their cli modules.

Bad input ends with a one-line error and a non-zero exit code, never a traceback."""

from __future__ import annotations

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

from partnering.admin.cli import login_link_command
from partnering.agenda.cli import agendas
from partnering.auth.operations import login_token
from partnering.backup.cli import export_full_command, import_full_command
from partnering.demo import DemoExists, create_demo, demo_logins, find_demo
from partnering.events.models import Event
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingRequest
from partnering.scheduling.cli import (
    export_problem_command,
    import_problem_command,
    schedule_group,
)
from partnering.supervisor import ConsumerSupervisor
from partnering.wording import counted


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
        f"{counted(len(event.slots), 'slot')}, {counted(len(event.tables), 'table')}; "
        f"requests: {by_status}; {counted(meetings, 'agreed meeting')}"
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


event_group = AppGroup(
    "event",
    help="Take an event out as a problem file or a full backup, or bring one in; print or "
    "send a participant's login link.",
    commands=[
        import_problem_command,
        export_problem_command,
        export_full_command,
        import_full_command,
        login_link_command,
    ],
)


def init_app(app: Flask) -> None:
    commands = (
        init_db_command,
        serve_command,
        serve_production_command,
        demo_command,
        event_group,
        schedule_group,
        agendas,
    )
    for command in commands:
        app.cli.add_command(command)
