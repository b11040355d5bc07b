"""Personal data pages: everyone downloads their own; administrators export and erase their people's."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, Response as HttpResponse, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import permissions
from app.extensions import db
from app.models import User
from app.privacy import services

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


def _member_or_404(user_id: int, rule) -> User:
    member = db.get_or_404(User, user_id)
    # Someone outside the administrator's organisation is not even confirmed to exist.
    permissions.require(rule(current_user, member), hide=not permissions.can_manage_user(current_user, member))
    return member


def _download(data: dict, filename: str) -> HttpResponse:
    body = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return HttpResponse(
        body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("")
def overview():
    permissions.require(permissions.can_download_own_data(current_user))
    members = []
    if permissions.can_manage_people(current_user):
        members = db.session.scalars(
            sa.select(User).where(User.organisation_id == current_user.organisation_id).order_by(User.email)
        ).all()
    return render_template("privacy/overview.html", members=members, is_erased=services.is_erased)


@bp.get("/my-data.json")
def my_data():
    permissions.require(permissions.can_download_own_data(current_user))
    data = services.export_personal_data(current_user, requested_by=current_user)
    return _download(data, "my-datavet-data.json")


@bp.get("/people/<int:user_id>/data.json")
def member_data(user_id: int):
    member = _member_or_404(user_id, permissions.can_export_personal_data)
    data = services.export_personal_data(member, requested_by=current_user)
    return _download(data, f"personal-data-user-{member.id}.json")


@bp.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
def erase_member(user_id: int):
    member = _member_or_404(user_id, permissions.can_erase_personal_data)
    form = FlaskForm()
    error = None
    typed = request.form.get("confirm_email", "")
    if request.method == "POST" and form.validate_on_submit():
        if typed.strip().lower() != member.email:
            error = "Type the person's e-mail address exactly to confirm."
        else:
            try:
                services.erase_user(member, erased_by=current_user)
            except services.ErasureRefused as refusal:
                db.session.rollback()
                error = str(refusal)
            else:
                flash(
                    f"The account of user #{member.id} is erased: name and e-mail anonymised, "
                    "sign-in disabled, the audit trail no longer names them.",
                    "success",
                )
                return redirect(url_for("privacy.overview"))
    return render_template(
        "privacy/erase.html",
        member=member,
        form=form,
        error=error,
        typed=typed,
        already_erased=services.is_erased(member),
    ), (422 if error else 200)
