"""Form fields shared by several forms."""

from __future__ import annotations

from datetime import UTC, datetime

from wtforms import DateTimeLocalField, SelectMultipleField, widgets
from wtforms.validators import Length, ValidationError

from app.limits import SINGLE_LINE_MESSAGE, is_single_line, too_long_message
from app.web.formatting import user_zone


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in the user's own time zone, stored as UTC."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and self.data.tzinfo is None:
            self.data = self.data.replace(tzinfo=user_zone()).astimezone(UTC)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, datetime):
            return self.data.astimezone(user_zone()).strftime("%Y-%m-%dT%H:%M")
        return ""


def single_line(form, field) -> None:
    """WTForms validator: no line breaks or other control characters (titles, names, addresses)."""
    if isinstance(field.data, str) and not is_single_line(field.data):
        raise ValidationError(SINGLE_LINE_MESSAGE)


def max_length(limit: int) -> Length:
    """WTForms length validator with the message the API gives for the same limit."""
    return Length(max=limit, message=too_long_message(limit))
