"""The review grid: for one day, tables down and slots across, a meeting per cell.

Large events page the tables (TABLES_PER_PAGE per page); filters by participant or organisation
keep only the rows and cells that concern them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import contains_eager, selectinload

from partnering.auth.models import Account
from partnering.events.models import Event, Slot, Table
from partnering.extensions import db
from partnering.meetings.loading import meeting_details
from partnering.meetings.models import Meeting, MeetingStatus, meeting_participant
from partnering.registrations.loading import shown_person
from partnering.registrations.models import Organisation, Participant, RegistrationStatus

TABLES_PER_PAGE = 40


@dataclass(frozen=True)
class Cell:
    meeting: Meeting
    changed: bool
    """Placed after the last publication: participants do not see it there yet."""


@dataclass(frozen=True)
class Row:
    table: Table
    booth_of: list[Participant]
    cells: list[Cell | None]


@dataclass(frozen=True)
class Grid:
    days: list[date]
    day: date
    slots: list[Slot]
    rows: list[Row]
    page: int
    pages: int
    meetings_shown: int


def slots_by_day(event: Event) -> dict[date, list[Slot]]:
    out: dict[date, list[Slot]] = {}
    for slot in event.slots:
        out.setdefault(event.local(slot.start).date(), []).append(slot)
    return out


def build_grid(
    event: Event,
    day: date | None = None,
    *,
    participant_id: int | None = None,
    organisation_id: int | None = None,
    page: int = 1,
) -> Grid:
    by_day = slots_by_day(event)
    days = list(by_day)
    day = day if day in by_day else (days[0] if days else date.today())
    slots = by_day.get(day, [])
    column = {s.id: i for i, s in enumerate(slots)}
    placed_today = db.select(Meeting).filter(
        Meeting.event_id == event.id,
        Meeting.status == MeetingStatus.ACTIVE,
        Meeting.slot_id.in_(list(column)),
        Meeting.table_id.is_not(None),
    )
    filtered = participant_id is not None or organisation_id is not None
    if filtered:
        members = db.select(meeting_participant.c.meeting_id).join(
            Participant, Participant.id == meeting_participant.c.participant_id
        )
        members = (
            members.where(Participant.id == participant_id)
            if participant_id is not None
            else members.where(Participant.organisation_id == organisation_id)
        )
        placed_today = placed_today.filter(Meeting.id.in_(members))
    in_use = set(db.session.scalars(placed_today.with_only_columns(Meeting.table_id)))
    # Filtered: only the tables where they meet. Otherwise every table in use, or open.
    tables = [t for t in event.tables if t.id in in_use or (not filtered and not t.hidden)]
    pages = max(1, -(-len(tables) // TABLES_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = tables[(page - 1) * TABLES_PER_PAGE : page * TABLES_PER_PAGE]
    shown_ids = [t.id for t in shown]
    # The meetings and booth holders of the shown tables only: a convention has thousands.
    placed = db.session.execute(
        placed_today.filter(Meeting.table_id.in_(shown_ids)).options(*meeting_details())
    ).scalars()
    published = event.is_published
    cells: dict[int, list[Cell | None]] = {}
    for meeting in placed:
        row = cells.setdefault(meeting.table_id, [None] * len(slots))
        row[column[meeting.slot_id]] = Cell(meeting, published and meeting.published_at is None)
    booths: dict[int, list[Participant]] = {}
    holders = db.session.execute(
        db.select(Participant)
        .filter(Participant.event_id == event.id, Participant.booth_table_id.in_(shown_ids))
        .options(*shown_person())
    ).scalars()
    for person in holders:
        booths.setdefault(person.booth_table_id, []).append(person)
    rows = [Row(t, booths.get(t.id, []), cells.get(t.id, [None] * len(slots))) for t in shown]
    return Grid(
        days=days,
        day=day,
        slots=slots,
        rows=rows,
        page=page,
        pages=pages,
        meetings_shown=sum(1 for r in rows for c in r.cells if c is not None),
    )


SUGGESTIONS = 20
"""Names offered under the grid's participant field: a few to pick from, not the whole event."""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def approved_named(event: Event, text: str, limit: int = SUGGESTIONS) -> list[Participant]:
    """At most `limit` approved participants whose name contains `text` (any case), by name,
    with their organisation: the grid's participant field suggests and resolves them."""
    text = " ".join(text.split())
    if not text:
        return []
    return list(
        db.session.execute(
            db.select(Participant)
            .join(Participant.account)
            .filter(
                Participant.event_id == event.id,
                Participant.status == RegistrationStatus.APPROVED,
                Account.name.ilike(f"%{_escape_like(text)}%", escape="\\"),
            )
            .order_by(Account.name, Participant.id)
            .limit(limit)
            .options(contains_eager(Participant.account), selectinload(Participant.organisation))
        ).scalars()
    )


def approved_participant(event: Event, participant_id: int | None) -> Participant | None:
    """The approved participant `participant_id` of the event, if it is one."""
    if participant_id is None:
        return None
    found = db.session.get(Participant, participant_id)
    if found is None or found.event_id != event.id or found.status != RegistrationStatus.APPROVED:
        return None
    return found


@dataclass(frozen=True)
class ParticipantPick:
    """Who the grid is filtered by, from a link's id or the name field's text."""

    who: str
    """The field's text (the chosen participant's name once one is chosen)."""
    chosen: Participant | None
    candidates: list[Participant]
    """Names that contain the text when it names nobody alone: the page lists them to pick."""
    more: bool
    """More than SUGGESTIONS names contain the text."""


def pick_participant(event: Event, participant_id: int | None, who: str) -> ParticipantPick:
    """A link names the participant by id; the field, typed by hand or picked from its
    suggestions, by name: the one approved participant of that exact name (any case), or the
    only one whose name contains the text."""
    chosen = approved_participant(event, participant_id)
    if chosen is not None:
        return ParticipantPick(chosen.name, chosen, [], False)
    who = " ".join(who.split())
    matches = approved_named(event, who, SUGGESTIONS + 1)
    exact = [p for p in matches if p.name.casefold() == who.casefold()]
    if len(exact) == 1 or len(matches) == 1:
        return ParticipantPick(who, (exact or matches)[0], [], False)
    return ParticipantPick(who, None, matches[:SUGGESTIONS], len(matches) > SUGGESTIONS)


def organisations_by_name(event: Event) -> list[Organisation]:
    return list(
        db.session.execute(
            db.select(Organisation).filter_by(event_id=event.id).order_by(Organisation.name)
        ).scalars()
    )
