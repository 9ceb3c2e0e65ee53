"""Writes on registrations: registering, confirming, editing one's profile and availability,
deleting one's registration.

Each checks its rules first and raises RegistrationRefused (with a message for the person)
before writing anything, then commits once.

An account belongs to whoever owns its address. Registering an address that has an account
without being logged in as it never renames the account, and the registration counts only
once the owner confirms it through the login link emailed to the address; the registrant is
answered the same either way ("check your inbox"), so the form tells nobody which addresses
have accounts.

About 400 lines for a reason: every write on a registration shares the profile's checks and
its organisation's upkeep (`_check_profile`, `_apply`, `_organisation`), which would otherwise
be imported back and forth between modules of one action each."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime

from flask import url_for
from sqlalchemy import func

from partnering.agenda.models import FeedToken
from partnering.attendance.models import CheckIn
from partnering.auth.models import Account, new_login_nonce
from partnering.auth.operations import (
    end_all_login_sessions,
    find_account,
    get_or_create_account,
    send_login_link,
)
from partnering.db_types import utcnow
from partnering.events.models import Event, Slot
from partnering.extensions import db
from partnering.locks import lock_for_writing
from partnering.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    meeting_participant,
)
from partnering.registrations import notify
from partnering.registrations.availability import HeldSlot, meetings_held_in
from partnering.registrations.models import (
    CONFIRMED_STATUS,
    ORGANISATION_TYPE_LABELS,
    Invitation,
    Organisation,
    Participant,
    RegistrationStatus,
)
from partnering.scheduling.operations import mark_cancelled, release_meeting

ERASED_NAME = "Deleted participant"


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
    consent: bool = False,
    now: datetime | None = None,
) -> Participant | None:
    """A pending registration for `event` by the logged-in `account`; or, by someone not logged
    in, for the address `email`, whose owner is emailed in every case:

    - a new address: its account is created, the registration is pending, and a login link
      goes out;
    - an address with an account: an unconfirmed registration (None is returned), which
      counts once the owner confirms it (`confirm_registration`); the account is not touched;
    - an address already registered for the event: nothing changes, a login link goes out.
    """
    if not registration_open(event, now):
        raise RegistrationRefused("Registration for this event has closed.")
    _check_profile(event, profile)
    if not consent:
        raise RegistrationRefused("Agree to the event's privacy note to register.")
    if account is not None:
        return _register_own(event, profile, account, now or utcnow())
    if not email:
        raise RegistrationRefused("Give your email address.")
    existing = find_account(email)
    if existing is not None:
        _register_for_owner(event, profile, existing)
        return None
    account = get_or_create_account(email, profile.name)
    participant = Participant(event_id=event.id, account=account, status=RegistrationStatus.PENDING)
    db.session.add(participant)
    _apply(participant, profile, event)
    participant.privacy_consent_at = now or utcnow()
    db.session.commit()
    send_login_link(account.email, url_for("events.home", slug=event.slug))
    return participant


def _register_own(event: Event, profile: Profile, account: Account, now: datetime) -> Participant:
    lock_for_writing(account)
    participant = _participant_of(event, account)
    if participant is not None and not participant.is_deleted:
        raise AlreadyRegistered("You are already registered for this event.")
    if participant is None:
        participant = Participant(event_id=event.id, account=account)
        db.session.add(participant)
    _reset(participant, RegistrationStatus.PENDING)
    _apply(participant, profile, event)
    participant.privacy_consent_at = now
    db.session.commit()
    return participant


def _register_for_owner(event: Event, profile: Profile, account: Account) -> None:
    """Someone not logged in registered an address that has an account."""
    lock_for_writing(account)
    participant = _participant_of(event, account)
    if participant is None or participant.status in (
        RegistrationStatus.UNCONFIRMED,
        RegistrationStatus.DELETED,
    ):
        if participant is None:
            participant = Participant(event_id=event.id, account=account)
            db.session.add(participant)
        _reset(participant, RegistrationStatus.UNCONFIRMED)
        # The profile waits for the owner to see and confirm; the account keeps its name.
        _apply(participant, profile, event, rename=False)
        db.session.flush()
        notify.ask_to_confirm(participant)
        db.session.commit()
    elif participant.awaits_confirmation:  # invited by the organisers: their offer stands
        notify.invite(participant)
        db.session.commit()
    else:
        send_login_link(account.email, url_for("events.home", slug=event.slug))


def _reset(participant: Participant, status: RegistrationStatus) -> None:
    """A registration starting afresh (a new one, or one deleted or never confirmed)."""
    participant.status = status
    participant.role = "participant"
    participant.booth = None
    participant.max_meetings = None
    participant.external_ref = None
    participant.privacy_consent_at = None
    participant.unavailable_slots = []


def confirm_registration(participant: Participant, *, consent: bool) -> RegistrationStatus:
    """The address's owner confirms a registration made for them (by someone not logged in,
    or by the organisers' import): it now counts. Returns the new status."""
    lock_for_writing(participant)
    if not participant.awaits_confirmation:
        raise RegistrationRefused("This registration has nothing left to confirm.")
    if not consent:
        raise RegistrationRefused("Agree to the event's privacy note to take part.")
    participant.status = CONFIRMED_STATUS[participant.status]
    participant.privacy_consent_at = utcnow()
    db.session.commit()
    return participant.status


