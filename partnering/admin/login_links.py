"""The organiser lets people in: a participant's login link to copy or to email, and the
invitation of the participants a CSV import created (an email with a login link, once each).

A login link opens the participant's account, so it is never made for an account that can do
more than take part: a site administrator, or an organiser of any event. Those ask for their
own link at the login page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from partnering.admin.operations import AdminActionRefused
from partnering.auth.models import Account
from partnering.auth.operations import login_url
from partnering.db_types import utcnow
from partnering.events.models import Event
from partnering.extensions import db
from partnering.locks import lock_for_writing
from partnering.outbox.operations import queue_email
from partnering.public_urls import public_urls
from partnering.registrations.models import Invitation, Participant, RegistrationStatus


def _refusal(participant: Participant) -> str | None:
    if participant.is_deleted:
        return f"{participant.name} left the event: there is nobody to log in."
    account = participant.account
    organises = db.session.scalar(
        select(
            exists().where(Participant.account_id == account.id, Participant.role == "organiser")
        )
    )
    if account.is_admin or organises:
        return (
            f"{participant.name} is an organiser or an administrator: their login link is not "
            "given out. They ask for one at the login page."
        )
    return None


def login_link(participant: Participant, by: Account | None) -> str:
    """A login link of the participant's account that leads to the event's page; it works
    once, for LOGIN_LINK_MAX_AGE seconds. Refused for organisers and administrators. Who made
    it for whom goes to the log: it lets its holder in."""
    if (refused := _refusal(participant)) is not None:
        raise AdminActionRefused(refused)
    current_app.logger.info(
        "%s made a login link for participant %s of %s",
        by.email if by else "a command",
        participant.id,
        participant.event.slug,
    )
    with public_urls():
        return login_url(participant.account, url_for("events.home", slug=participant.event.slug))


def link_hours() -> int:
    return max(1, round(current_app.config["LOGIN_LINK_MAX_AGE"] / 3600))


def _hours() -> str:
    hours = link_hours()
    return f"{hours} hour{'s' if hours != 1 else ''}"


def email_login_link(participant: Participant, by: Account | None) -> None:
    """Queue an email with the participant's login link (through the outbox) and commit."""
    link = login_link(participant, by)
    event = participant.event
    queue_email(
        participant.email,
        f"{event.name}: your login link",
        f"Hello {participant.name},\n\n"
        f"The organisers of {event.name} send you this link to log in (it works once, for "
        f"{_hours()}):\n{link}\n\n"
        "If it has expired, ask for a new one on the login page with this address.\n",
        kind="login",
        event_id=event.id,
    )
    db.session.commit()


# --- invitations of imported participants ---------------------------------------------------


def _imported(event: Event):
    """Participants an organiser's import created and who never registered themselves: they
    never agreed to a privacy note (registering asks for it)."""
    return (
        Participant.event_id == event.id,
        Participant.status == RegistrationStatus.APPROVED,
        Participant.role == "participant",
        Participant.privacy_consent_at.is_(None),
    )


@dataclass(frozen=True)
class Imported:
    participant: Participant
    invited_at: datetime | None
    invited_by: str


def imported_participants(event: Event) -> list[Imported]:
    """Everyone the import created, with when (and by whom) they were invited, by name."""
    rows = db.session.execute(
        select(Participant, Invitation)
        .join(Invitation, Invitation.participant_id == Participant.id, isouter=True)
        .join(Participant.account)
        .where(*_imported(event))
        .options(joinedload(Participant.account), joinedload(Invitation.invited_by))
        .order_by(Account.name, Participant.id)
    ).all()
    return [
        Imported(
            person,
            invitation.invited_at if invitation else None,
            invitation.invited_by.name if invitation and invitation.invited_by else "",
        )
        for person, invitation in rows
    ]


def invite_imported(event: Event, by: Account | None) -> int:
    """Email each imported participant not yet invited a login link, once: the invitation
    rows and the emails commit together, under the event's lock (an invitation is keyed by
    its participant, so nobody is invited twice). Returns how many were invited."""
    lock_for_writing(event)
    already = select(Invitation.participant_id).where(Invitation.participant_id == Participant.id)
    organiser = aliased(Participant)
    organises = select(organiser.id).where(
        organiser.account_id == Participant.account_id, organiser.role == "organiser"
    )
    people = list(
        db.session.execute(
            select(Participant)
            .join(Participant.account)
            .where(
                *_imported(event),
                ~already.exists(),
                # Their link is not given out (see login_link): they log in on their own.
                ~organises.exists(),
                Account.is_admin.is_(False),
            )
            .options(contains_eager(Participant.account))
            .order_by(Participant.id)
        ).scalars()
    )
    now = utcnow()
    with public_urls():
        for person in people:
            db.session.add(Invitation(participant_id=person.id, invited_at=now, invited_by=by))
            _send_invitation(event, person)
    db.session.commit()
    return len(people)


def _send_invitation(event: Event, person: Participant) -> None:
    link = login_url(person.account, url_for("events.home", slug=event.slug))
    queue_email(
        person.email,
        f"{event.name}: you are registered",
        f"Hello {person.name},\n\n"
        f"The organisers of {event.name} registered you as a participant. Log in with this "
        "link to check your profile, say when you are available and ask other participants "
        f"for meetings (it works once, for {_hours()}):\n{link}\n\n"
        "If it has expired, ask for a new one on the login page with this address.\n",
        kind="login",
        event_id=event.id,
    )
