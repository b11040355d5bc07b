"""The buying organisation's administrator manages its people."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import permissions
from app.admin import accounts
from app.admin.forms import InviteStaffForm
from app.auth import services as auth_services
from app.extensions import db
from app.models import Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/people", methods=["GET", "POST"])
def people():
    permissions.require(permissions.can_manage_people(current_user))
    form = InviteStaffForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        outcome = accounts.invite_staff(current_user, email=email, name=form.name.data, role=Role(form.role.data))
        if outcome is accounts.InviteOutcome.ALREADY_MEMBER:
            form.email.errors.append("Someone in your organisation already uses this e-mail address.")
        else:
            # The same words whether the address was new or has an account elsewhere (see invite_staff).
            flash(f"{email} is invited; they will receive a link to choose a password.", "success")
            return redirect(url_for("admin.people"))
    members = db.session.scalars(
        sa.select(User).where(User.organisation_id == current_user.organisation_id).order_by(User.email)
    ).all()
    return render_template("admin/people.html", form=form, members=members, action_form=FlaskForm())


@bp.post("/people/<int:user_id>/active")
def toggle_active(user_id: int):
    permissions.require(permissions.can_manage_people(current_user))
    user = db.get_or_404(User, user_id)
    permissions.require(permissions.can_manage_user(current_user, user), hide=True)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.people"))
    if FlaskForm().validate_on_submit():
        auth_services.set_active(user, active=not user.active, actor=current_user)
        flash(f"{user.email} is now {'active' if user.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.people"))
