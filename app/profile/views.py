"""A person's own preferences: the time zone deadlines and times are shown in."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from app import audit, permissions
from app.models.base import utcnow
from app.web.formatting import local_datetime

bp = Blueprint("profile", __name__, url_prefix="/profile")


@lru_cache(maxsize=1)
def zone_names() -> list[str]:
    # Link names like "US/Eastern" are left out; the canonical Area/City names are enough.
    return ["UTC"] + sorted(
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )


class ProfileForm(FlaskForm):
    timezone = SelectField(
        "Your time zone",
        validators=[DataRequired()],
        description="Deadlines and times are shown in this zone, and in the e-mails you get.",
    )


@bp.route("", methods=["GET", "POST"])
def edit():
    permissions.require(permissions.can_edit_profile(current_user))
    form = ProfileForm(timezone=current_user.timezone or "UTC")
    form.timezone.choices = {name: name.replace("_", " ") for name in zone_names()}
    if form.validate_on_submit():
        if form.timezone.data != current_user.timezone:
            audit.record(
                "user.timezone_changed",
                actor=current_user,
                subject=f"user:{current_user.id}",
                details={"from": current_user.timezone, "to": form.timezone.data},
            )
            current_user.timezone = form.timezone.data
        flash(f"Times are now shown in {form.timezone.data}.", "success")
        return redirect(url_for("profile.edit"))
    return render_template("profile/edit.html", form=form, now=local_datetime(utcnow()))