def discard_registration(participant: Participant) -> None:
    """The address's owner refuses a registration made for them: it goes, leaving no trace."""
    lock_for_writing(participant)
    if not participant.awaits_confirmation:
        raise RegistrationRefused("Only an unconfirmed registration can be discarded.")
    organisation = participant.organisation
    db.session.execute(db.delete(FeedToken).where(FeedToken.participant_id == participant.id))
    # SQLite does not cascade: no invitation may outlive its participant (ids can come back).
    db.session.execute(db.delete(Invitation).where(Invitation.participant_id == participant.id))
    db.session.delete(participant)
    db.session.flush()
    _drop_if_empty(organisation)
    db.session.commit()


@dataclass(frozen=True)
class Deletion:
    withdrawn_requests: int
    cancelled_meetings: int
    account_erased: bool


def delete_registration(participant: Participant) -> Deletion:
    """A participant leaves the event and takes their data with them: their pending requests
    (sent and received) are withdrawn, their active meetings cancelled (a CANCEL email to
    everyone who was told about them), their calendar feed revoked, their profile and
    availability erased. The row stays, marked deleted, because the other side's requests and
    cancelled meetings refer to it.

    The account's name and address are erased too when no other event uses the account: it
    is then nobody's. When another event does, they stay, as that event's registration needs
    them; in this event nobody but the organisers sees a deleted participant."""
    event = participant.event
    # The event: cancelled meetings free their places; the person: requests to and from them.
    lock_for_writing(event, participant)
    if participant.is_deleted:
        raise RegistrationRefused("This registration is already deleted.")
    if participant.is_organiser:
        raise RegistrationRefused(
            "Organisers cannot delete their registration: hand over to another organiser first."
        )
    now = utcnow()
    pending = db.session.scalars(
        db.select(MeetingRequest).where(
            MeetingRequest.status == RequestStatus.PENDING,
            (MeetingRequest.sender_id == participant.id)
            | (MeetingRequest.recipient_id == participant.id),
        )
    ).all()
    for request in pending:
        request.status, request.answered_at = RequestStatus.WITHDRAWN, now
    mine = db.select(meeting_participant.c.meeting_id).where(
        meeting_participant.c.participant_id == participant.id
    )
    meetings = db.session.scalars(
        db.select(Meeting).where(Meeting.id.in_(mine), Meeting.status == MeetingStatus.ACTIVE)
    ).all()
    for meeting in meetings:
        mark_cancelled(meeting, participant.account)
    db.session.execute(db.delete(FeedToken).where(FeedToken.participant_id == participant.id))
    # When they arrived is theirs too.
    db.session.execute(db.delete(CheckIn).where(CheckIn.participant_id == participant.id))
    organisation = participant.organisation
    _reset(participant, RegistrationStatus.DELETED)
    participant.organisation = None
    for name in ("job_title", "topics_text", "offer", "seek", "description"):
        setattr(participant, name, "")
    participant.show_profile = False
    db.session.flush()
    _drop_if_empty(organisation)
    erased = _erase_account_if_unused(participant)
    db.session.commit()
    return Deletion(len(pending), len(meetings), erased)


