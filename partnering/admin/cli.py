"""`flask --app partnering event login-link SLUG EMAIL [--send]`: a participant's login link,
printed for the organiser to pass on, or emailed to them through the outbox."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from partnering.admin.login_links import email_login_link, link_hours, login_link
from partnering.admin.operations import AdminActionRefused
from partnering.auth.operations import find_account
from partnering.events.cli import event_by_slug
from partnering.extensions import db
from partnering.registrations.models import Participant


@click.command("login-link")
@with_appcontext
@click.argument("slug")
@click.argument("email")
@click.option("--send", is_flag=True, help="Email the link to them instead of printing it.")
def login_link_command(slug: str, email: str, send: bool) -> None:
    """Print (or, with --send, email) the login link of the participant of event SLUG with
    address EMAIL. The link works once, for LOGIN_LINK_MAX_AGE seconds."""
    event = event_by_slug(slug)
    account = find_account(email)
    participant = (
        db.session.execute(
            db.select(Participant).filter_by(event_id=event.id, account_id=account.id)
        ).scalar_one_or_none()
        if account is not None
        else None
    )
    if participant is None:
        raise click.ClickException(f"no participant of {slug!r} has the address {email!r}")
    try:
        if send:
            email_login_link(participant, None)
        else:
            link = login_link(participant, None)
    except AdminActionRefused as refused:
        raise click.ClickException(str(refused)) from None
    if send:
        click.echo(f"Queued a login link for {participant.email} (see the outbox).")
    else:
        hours = link_hours()
        click.echo(f"Login link of {participant.name} (works once, for {hours} h):")
        click.echo(link)
