"""Emails that keep participants' calendars right: the agenda when the schedule is published,
an update (iTIP REQUEST) when a meeting they were told about moves, a CANCEL when it is
cancelled or taken out of the schedule. Each is queued in the caller's transaction.

A publication first decides who is told what (`plan_publication`, in its own transaction),
then turns the decisions into emails in batches (`queue_announcements`)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, exists, func, insert, literal, select, true, update

from partnering.agenda.agenda_rows import agendas_of
from partnering.agenda.calendars import agenda_calendar, meetings_calendar
from partnering.agenda.models import Announcement
from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.loading import meeting_details
from partnering.meetings.models import Meeting, MeetingStatus, meeting_participant
from partnering.outbox.operations import Attachment, batched_emails, one_email, queue_email
from partnering.public_urls import public_urls
from partnering.registrations.loading import shown_person
from partnering.registrations.models import Participant


def render(template: str, **context) -> str:
    """An email body. Unlike render_template, no request context processors: an email must
    not depend on (nor load) whoever is logged in."""
    return current_app.jinja_env.get_template(template).render(**context)


def _calendar_attachment(data: bytes, method: str, filename: str) -> Attachment:
    return Attachment(filename, data, "text", "calendar", (("method", method),))


def _announced(meeting: Meeting) -> bool:
    return meeting.announced_sequence is not None


def send_agenda(event: Event, participant, meetings: list) -> None:
    """Queue the participant's agenda: `meetings` are their published active meetings, in
    time order, loaded with what the email shows (meeting_details), or the plain rows of
    partnering.agenda.agenda_rows; `participant` likewise."""
    subject = f"Your agenda for {event.name}"
    with one_email(participant.email, subject, kind="agenda", event_id=event.id):
        context = dict(event=event, person=participant, meetings=meetings)
        queue_email(
            participant.email,
            subject,
            render("agenda/email/agenda.txt", **context),
            html=render("agenda/email/agenda.html", **context),
            attachments=[
                _calendar_attachment(
                    meetings_calendar(event, participant, meetings, method="PUBLISH"),
                    "PUBLISH",
                    "agenda.ics",
                )
            ],
            kind="agenda",
            event_id=event.id,
        )


def _send_change(meeting: Meeting, person: Participant, method: str) -> None:
    """Queue one participant's update (REQUEST) or cancellation (CANCEL) of a meeting."""
    event = meeting.event
    template = "update" if method == "REQUEST" else "cancel"
    fallback = f"{template.title()} of a meeting at {event.name}"
    with one_email(person.email, fallback, kind=template, event_id=event.id):
        context = dict(event=event, person=person, meeting=meeting, others=meeting.others(person))
        queue_email(
            person.email,
            render(f"agenda/email/{template}_subject.txt", **context).strip(),
            render(f"agenda/email/{template}.txt", **context),
            attachments=[
                _calendar_attachment(
                    agenda_calendar(person, [meeting], method=method),
                    method,
                    f"{template}.ics",
                )
            ],
            kind=template,
            event_id=event.id,
        )


# --- publication: decided in the publication's transaction, emailed in batches after ---------


def plan_publication(event: Event, *, state_changed: bool) -> None:
    """Decide, in a few set-based statements of the publication's transaction, who is told
    what: an agenda to everyone with a meeting that is new to them (to everyone with a meeting
    when the state changed, e.g. preliminary to final); an update of each announced meeting that
    moved, to its participants unless all of them get their agenda anyway; a cancellation of
    each announced meeting no longer in the schedule. The decisions are written as
    Announcement rows (what an earlier, interrupted publication left is not written twice) and
    the meetings are marked as announced at their current sequence."""
    mp, other = meeting_participant, meeting_participant.alias("other_member")
    in_event = (Meeting.event_id == event.id, Meeting.status == MeetingStatus.ACTIVE)
    shown = (*in_event, Meeting.published_at.is_not(None))
    dropped = (*in_event, Meeting.published_at.is_(None))
    changed = (
        Meeting.announced_sequence.is_not(None),
        Meeting.announced_sequence != Meeting.sequence,
    )

    def pending(kind: str, participant, meeting=None):
        query = exists().where(
            Announcement.event_id == event.id,
            Announcement.kind == kind,
            Announcement.participant_id == participant,
        )
        return query.where(Announcement.meeting_id == meeting) if meeting is not None else query

    members = select(literal(event.id), mp.c.participant_id).join(
        Meeting, Meeting.id == mp.c.meeting_id
    )
    new_to_them = true() if state_changed else Meeting.announced_sequence.is_(None)
    agendas = (
        members.add_columns(literal("agenda"))
        .where(*shown, new_to_them, ~pending("agenda", mp.c.participant_id))
        .distinct()
    )
    someone_without_agenda = exists().where(
        other.c.meeting_id == Meeting.id, ~pending("agenda", other.c.participant_id)
    )
    updates = members.add_columns(literal("update"), Meeting.id).where(
        *shown,
        *changed,
        someone_without_agenda,
        ~pending("update", mp.c.participant_id, Meeting.id),
    )
    cancels = members.add_columns(literal("cancel"), Meeting.id).where(
        *dropped, *changed, ~pending("cancel", mp.c.participant_id, Meeting.id)
    )
    columns = ["event_id", "participant_id", "kind"]
    # In this order: updates are left out for those who get their agenda.
    db.session.execute(insert(Announcement).from_select(columns, agendas))
    db.session.execute(insert(Announcement).from_select([*columns, "meeting_id"], updates))
    db.session.execute(insert(Announcement).from_select([*columns, "meeting_id"], cancels))
    db.session.execute(
        update(Meeting)
        .where(
            *in_event,
            Meeting.published_at.is_not(None) | Meeting.announced_sequence.is_not(None),
            Meeting.announced_sequence.is_(None) | (Meeting.announced_sequence != Meeting.sequence),
        )
        .values(announced_sequence=Meeting.sequence)
        .execution_options(synchronize_session=False)
    )


