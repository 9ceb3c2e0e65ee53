"""Writes on registrations: registering, editing one's profile, and availability.

Each checks its rules first and raises RegistrationRefused (with a message for the person)
before writing anything, then commits once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime

from flask import url_for
from sqlalchemy import func

from partnering.auth.models import Account
from partnering.auth.operations import find_account, get_or_create_account, send_login_link
from partnering.db_types import utcnow
from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.registrations.models import (
    ORGANISATION_TYPE_LABELS,
    Organisation,
    Participant,
)


class RegistrationRefused(Exception):
    """A registration or profile change the rules do not allow; str() says why."""


class AlreadyRegistered(RegistrationRefused):
    """The address is registered for this event already."""


@dataclass(frozen=True)
class Profile:
    """What a person tells about themselves, as the forms collect it."""

    name: str
    organisation: str
    organisation_type: str
    country: str
    job_title: str = ""
    topics: list[str] = field(default_factory=list)
    offer: str = ""
    seek: str = ""
    description: str = ""
    show_profile: bool = False

    @classmethod
    def from_form(cls, form) -> Profile:
        data = {f.name: form[f.name].data for f in fields(cls)}
        data["topics"] = list(data["topics"] or [])
        data["show_profile"] = bool(data["show_profile"])
        return cls(**{k: "" if v is None else v for k, v in data.items()})


def registration_open(event: Event, now: datetime | None = None) -> bool:
    return event.registration_deadline is None or (now or utcnow()) <= event.registration_deadline


def register(
    event: Event,
    profile: Profile,
    *,
    email: str | None = None,
    account: Account | None = None,
    now: datetime | None = None,
) -> Participant:
    """A pending registration for `event`: for the logged-in `account`, or for the account of
    `email` (created when new), who then gets a login link."""
    if not registration_open(event, now):
        raise RegistrationRefused("Registration for this event has closed.")
    _check_profile(event, profile)
    if account is None:
        if not email:
            raise RegistrationRefused("Give your email address.")
        existing = find_account(email)
        if existing is not None and _participant_of(event, existing) is not None:
            send_login_link(existing.email, url_for("events.home", slug=event.slug))
            raise AlreadyRegistered(
                "This address is already registered for this event. We emailed it a login link."
            )
    elif _participant_of(event, account) is not None:
        raise AlreadyRegistered("You are already registered for this event.")

    logged_in = account is not None
    if account is None:
        account = get_or_create_account(email, profile.name)
    participant = Participant(event_id=event.id, account=account, status="pending")
    db.session.add(participant)
    # Only the account's owner renames it: anyone can type an existing address in the form.
    _apply(participant, profile, event, rename=logged_in)
    db.session.commit()
    if not logged_in:
        send_login_link(account.email, url_for("events.home", slug=event.slug))
    return participant


def update_profile(participant: Participant, profile: Profile) -> None:
    _check_profile(participant.event, profile)
    _apply(participant, profile, participant.event)
    db.session.commit()


def set_availability(participant: Participant, available_slot_ids: Iterable[int]) -> int:
    """Mark the participant available in exactly the given slots of their event; returns how
    many slots they are available in."""
    available = set(available_slot_ids)
    slots = db.session.execute(db.select(Slot).filter_by(event_id=participant.event_id)).scalars()
    unavailable = []
    count = 0
    for slot in slots:
        if slot.id in available:
            count += 1
        else:
            unavailable.append(slot)
    participant.unavailable_slots = unavailable
    db.session.commit()
    return count


def _participant_of(event: Event, account: Account) -> Participant | None:
    return db.session.execute(
        db.select(Participant).filter_by(event_id=event.id, account_id=account.id)
    ).scalar_one_or_none()


def _check_profile(event: Event, profile: Profile) -> None:
    unknown = [t for t in profile.topics if t not in event.topics]
    if unknown:
        raise RegistrationRefused(f"Unknown topic: {unknown[0]}.")
    if profile.organisation_type not in ORGANISATION_TYPE_LABELS:
        raise RegistrationRefused("Choose the type of your organisation.")
    if not profile.name.strip() or not profile.organisation.strip():
        raise RegistrationRefused("Give your name and your organisation.")


def _apply(participant: Participant, profile: Profile, event: Event, rename: bool = True) -> None:
    if rename:
        participant.account.name = profile.name.strip()
    participant.organisation = _organisation(participant, profile, event)
    participant.job_title = profile.job_title.strip()
    participant.topics_text = "\n".join(t for t in event.topics if t in profile.topics)
    participant.offer = profile.offer.strip()
    participant.seek = profile.seek.strip()
    participant.description = profile.description.strip()
    participant.show_profile = bool(profile.show_profile)


def _organisation(participant: Participant, profile: Profile, event: Event) -> Organisation:
    """The organisation of that name in the event (any case), created when new. Its type and
    country are shared by colleagues, so only a sole member may change them."""
    name = profile.organisation.strip()
    organisation = db.session.execute(
        db.select(Organisation).where(
            Organisation.event_id == event.id, func.lower(Organisation.name) == name.lower()
        )
    ).scalar_one_or_none()
    if organisation is None:
        organisation = Organisation(event_id=event.id, name=name)
        db.session.add(organisation)
    elif any(p.id != participant.id for p in organisation.participants if p.id is not None):
        return organisation
    organisation.kind = profile.organisation_type
    organisation.country = profile.country.strip()
    return organisation
