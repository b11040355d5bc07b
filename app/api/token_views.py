"""The page where every signed-in user creates and revokes personal API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import permissions
from app.api import tokens
from app.api.forms import NewTokenForm
from app.extensions import db
from app.models import ApiToken

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


def _page(form: NewTokenForm, *, secret: str | None = None, created: ApiToken | None = None, status: int = 200):
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens.tokens_of(current_user),
        secret=secret,
        created=created,
        action_form=FlaskForm(),
    ), status


@bp.get("")
def index():
    permissions.require(permissions.can_use_api_tokens(current_user))
    return _page(NewTokenForm())


@bp.post("")
def create():
    permissions.require(permissions.can_use_api_tokens(current_user))
    form = NewTokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    token, secret = tokens.create_token(current_user, form.name.data)
    # Shown in this answer only: never redirected through the session or a flash message.
    return _page(NewTokenForm(formdata=None), secret=secret, created=token, status=201)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    permissions.require(permissions.can_revoke_api_token(current_user, token), hide=True)
    if FlaskForm().validate_on_submit():
        tokens.revoke_token(token, actor=current_user)
        flash(f"Token '{token.name}' revoked; it no longer works.", "success")
    return redirect(url_for("api_tokens.index"))
