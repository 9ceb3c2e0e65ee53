"""`flask --app partnering agendas export SLUG DIR`: every participant's agenda as a file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from partnering.agenda.calendars import agenda_calendar, published_meetings
from partnering.csv_cells import SafeWriter
from partnering.events.cli import event_by_slug
from partnering.extensions import db
from partnering.public_urls import public_urls
from partnering.registrations.models import Participant, RegistrationStatus

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
    people = db.session.execute(
        db.select(Participant)
        .filter_by(event_id=event.id, status=RegistrationStatus.APPROVED)
        .order_by(Participant.id)
    ).scalars()
    rows = []
    with public_urls():
        for person in people:
            filename = f"{person.ref}.ics"
            (directory / filename).write_bytes(agenda_calendar(person))
            meetings = sum(1 for m in published_meetings(person) if m.is_active)
            rows.append((person.name, person.email, filename, meetings))
    with (directory / "index.csv").open("w", newline="", encoding="utf-8") as index:
        writer = SafeWriter(index)
        writer.writerow(["participant", "email", "file", "meetings"])
        writer.writerows(rows)
    click.echo(f"Wrote {len(rows)} agendas to {directory} (index.csv lists them).")
