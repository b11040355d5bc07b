"""Signing in and out, and accepting invitations (vendor and staff)."""

from __future__ import annotations

import math
from datetime import timedelta

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from app import audit
from app.auth import lockout, services
from app.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from app.evaluations import invitations
from app.extensions import db
from app.models import TokenPurpose
from app.models.base import utcnow
from app.transaction import keep_changes
from app.web.security import is_safe_next, public

bp = Blueprint("auth", __name__)


def _sign_in(user) -> None:
    # A fresh session at every sign-in: nothing from before survives (session fixation).
    session.clear()
    login_user(user)
    services.note_login(user)


def _wait_text(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def _delayed(form: LoginForm, wait: timedelta):
    """The answer while this client must wait: the same for every address, known or not."""
    flash(
        f"Too many failed sign-ins for this e-mail address from your network. Wait {_wait_text(wait)} and "
        "try again, or choose a new password with 'Forgot your password?'.",
        "error",
    )
    answer = make_response(render_template("auth/login.html", form=form), 429)
    answer.headers["Retry-After"] = str(max(1, math.ceil(wait.total_seconds())))
    return answer


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email, password = form.email.data, form.password.data
        client = get_remote_address()
        until = lockout.blocked_until(email, client)
        if until is not None:
            services.spend_password_check(password)
            return _delayed(form, until - utcnow())
        user = services.authenticate(email, password)
        if user is not None:
            lockout.clear(email, client)
            _sign_in(user)
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("main.dashboard"))
        # The count must be stored even though the answer below may be an error.
        keep_changes()
        wait = lockout.note_failure(email, client)
        if wait:
            known = services.find_user(email)
            if known is not None:
                audit.record(
                    "user.sign_in_delayed",
                    actor=None,
                    subject=f"user:{known.id}",
                    details={"seconds": int(wait.total_seconds())},
                )
            return _delayed(form, wait)
        flash("E-mail or password is not right, or the account is not active.", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        # Said whether or not the address has an account: this form must not reveal which do.
        flash(
            "If an account uses this address, a link to choose a new password is on its way. "
            f"It works once, for {current_app.config.get('PASSWORD_RESET_HOURS', 2)} hours.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.end_sessions(current_user, reason="logout")
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        invitation = invitations.find_usable_invitation(token)
    except invitations.InvitationError as error:
        return render_template("auth/invitation_unusable.html", message=str(error)), 410
    existing = invitations.existing_account(invitation)
    if existing is not None and not (current_user.is_authenticated and current_user.id == existing.id):
        flash("You already have an account: sign in, then open the invitation link again.", "info")
        return redirect(url_for("auth.login", next=request.path))
    form = SetPasswordForm()
    if existing is not None:
        form = None
    if request.method == "POST" and (form is None or form.validate_on_submit()):
        try:
            user = invitations.accept_invitation(
                invitation, name=form.name.data if form else "", password=form.password.data if form else ""
            )
        except invitations.InvitationError as error:
            db.session.rollback()
            return render_template("auth/invitation_unusable.html", message=str(error)), 409
        _sign_in(user)
        response = invitations.ensure_response(invitation.evaluation, invitation.vendor_organisation)
        flash(f"Welcome. You can now answer '{invitation.evaluation.title}'.", "success")
        return redirect(url_for("responses.edit", response_id=response.id))
    return render_template("auth/accept_invitation.html", invitation=invitation, form=form)


@bp.route("/activate/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """Staff invitation or password reset: choose a password through a single-use link."""
    try:
        account_token = services.find_usable_token(token)
    except services.TokenError as error:
        return render_template("auth/invitation_unusable.html", message=str(error)), 410
    form = SetPasswordForm(name=account_token.user.name)
    if form.validate_on_submit():
        user = services.use_token(account_token, name=form.name.data, password=form.password.data)
        _sign_in(user)
        flash("Your password is set.", "success")
        return redirect(url_for("main.dashboard"))
    return render_template(
        "auth/set_password.html",
        form=form,
        user=account_token.user,
        reset=account_token.purpose == TokenPurpose.PASSWORD_RESET,
    )
