"""Forms of the organiser's pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Form,
    HiddenField,
    SelectChoice,
    SelectField,
)
from wtforms.fields import FieldList, FormField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from partnering.admin.queries import LISTED_STATUSES
from partnering.admin.session_lines import (
    EXAMPLE,
    YEARS,
    SessionLinesError,
    format_session_lines,
    parse_session_lines,
)
from partnering.events.models import CONTACT_VISIBILITY, Event
from partnering.events.operations import SessionSpec
from partnering.form_fields import (
    OneLineField,
    OneLineSearchField,
    TextBlockField,
    WholeNumberField,
)
from partnering.registrations.models import ORGANISATION_TYPES, ROLES, RegistrationStatus

TIMEZONES = sorted(available_timezones())


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as select options."""
    return [SelectChoice(value, label) for value, label in pairs]


LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
MAX_SLOTS = 2_000
"""Slots per event: more than any real event has, few enough for the pages and the solver."""


def in_event_years(form, field) -> None:
    """A date far from the ends of the calendar: one in year 9999 has no UTC instant in a
    time zone behind UTC."""
    if field.data is not None and field.data.year not in YEARS:
        raise ValidationError(f"Choose a date between {YEARS[0]} and {YEARS[-1]}.")


def _optional_count(label: str, description: str = "") -> WholeNumberField:
    return WholeNumberField(
        label, validators=[Optional(), NumberRange(min=0, max=10_000)], description=description
    )


class EventForm(FlaskForm):
    """An event's settings; deadlines are read in the event's own timezone."""

    name = OneLineField("Name", validators=[DataRequired(), Length(max=200)])
    venue = OneLineField("Venue", validators=[Optional(), Length(max=300)])
    description = TextBlockField("Description", validators=[Optional(), Length(max=20_000)])
    timezone = SelectField("Timezone", choices=TIMEZONES, default="UTC")
    slot_minutes = WholeNumberField(
        "Meeting length (minutes)", default=30, validators=[InputRequired(), NumberRange(5, 240)]
    )
    sessions_text = TextBlockField(
        "Meeting sessions",
        validators=[DataRequired()],
        description=f'One session per line, in the event\'s local time: "{EXAMPLE}". '
        "Slots are generated from them; breaks are the gaps between sessions.",
        render_kw={"rows": 6, "placeholder": f"{EXAMPLE}\n2030-01-24 14:00-18:00"},
    )
    registration_deadline = DateTimeLocalField(
        "Registration closes", format=LOCAL_FORMAT, validators=[Optional(), in_event_years]
    )
    request_deadline = DateTimeLocalField(
        "Meeting requests close", format=LOCAL_FORMAT, validators=[Optional(), in_event_years]
    )
    cancellation_cutoff = DateTimeLocalField(
        "Participants may cancel meetings until",
        format=LOCAL_FORMAT,
        validators=[Optional(), in_event_years],
    )
    max_meetings = _optional_count("Most meetings per participant", "Empty: no limit.")
    max_pending_requests = _optional_count(
        "Most pending requests per participant", "Requests waiting for an answer. Empty: no limit."
    )
    topics_text = TextBlockField(
        "Topics",
        validators=[Optional(), Length(max=20_000)],
        description="One per line; participants choose theirs from this list.",
        render_kw={"rows": 6},
    )
    privacy_note = TextBlockField(
        "Privacy note",
        validators=[Optional(), Length(max=20_000)],
        description="What registrants agree to: who you are, what you keep, why and for how "
        "long, whom to ask. Empty: a short standard note.",
        render_kw={"rows": 6},
    )
    contact_visibility = SelectField(
        "Who sees participants' email addresses",
        choices=options(CONTACT_VISIBILITY.items()),
        default="meeting",
        description="Organisers always do.",
    )

    def validate_sessions_text(self, field: TextBlockField) -> None:
        try:
            parse_session_lines(field.data or "")
        except SessionLinesError as exc:
            raise ValidationError(" ".join(exc.problems)) from None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        length = timedelta(minutes=self.slot_minutes.data)
        too_short = [
            f"{spec.day} {spec.start:%H:%M}-{spec.end:%H:%M}"
            for spec in self.sessions()
            if datetime.combine(spec.day, spec.end) - datetime.combine(spec.day, spec.start)
            < length
        ]
        if too_short:
            self.sessions_text.errors.append(
                f"Too short for one {self.slot_minutes.data}-minute meeting: "
                + ", ".join(too_short)
                + "."
            )
            return False
        slots = sum(
            (datetime.combine(s.day, s.end) - datetime.combine(s.day, s.start)) // length
            for s in self.sessions()
        )
        if slots > MAX_SLOTS:
            self.sessions_text.errors.append(
                f"These sessions make {slots} meeting slots; an event can have at most "
                f"{MAX_SLOTS}. Use fewer or shorter sessions, or longer meetings."
            )
            return False
        return self._deadlines_in_order()

    def _deadlines_in_order(self) -> bool:
        """Registration closes no later than requests, requests no later than the first
        session; cancelling stays possible no later than the last session ends."""
        specs = self.sessions()
        zone = ZoneInfo(self.timezone.data)
        first = datetime.combine(specs[0].day, specs[0].start, tzinfo=zone) if specs else None
        last = datetime.combine(specs[-1].day, specs[-1].end, tzinfo=zone) if specs else None
        registration = self.aware(self.registration_deadline.data)
        requests = self.aware(self.request_deadline.data)
        cutoff = self.aware(self.cancellation_cutoff.data)
        rules = [
            (self.registration_deadline, registration, requests, "after meeting requests close"),
            (self.registration_deadline, registration, first, "after the first session starts"),
            (self.request_deadline, requests, first, "after the first session starts"),
            (self.cancellation_cutoff, cutoff, last, "after the last session ends"),
        ]
        ok = True
        for field, early, late, what in rules:
            if early is not None and late is not None and early > late:
                field.errors.append(f"This is {what}.")
                ok = False
        return ok

    def sessions(self) -> list[SessionSpec]:
        return parse_session_lines(self.sessions_text.data or "")

    def aware(self, local: datetime | None) -> datetime | None:
        """A deadline entered in the event's local time, as an aware instant."""
        return None if local is None else local.replace(tzinfo=ZoneInfo(self.timezone.data))

    def fill_from(self, event: Event) -> None:
        self.process(obj=event)
        self.sessions_text.data = format_session_lines(event)
        for field in (self.registration_deadline, self.request_deadline, self.cancellation_cutoff):
            instant = getattr(event, field.name)
            field.data = None if instant is None else event.local(instant).replace(tzinfo=None)


