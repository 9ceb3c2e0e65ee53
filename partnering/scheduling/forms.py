"""Forms of the scheduling pages (all POST forms carry a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from partnering.events.models import Event, Publication
from partnering.form_fields import WholeNumberField
from partnering.scheduling.name_search import MAX_NAME_SEARCH
from partnering.scheduling.operations import MAX_TIME_LIMIT, MIN_TIME_LIMIT


class RunForm(FlaskForm):
    time_limit = WholeNumberField(
        "Time limit (seconds)",
        default=60,
        validators=[InputRequired(), NumberRange(MIN_TIME_LIMIT, MAX_TIME_LIMIT)],
        description="The scheduler stops at the best schedule found by then; more time can "
        "find a better one for large events.",
    )
    keep_published = BooleanField(
        "Keep published meetings where they are",
        default=True,
        description="Participants have seen them. Meetings locked by hand always stay.",
    )


class ReplanForm(FlaskForm):
    """Re-plan the rest of the event from now (see partnering.scheduling.replan)."""

    time_limit = WholeNumberField(
        "Time limit (seconds)",
        default=60,
        validators=[InputRequired(), NumberRange(MIN_TIME_LIMIT, MAX_TIME_LIMIT)],
    )
    absent_cutoff = TimeField(
        "Release the meetings of people not checked in by",
        validators=[Optional()],
        description="A time of today, in the event's timezone. Their meetings for the rest of "
        "today are released; leave empty to release nobody for not checking in.",
    )


class PublishForm(FlaskForm):
    state = SelectField(
        "Publish as",
        choices=[
            SelectChoice(
                Publication.PRELIMINARY.value,
                "Preliminary: participants see it, marked as not final",
            ),
            SelectChoice(Publication.FINAL.value, Publication.FINAL.label),
        ],
    )
    seen = HiddenField()
    """What the confirm page showed (PublishPreview.fingerprint): publishing stops there again
    when the schedule changed since."""

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> PublishForm:
        """Preselects the schedule's current state: after a final publish, "Final"."""
        final = event.schedule_state == Publication.FINAL
        default = Publication.FINAL if final else Publication.PRELIMINARY
        return cls(data={"state": default.value}, **kwargs)


class PublishChoiceForm(PublishForm):
    """The overview's choice, sent by GET to the confirm page: nothing changes yet."""

    class Meta:
        csrf = False


def _place_choices(event: Event) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    slots = [(s.id, event.local(s.start).strftime("%a %d %b %H:%M")) for s in event.slots]
    tables = [(t.id, t.name + (f" ({t.seats} seats)" if t.seats else "")) for t in event.tables]
    return slots, tables


class PlaceForm(FlaskForm):
    """A slot and a table of the event: where to move a meeting, or whose meeting to swap."""

    slot = SelectField("Time", coerce=int)
    table = SelectField("Table", coerce=int)

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> PlaceForm:
        form = cls(**kwargs)
        form.slot.choices, form.table.choices = _place_choices(event)
        return form


class PeopleForm(FlaskForm):
    """Who a new meeting is for, one person added at a time by part of their name (sent by
    GET with the people already chosen, to find their common free times)."""

    class Meta:
        csrf = False

    who = SearchField(
        "Add a participant",
        validators=[Length(max=MAX_NAME_SEARCH)],
        description="Type part of a name, then Add; two or more people meet.",
    )


class ArrangeForm(FlaskForm):
    """The new meeting's people and its place: a slot and a table free for all of them."""

    people = SelectMultipleField("Participants", coerce=int, validators=[InputRequired()])
    place = SelectField(
        "Time and table",
        validators=[InputRequired("Choose a time and a table.")],
        validate_choice=True,
    )

    def place_ids(self) -> tuple[int, int]:
        slot, _, table = self.place.data.partition("-")
        return int(slot), int(table)
