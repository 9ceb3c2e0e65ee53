"""Fields every form uses: they refuse what plain_text refuses, with the reason next to the
field. A form declares OneLineField for names, titles and the like, TextBlockField for messages
and profile texts, WholeNumberField for counts and limits; never a bare StringField,
TextAreaField or IntegerField."""

from __future__ import annotations

from wtforms import IntegerField, SearchField, StringField, TextAreaField
from wtforms.validators import ValidationError

from partnering.plain_text import control_problem


class _Checked:
    multiline = False

    def pre_validate(self, form) -> None:
        problem = control_problem(self.data or "", multiline=self.multiline)
        if problem:
            raise ValidationError(problem)


class OneLineField(_Checked, StringField):
    """A single line: no line break, tab, NUL or other control character."""


class OneLineSearchField(_Checked, SearchField):
    """A search box: a single line."""


class TextBlockField(_Checked, TextAreaField):
    """Several lines: line breaks and tabs, but no NUL or other control character."""

    multiline = True


LARGEST_NUMBER = 2**31 - 1
"""What a database integer holds; larger numbers also break range checks (math.isnan)."""


class WholeNumberField(IntegerField):
    """A whole number of a size a database (and a person) can mean."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > LARGEST_NUMBER:
            self.data = None
            raise ValueError("Enter a smaller number.")


def field_aria(field, hint: str | None = None) -> dict[str, str]:
    """The attributes that tie a field to its hint and errors, as templates/_macros.html shows
    them (ids `<field id>-hint` and `<field id>-errors`), for screen readers: aria-describedby,
    and aria-invalid once it has errors."""
    described = [f"{field.id}-hint"] if hint else []
    attributes = {}
    if field.errors:
        described.append(f"{field.id}-errors")
        attributes["aria_invalid"] = "true"
    if described:
        attributes["aria_describedby"] = " ".join(described)
    return attributes