class NewEventForm(EventForm):
    slug = OneLineField(
        "Web address",
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message="Lower-case letters, digits and dashes."),
        ],
        description="Part of the event's address: /e/<this>/. Cannot be changed later.",
    )
    table_count = WholeNumberField(
        "Tables", default=10, validators=[InputRequired(), NumberRange(0, 2_000)]
    )
    table_seats = WholeNumberField(
        "Seats per table", default=4, validators=[Optional(), NumberRange(2, 50)]
    )


class TableRowForm(Form):
    id = HiddenField()
    name = OneLineField("Name", validators=[DataRequired(), Length(max=100)])
    seats = WholeNumberField("Seats", validators=[Optional(), NumberRange(2, 50)])
    hidden = BooleanField("Hidden")
    remove = BooleanField("Remove")


class TablesForm(FlaskForm):
    tables = FieldList(FormField(TableRowForm))
    add_count = WholeNumberField(
        "Add numbered tables", default=0, validators=[Optional(), NumberRange(0, 2_000)]
    )
    add_seats = WholeNumberField(
        "with seats", default=4, validators=[Optional(), NumberRange(2, 50)]
    )


class ParticipantFilterForm(FlaskForm):
    """The participants list's search box and filters (a GET form: no CSRF needed)."""

    class Meta:
        csrf = False

    q = OneLineSearchField("Search", validators=[Optional(), Length(max=200)])
    status = SelectField(
        "Status",
        choices=options([("", "Any status")] + [(s.value, s.label) for s in LISTED_STATUSES]),
    )
    kind = SelectField(
        "Organisation type", choices=options([("", "Any type")] + ORGANISATION_TYPES)
    )
    country = SelectField("Country", choices=options([("", "Any country")]), validate_choice=False)
    role = SelectField(
        "Role", choices=options([("", "Any role")] + [(r, r.title()) for r in ROLES])
    )


class BulkDecisionForm(FlaskForm):
    """Approve or reject the ticked participants (ids arrive as a repeated `ids` field)."""

    decision = SelectField(
        choices=options(
            [
                (RegistrationStatus.APPROVED.value, "Approve"),
                (RegistrationStatus.REJECTED.value, "Reject"),
            ]
        )
    )


class DecisionForm(FlaskForm):
    """A single approve/reject button with its CSRF token."""


class ParticipantForm(FlaskForm):
    booth = SelectField("Booth", coerce=str, validate_choice=True)
    max_meetings = WholeNumberField(
        "Personal meeting limit",
        validators=[Optional(), NumberRange(0, 1_000)],
        description="Applies when lower than the event's limit. Empty: the event's limit.",
    )
    role = SelectField("Role", choices=options((r, r.title()) for r in ROLES))


class CsvUploadForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired(), FileAllowed(["csv", "txt"], "Upload a .csv file.")],
        description="UTF-8, comma or semicolon separated, with a header row.",
    )


class CsvMappingForm(FlaskForm):
    """Which column of the uploaded file holds each participant field ('' = none)."""

    upload = HiddenField(validators=[DataRequired()])
    name = SelectField("Name")
    email = SelectField("Email")
    organisation = SelectField("Organisation")
    kind = SelectField("Organisation type")
    country = SelectField("Country")
    topics = SelectField("Topics")
    description = SelectField("Description")
    booth = SelectField("Booth")
