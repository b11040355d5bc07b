"""The buying organisation's administrator manages its people."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import audit, permissions
from app.admin.forms import InviteStaffForm
from app.auth import services as auth_services
from app.auth.services import send_activation
from app.extensions import db
from app.models import Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/people", methods=["GET", "POST"])
def people():
    permissions.require(permissions.can_manage_people(current_user))
    form = InviteStaffForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if db.session.scalar(sa.select(User.id).where(User.email == email)):
            form.email.errors.append("Someone with this e-mail address already has an account.")
        else:
            user = User(email=email, name=form.name.data.strip(), role=Role(form.role.data),
                        organisation_id=current_user.organisation_id)
            db.session.add(user)
            db.session.flush()
            audit.record("user.invited", actor=current_user, subject=f"user:{user.id}", details={"role": user.role})
            send_activation(user, current_user)
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
