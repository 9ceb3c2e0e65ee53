"""States of the domain's state machines (a request, a meeting, a run, an email ...).

Each machine is a `State`: a StrEnum whose members carry the words people see, so a page shows
`request.status.label` and never spells a state itself. A state column stores the member's value
in a VARCHAR, and the database checks that it holds one of the values (a check constraint named
ck_<table>_<column>): a typo in code or a hand-written row fails loudly instead of leaving a
record that no page knows how to show.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum

STATE_LENGTH = 20
"""Width of every state column (the VARCHAR the columns always had)."""


class State(StrEnum):
    """A state: compares equal to its stored value; `label` is what people read."""

    label: str

    def __new__(cls, value: str, label: str) -> State:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, value: str) -> State | None:
        """The member stored as `value`; None for anything else (e.g. a query argument)."""
        return cls._value2member_map_.get(value)


def state_type(states: type[State], column: str) -> Enum:
    """The column type for `states` in the column `column`: its values in a VARCHAR, checked
    by the database, read back as members."""
    return Enum(
        states,
        name=column,
        native_enum=False,
        create_constraint=True,
        length=STATE_LENGTH,
        values_callable=lambda members: [m.value for m in members],
    )
