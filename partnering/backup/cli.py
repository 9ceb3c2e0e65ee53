"""The backup's commands: `flask --app partnering event export SLUG` writes one event, whole,
as a partnering-event/1 document; `event import-full FILE` brings it back."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from partnering.backup import BackupRefused, export_event, restore_event, unsent_emails
from partnering.events.cli import event_by_slug
from partnering.scheduling.cli import read_document
from partnering.wording import counted


@click.command("export")
@with_appcontext
@click.argument("slug")
def export_full_command(slug: str) -> None:
    """Write everything of the event as one partnering-event/1 document to stdout.

    Settings, sessions, slots, tables, organisations, participants with their accounts
    (email, name; no login secrets), profiles, availability, booths, requests, meetings with
    their calendar UIDs and SEQUENCE, the publication state, calendar subscription secrets
    (so subscriptions keep working after a move), and the scheduler runs as history.

    Left out: a run's stored problem and result (they name rows by this database's ids), so
    the export is refused while a run is queued, running or waiting for review; and the
    outbox (sent emails are this site's history; unsent ones are counted on stderr).
    """
    event = event_by_slug(slug)
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


@click.command("import-full")
@with_appcontext
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
    doc = read_document(event_file)
    try:
        restored = restore_event(doc, slug)
    except BackupRefused as exc:
        raise click.ClickException(f"{event_file}: {exc}; nothing was imported") from None
    counts = restored.counts
    click.echo(
        f"Imported {restored.event.name!r} as /e/{restored.event.slug}/: "
        f"{counted(counts['participants'], 'participant')}, "
        f"{counted(counts['requests'], 'request')}, {counted(counts['meetings'], 'meeting')}."
    )
    if restored.copied:
        click.echo(
            "Its original is in this database: the copy's meetings got new calendar UIDs and "
            "its subscription links new secrets."
        )
