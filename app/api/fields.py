"""Marshmallow fields and validators shared by the API schemas."""
from __future__ import annotations

from datetime import UTC

import marshmallow as ma

from app.models.base import utcnow


class UTCDateTime(ma.fields.AwareDateTime):
    """An ISO 8601 date-time with its offset, read and written in UTC (a time without offset is refused)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("description", "ISO 8601 date-time with an offset, e.g. 2027-03-01T12:00:00Z.")
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
    if moment <= utcnow():
        raise ma.ValidationError("The deadline must be in the future.")


def ids_field(**kwargs) -> ma.fields.Integer:
    """An id read from JSON: a positive whole number within the database's range."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=2**31 - 1), **kwargs)