def announcements_left(event: Event) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Announcement).where(Announcement.event_id == event.id)
    )


def queue_announcements(event: Event, limit: int, *, participant_id: int | None = None) -> int:
    """Build and queue the emails of up to `limit` of the event's announcements, oldest first,
    and delete those announcements, in the caller's transaction: committed together, an email
    is queued exactly once. Everything the emails show is loaded in a fixed number of queries
    per batch. Returns how many announcements were handled (0: none was left).

    `participant_id` keeps to that participant's announcements (a publication's preview)."""
    # Locked, skipping rows another worker holds: two workers on one publication (one taken
    # over while merely slow) queue disjoint batches. SQLite serialises them by its write lock.
    wanted = [Announcement.event_id == event.id]
    if participant_id is not None:
        wanted.append(Announcement.participant_id == participant_id)
    batch = db.session.execute(
        select(
            Announcement.id, Announcement.participant_id, Announcement.kind, Announcement.meeting_id
        )
        .where(*wanted)
        .order_by(Announcement.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not batch:
        return 0
    # Agendas, most of a publication, from plain rows; updates and cancellations from models.
    people, agendas = agendas_of(event, {a.participant_id for a in batch if a.kind == "agenda"})
    changes, changed = [a for a in batch if a.kind != "agenda"], {}
    if changes:
        models = db.session.execute(
            select(Participant)
            .where(Participant.id.in_({a.participant_id for a in changes}))
            .options(*shown_person())
        ).scalars()
        changed = {
            m.id: m
            for m in db.session.execute(
                select(Meeting)
                .where(Meeting.id.in_({a.meeting_id for a in changes if a.meeting_id is not None}))
                .options(*meeting_details())
            ).scalars()
        }
        people.update((p.id, p) for p in models)
    with public_urls(), batched_emails():
        for announcement in batch:
            person = people.get(announcement.participant_id)
            if person is None or person.is_deleted:
                continue  # left the event since: nothing more is sent to them
            if announcement.kind == "agenda":
                send_agenda(event, person, agendas.get(person.id, []))
            elif announcement.meeting_id in changed:
                method = "REQUEST" if announcement.kind == "update" else "CANCEL"
                _send_change(changed[announcement.meeting_id], person, method)
    db.session.execute(
        delete(Announcement)
        .where(Announcement.id.in_([a.id for a in batch]))
        .execution_options(synchronize_session=False)
    )
    return len(batch)


def announce_release(
    meeting: Meeting, freed_by: Participant, slot: Slot, table: Table | None
) -> None:
    """A participant freed the slot of one of their meetings: it is back to unscheduled. The
    others are told why; when its participants were told about the meeting, each of them (the
    one who freed it too) also gets a CANCEL at its new SEQUENCE, so calendars drop it."""
    event, calendar = meeting.event, _announced(meeting)
    with public_urls():
        for person in meeting.participants:
            if person.id == freed_by.id and not calendar:
                continue  # nothing in their calendar, and they know what they did
            context = dict(
                event=event,
                person=person,
                others=meeting.others(person),
                freed_by=freed_by,
                slot=slot,
                table=table,
                calendar=calendar,
            )
            subject = render("agenda/email/released_subject.txt", **context).strip()
            with one_email(person.email, subject, kind="cancel", event_id=event.id):
                attachments = (
                    [
                        _calendar_attachment(
                            agenda_calendar(person, [meeting], method="CANCEL"),
                            "CANCEL",
                            "cancel.ics",
                        )
                    ]
                    if calendar
                    else []
                )
                queue_email(
                    person.email,
                    subject,
                    render("agenda/email/released.txt", **context),
                    attachments=attachments,
                    kind="cancel" if calendar else "notice",
                    event_id=event.id,
                )
    if calendar:
        meeting.announced_sequence = meeting.sequence


def announce_cancellation(meeting: Meeting) -> None:
    """A cancelled meeting its participants were told about: a CANCEL to each of them."""
    if _announced(meeting):
        with public_urls():
            for person in meeting.participants:
                _send_change(meeting, person, "CANCEL")
        meeting.announced_sequence = meeting.sequence
