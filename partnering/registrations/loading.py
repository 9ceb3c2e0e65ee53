"""What a page needs loaded with a participant to show them (name, organisation), so that lists
of people cost a fixed number of queries however long they are."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from partnering.registrations.models import Participant


def shown_person(path=None) -> list:
    """Loader options for a participant shown by name and organisation: on its own, or at the
    end of a relationship `path` (e.g. selectinload(Meeting.participants))."""
    if path is None:
        return [joinedload(Participant.account), joinedload(Participant.organisation)]
    return [
        path.joinedload(Participant.account),
        path.joinedload(Participant.organisation),
    ]
