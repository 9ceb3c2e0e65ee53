from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, SelectField
from wtforms.validators import DataRequired, InputRequired, Length

from partnering.form_fields import TextBlockField
from partnering.meetings.models import PRIORITIES


class RequestForm(FlaskForm):
    priority = RadioField(
        "How much do you want this meeting?",
        choices=[SelectChoice(value, label) for value, label in sorted(PRIORITIES.items())],
        coerce=int,
        default=1,
        validators=[InputRequired(message="Choose how much you want this meeting.")],
    )
    message = TextBlockField(
        "Message",
        validators=[
            DataRequired(message="Say in a few words why you would like to meet."),
            Length(max=1000),
        ],
        description="Why you would like to meet; they see it before they answer.",
    )
    despite_no_room = BooleanField("Send anyway: I know this meeting cannot be scheduled yet")


class ColleagueForm(FlaskForm):
    colleague = SelectField("Add a colleague", coerce=int, validate_choice=True)
