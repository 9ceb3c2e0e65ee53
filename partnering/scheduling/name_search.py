"""The grid's filters find a participant or an organisation by part of its name: a few
suggestions as the organiser types, and a typed text resolved without JavaScript. At a
convention's size neither is a list of every name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import func
from sqlalchemy.orm import contains_eager, selectinload

from partnering.auth.models import Account
from partnering.events.models import Event
from partnering.extensions import db
from partnering.registrations.models import Organisation, Participant, RegistrationStatus

SUGGESTIONS = 20
"""Names offered under a filter field: a few to pick from, not the whole event."""

MAX_NAME_SEARCH = 200
"""The longest text a name field searches for."""

Found = TypeVar("Found", Participant, Organisation)


def _contains(column, text: str):
    """`column` holds `text`, any case, with LIKE's wildcards taken literally."""
    literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{literal}%", escape="\\")


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _exact_first(column, text: str):
    """Order key: names equal to `text` (any case) before the others that contain it, so that
    a typed full name is among the few read even when many longer names hold it."""
    return func.lower(column) != text.lower()


def approved_named(event: Event, text: str, limit: int = SUGGESTIONS) -> list[Participant]:
    """At most `limit` approved participants whose name contains `text` (any case), the exact
    name first, then by name, with their organisation."""
    text = _tidy(text)
    if not text:
        return []
    return list(
        db.session.execute(
            db.select(Participant)
            .join(Participant.account)
            .filter(
                Participant.event_id == event.id,
                Participant.status == RegistrationStatus.APPROVED,
                _contains(Account.name, text),
            )
            .order_by(_exact_first(Account.name, text), Account.name, Participant.id)
            .limit(limit)
            .options(contains_eager(Participant.account), selectinload(Participant.organisation))
        ).scalars()
    )


def organisations_named(event: Event, text: str, limit: int = SUGGESTIONS) -> list[Organisation]:
    """At most `limit` of the event's organisations whose name contains `text` (any case), the
    exact name first."""
    text = _tidy(text)
    if not text:
        return []
    return list(
        db.session.execute(
            db.select(Organisation)
            .filter(Organisation.event_id == event.id, _contains(Organisation.name, text))
            .order_by(_exact_first(Organisation.name, text), Organisation.name, Organisation.id)
            .limit(limit)
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


def event_organisation(event: Event, organisation_id: int | None) -> Organisation | None:
    """The organisation `organisation_id` of the event, if it is one."""
    if organisation_id is None:
        return None
    found = db.session.get(Organisation, organisation_id)
    return found if found is not None and found.event_id == event.id else None


@dataclass(frozen=True)
class Pick(Generic[Found]):
    """What a filter field chose, from a link's id or the field's text."""

    text: str
    """The field's text (the chosen one's name once one is chosen)."""
    chosen: Found | None
    candidates: list[Found]
    """Names that contain the text when it names nobody alone: the page lists them to pick."""
    more: bool
    """More than SUGGESTIONS names contain the text."""


def _pick(
    by_id: Found | None, text: str, named: Callable[[str, int], list[Found]]
) -> Pick[Found]:
    """A link names its choice by id; the field, typed by hand or picked from its suggestions,
    by name: the one of that exact name (any case), or the only one whose name holds the text."""
    if by_id is not None:
        return Pick(by_id.name, by_id, [], False)
    text = _tidy(text)
    matches = named(text, SUGGESTIONS + 1)
    exact = [found for found in matches if found.name.casefold() == text.casefold()]
    if len(exact) == 1 or len(matches) == 1:
        found = (exact or matches)[0]
        return Pick(found.name, found, [], False)
    return Pick(text, None, matches[:SUGGESTIONS], len(matches) > SUGGESTIONS)


def pick_participant(event: Event, participant_id: int | None, text: str) -> Pick[Participant]:
    return _pick(
        approved_participant(event, participant_id),
        text,
        lambda typed, limit: approved_named(event, typed, limit),
    )


def pick_organisation(
    event: Event, organisation_id: int | None, text: str
) -> Pick[Organisation]:
    return _pick(
        event_organisation(event, organisation_id),
        text,
        lambda typed, limit: organisations_named(event, typed, limit),
    )
