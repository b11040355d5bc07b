"""Marshmallow fields and validators shared by the API schemas."""

from __future__ import annotations

from datetime import UTC

import marshmallow as ma

from app.evaluations.services import DeadlineError, check_deadline
from app.limits import SINGLE_LINE_MESSAGE, is_single_line, too_long_message


class UTCDateTime(ma.fields.AwareDateTime):
    """An ISO 8601 date-time with its offset, read and written in UTC (a time without offset is refused)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault(
            "description", "ISO 8601 date-time with an offset, e.g. 2027-03-01T12:00:00Z."
        )
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError):  # e.g. year 1 minus an offset
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None


def not_blank(text: str) -> None:
    if not text.strip():
        raise ma.ValidationError("Must not be blank.")


def in_future(moment) -> None:
    """A new evaluation's deadline: the same rule as the web form (``check_deadline``)."""
    try:
        check_deadline(None, moment)
    except DeadlineError as error:
        raise ma.ValidationError(str(error)) from error


def ids_field(**kwargs) -> ma.fields.Integer:
    """An id read from JSON: a positive whole number within the database's range."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=2**31 - 1), **kwargs)


def single_line(text: str) -> None:
    if not is_single_line(text):
        raise ma.ValidationError(SINGLE_LINE_MESSAGE)


def max_length(limit: int) -> ma.validate.Length:
    """A length validator with the message the web forms give for the same limit."""
    return ma.validate.Length(max=limit, error=too_long_message(limit))
