"""`flask --app partnering agendas export SLUG DIR`: every participant's agenda as a file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from partnering.agenda.export import INDEX, agenda_files
from partnering.events.cli import event_by_slug
from partnering.public_urls import public_urls

agendas = AppGroup("agendas", help="Participants' agendas as calendar files.")


@agendas.command("export")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(slug: str, directory: Path) -> None:
    """One .ics per approved participant in DIRECTORY, and index.csv (participant, email,
    file, meetings) for mailing them with other tools."""
    event = event_by_slug(slug)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot create {directory}: {exc.strerror}") from None
    count = 0
    with public_urls():
        for filename, contents in agenda_files(event):
            (directory / filename).write_bytes(contents)
            count += filename != INDEX
    click.echo(f"Wrote {count} agendas to {directory} (index.csv lists them).")