def _erase_account_if_unused(participant: Participant) -> bool:
    account = participant.account
    elsewhere = db.session.scalar(
        db.select(db.func.count(Participant.id)).where(
            Participant.account_id == account.id,
            Participant.id != participant.id,
            Participant.status != RegistrationStatus.DELETED,
        )
    )
    if elsewhere or account.is_admin:
        return False
    account.name = ERASED_NAME
    account.email = f"deleted-{account.id}@invalid"
    account.login_nonce = new_login_nonce()  # links already sent stop working
    end_all_login_sessions(account)  # and nobody stays logged in as nobody, anywhere
    return True


def _drop_if_empty(organisation: Organisation | None) -> None:
    """An organisation nobody belongs to any more: its name is nobody's business."""
    if organisation is None:
        return
    members = db.session.scalar(
        db.select(db.func.count(Participant.id)).filter_by(organisation_id=organisation.id)
    )
    if not members:
        db.session.delete(organisation)


def update_profile(participant: Participant, profile: Profile) -> None:
    _check_profile(participant.event, profile)
    _apply(participant, profile, participant.event)
    db.session.commit()


class AvailabilityConflict(RegistrationRefused):
    """Slots the participant unticked hold meetings they have not said what to do with."""

    def __init__(self, meetings: list[Meeting]) -> None:
        self.meetings = meetings
        many = len(meetings) > 1
        super().__init__(
            f"{len(meetings)} of the slots you unticked {'hold' if many else 'holds'} "
            f"{'meetings' if many else 'a meeting'}: keep or free each one below. "
            "Nothing was saved yet."
        )


@dataclass(frozen=True)
class AvailabilitySaved:
    available: int
    """How many slots the participant is available in now."""
    kept: list[Meeting]
    freed: list[Meeting]


def set_availability(
    participant: Participant,
    available_slot_ids: Iterable[int],
    decisions: Mapping[int, HeldSlot] | None = None,
) -> AvailabilitySaved:
    """Mark the participant available in exactly the given slots of their event, except that
    an unticked slot holding one of their meetings needs a decision about that meeting: keep
    it (the slot stays available for it) or free it (it goes back to unscheduled and its other
    participants are told). Refused with AvailabilityConflict, nothing written, while a
    meeting is left without one, so no meeting ever sits in a slot its participant left."""
    decisions = decisions or {}
    # The event: freeing a meeting changes the schedule, and runs apply under that lock, so
    # a run never places a meeting in a slot its participant is leaving at that instant.
    lock_for_writing(participant.event, participant)
    slots = list(
        db.session.execute(db.select(Slot).filter_by(event_id=participant.event_id)).scalars()
    )
    available = set(available_slot_ids) & {slot.id for slot in slots}
    held = meetings_held_in(participant, [s.id for s in slots if s.id not in available])
    undecided = [m for m in held if m.id not in decisions]
    if undecided:
        raise AvailabilityConflict(undecided)
    kept = [m for m in held if decisions[m.id] == HeldSlot.KEEP]
    freed = [m for m in held if decisions[m.id] == HeldSlot.FREE]
    available |= {m.slot_id for m in kept}
    for meeting in freed:
        release_meeting(meeting, participant)
    participant.unavailable_slots = [slot for slot in slots if slot.id not in available]
    db.session.commit()
    return AvailabilitySaved(len(available), kept, freed)


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
