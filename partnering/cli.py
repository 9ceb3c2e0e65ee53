"""Flask commands: `flask --app partnering <command>`."""

from __future__ import annotations

import subprocess
import sys

import click
from flask import Flask, current_app
from flask_migrate import upgrade


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


def init_app(app: Flask) -> None:
    for command in (init_db_command, serve_command):
        app.cli.add_command(command)
