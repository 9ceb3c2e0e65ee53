"""Forms of the event-day pages (POST actions use the post_button macro's CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional

from partnering.form_fields import OneLineSearchField


class DeskSearchForm(FlaskForm):
    """The check-in desk's search box (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = OneLineSearchField("Name, email or organisation", validators=[Optional(), Length(max=200)])
