from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from partnering.events.models import Event
from partnering.form_fields import OneLineField, OneLineSearchField, TextBlockField
from partnering.registrations.models import ORGANISATION_TYPES

ORGANISATION_CHOICES = [SelectChoice(value, label) for value, label in ORGANISATION_TYPES]


def options(values: list[str], blank: str | None = None) -> list[SelectChoice]:
    """Choices whose labels are their values, after an optional blank "any" choice."""
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(v) for v in values]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ProfileForm(FlaskForm):
    name = OneLineField("Full name", validators=[DataRequired(), Length(max=200)])
    organisation = OneLineField(
        "Organisation",
        validators=[DataRequired(), Length(max=200)],
        description="Pick your organisation if a colleague registered it already.",
    )
    organisation_type = SelectField(
        "Organisation type",
        choices=[SelectChoice("", "Choose…"), *ORGANISATION_CHOICES],
        validators=[DataRequired(message="Choose the type of your organisation.")],
    )
    country = OneLineField("Country", validators=[DataRequired(), Length(max=100)])
    job_title = OneLineField("Job title", validators=[Optional(), Length(max=200)])
    topics = CheckboxesField("Topics", choices=[])
    offer = TextBlockField(
        "What you offer",
        validators=[Optional(), Length(max=2000)],
        description="Technologies, products, services, assets or funding you bring.",
    )
    seek = TextBlockField(
        "What you seek",
        validators=[Optional(), Length(max=2000)],
        description="Partners, licences, investment, collaborations you are looking for.",
    )
    description = TextBlockField(
        "About you and your organisation", validators=[Optional(), Length(max=4000)]
    )
    show_profile = BooleanField(
        "Show my profile to the other participants of this event",
        description="Without it you are not listed in the directory and nobody can ask you "
        "for a meeting.",
    )

    def set_event(self, event: Event) -> None:
        self.topics.choices = options(event.topics)


def _consent_field() -> BooleanField:
    return BooleanField(
        "I have read the privacy note and agree to it",
        validators=[DataRequired(message="Agree to the privacy note to take part.")],
    )


class RegisterForm(ProfileForm):
    """Registering while logged in: the profile, and consent to the event's privacy note."""

    consent = _consent_field()


class RegistrationForm(RegisterForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description="We send a login link to this address; there is no password.",
    )


class DirectoryForm(FlaskForm):
    """The directory's search and filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = OneLineSearchField("Search", validators=[Optional(), Length(max=200)])
    country = SelectField("Country", choices=[], validators=[Optional()], validate_choice=False)
    kind = SelectField(
        "Organisation type",
        choices=[SelectChoice("", "All types"), *ORGANISATION_CHOICES],
        validators=[Optional()],
        validate_choice=False,
    )
    topic = SelectField("Topic", choices=[], validators=[Optional()], validate_choice=False)


class ConfirmRegistrationForm(FlaskForm):
    """The address's owner confirms a registration made for them."""

    consent = _consent_field()


class DiscardRegistrationForm(FlaskForm):
    """The address's owner refuses a registration made for them (just the CSRF token)."""


class DeleteRegistrationForm(FlaskForm):
    sure = BooleanField(
        "I understand: my requests are withdrawn, my meetings cancelled and my data erased",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )
