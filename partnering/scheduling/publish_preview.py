"""What a publication would send, shown before it starts: who gets what (counts), which
meetings are new, changed or taken out, and one participant's emails exactly as the
publication would queue them.

It is worked out by doing the publication's own database part (publishing.publish_and_plan)
and queueing the chosen participant's emails, in a transaction that is then rolled back:
nothing is kept and nothing is sent, and the preview cannot drift from what the job does."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import distinct, func, select

from partnering.agenda.models import Announcement
from partnering.agenda.notify import queue_announcements
from partnering.auth.models import Account
from partnering.db_types import utcnow
from partnering.events.models import Event, Publication
from partnering.extensions import db
from partnering.meetings.models import Meeting, MeetingStatus, meeting_participant
from partnering.outbox.models import OutboxMessage
from partnering.outbox.operations import QUEUED
from partnering.outbox.reading import readable
from partnering.registrations.models import Participant, RegistrationStatus
from partnering.scheduling.publishing import (
    PUBLISH_STATES,
    PublishRefused,
    placed_meetings,
    publish_and_plan,
)

PREVIEW_BATCH = 10_000
"""More than one participant's emails in any event (an agenda plus one per changed meeting)."""


@dataclass(frozen=True)
class PreviewEmail:
    recipient: str
    subject: str
    text: str
    attachments: list[str]
    error: str = ""
    """Why the email could not be built (the publication would store it as failed)."""


@dataclass
class PublishPreview:
    state: Publication
    meetings_new: int = 0
    meetings_changed: int = 0
    meetings_cancelled: int = 0
    first_agendas: int = 0
    """Participants getting their agenda for the first time."""
    agendas_again: int = 0
    """Participants getting their agenda again (the state changed, e.g. to final)."""
    updates: int = 0
    """Participants getting an update of a meeting that moved."""
    cancellations: int = 0
    """Participants told that a meeting is no longer in the schedule."""
    emails: int = 0
    recipients: list[tuple[int, str]] = field(default_factory=list)
    """(participant id, name) of everyone who gets an email, by name."""
    chosen: Participant | None = None
    chosen_emails: list[PreviewEmail] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """The counts the organiser confirmed, to notice a change before publishing."""
        return "-".join(
            str(n)
            for n in (
                self.meetings_new,
                self.meetings_changed,
                self.meetings_cancelled,
                self.first_agendas,
                self.agendas_again,
                self.updates,
                self.cancellations,
                self.emails,
            )
        )

    @property
    def sends_nothing(self) -> bool:
        return self.emails == 0


def preview_publication(event: Event, state: str, participant_id: int | None) -> PublishPreview:
    """What publishing the event's schedule as `state` would do now; with `participant_id`,
    that participant's emails too. Refused as the publication would be."""
    if state not in PUBLISH_STATES:
        raise PublishRefused("Publish the schedule as preliminary or final.")
    if not placed_meetings(event):
        raise PublishRefused("There is no scheduled meeting to publish: run the scheduler first.")
    preview = PublishPreview(state=Publication(state))
    try:
        told_before = _people_told_before(event)
        _count_meetings(event, preview)
        publish_and_plan(event, state, utcnow())
        _count_people(event, preview, told_before)
        if participant_id in {pid for pid, _ in preview.recipients}:
            preview.chosen = db.session.get(Participant, participant_id)
            preview.chosen_emails = _emails_of(event, preview.chosen)
    finally:
        db.session.rollback()
        db.session.info.pop(QUEUED, None)  # nothing was queued: no sender to wake
    return preview


def _people_told_before(event: Event) -> set[int]:
    """Participants who were emailed a meeting of this event already."""
    mp = meeting_participant
    return set(
        db.session.execute(
            select(distinct(mp.c.participant_id))
            .join(Meeting, Meeting.id == mp.c.meeting_id)
            .where(Meeting.event_id == event.id, Meeting.announced_sequence.is_not(None))
        ).scalars()
    )


def _count_meetings(event: Event, preview: PublishPreview) -> None:
    """Counted before publishing, with the conditions plan_publication applies after it."""
    active = (Meeting.event_id == event.id, Meeting.status == MeetingStatus.ACTIVE)
    moved = (
        Meeting.announced_sequence.is_not(None),
        Meeting.announced_sequence != Meeting.sequence,
    )
    placed = Meeting.slot_id.is_not(None) & Meeting.table_id.is_not(None)
    shown, dropped = placed, ~placed & Meeting.published_at.is_(None)

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(Meeting).where(*conditions))

    preview.meetings_new = count(*active, shown, Meeting.announced_sequence.is_(None))
    preview.meetings_changed = count(*active, shown, *moved)
    preview.meetings_cancelled = count(*active, dropped, *moved)


def _count_people(event: Event, preview: PublishPreview, told_before: set[int]) -> None:
    """From the announcements just planned (and any an interrupted publication left), as the
    publication sends them: nothing to people who have left the event since."""
    rows = db.session.execute(
        select(Announcement.kind, Announcement.participant_id, Account.name)
        .join(Participant, Participant.id == Announcement.participant_id)
        .join(Account, Account.id == Participant.account_id)
        .where(
            Announcement.event_id == event.id,
            Participant.status != RegistrationStatus.DELETED,
        )
    ).all()
    by_kind: dict[str, set[int]] = {"agenda": set(), "update": set(), "cancel": set()}
    names: dict[int, str] = {}
    for kind, participant_id, name in rows:
        by_kind.setdefault(kind, set()).add(participant_id)
        names[participant_id] = name
    preview.first_agendas = len(by_kind["agenda"] - told_before)
    preview.agendas_again = len(by_kind["agenda"] & told_before)
    preview.updates = len(by_kind["update"])
    preview.cancellations = len(by_kind["cancel"])
    preview.emails = len(rows)
    preview.recipients = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))


def _emails_of(event: Event, participant: Participant) -> list[PreviewEmail]:
    """The participant's emails, built and queued as the publication does (rolled back by the
    caller), read back from the outbox."""
    before = db.session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))
    recipient = participant.email
    # Links as the publication job makes them: outside any request, on PUBLIC_URL.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        queue_announcements(event, PREVIEW_BATCH, participant_id=participant.id)
    db.session.flush()
    rows = db.session.execute(
        select(OutboxMessage)
        .where(
            OutboxMessage.id > before,
            OutboxMessage.event_id == event.id,
            OutboxMessage.recipient == recipient,
        )
        .order_by(OutboxMessage.id)
    ).scalars()
    return [_readable(row) for row in rows]


def _readable(row: OutboxMessage) -> PreviewEmail:
    content = readable(row)
    if content is None:
        return PreviewEmail(row.recipient, row.subject, "", [], error=row.last_error)
    return PreviewEmail(row.recipient, row.subject, content.text, content.attachments)
