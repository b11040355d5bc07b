"""Template filters: dates in the reader's time zone, numbers as people read them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from flask_login import current_user


def user_zone() -> ZoneInfo:
    name = getattr(current_user, "timezone", None) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_datetime(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """Format a UTC timestamp in the signed-in user's zone, naming the zone."""
    if value is None:
        return "—"
    local = value.astimezone(user_zone())
    return f"{local.strftime(fmt)} {local.tzname()}"


def number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.filters["number"] = number
