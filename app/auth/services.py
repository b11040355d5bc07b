"""Authentication and account links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import CursorResult
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.auth import lockout
from app.auth.tokens import hash_token, new_token
from app.extensions import db
from app.links import public_link
from app.mail import send_mail
from app.models import AccountToken, ApiToken, TokenPurpose, User
from app.models.base import utcnow

# A real hash so an unknown e-mail costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("timing-equaliser")


class TokenError(Exception):
    """A password link that cannot be used."""


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, or None.

    The password is always hashed once, whatever the outcome, so the time taken does
    not tell an unknown or deactivated address from a wrong password.
    """
    user = find_user(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def spend_password_check(password: str) -> None:
    """Hash like a real check, for answers that must take as long as one (a client made to wait)."""
    check_password_hash(_DUMMY_HASH, password or "")


def note_login(user: User) -> None:
    user.last_login_at = utcnow()
    audit.record("user.login", actor=user)


def issue_token(user: User, purpose: TokenPurpose, *, days: int = 7, lifetime: timedelta | None = None) -> str:
    """Store a new single-use link token for ``user`` and return the secret for the link."""
    token, token_hash = new_token()
    expires_at = utcnow() + (lifetime if lifetime is not None else timedelta(days=days))
    db.session.add(AccountToken(user=user, purpose=purpose, token_hash=token_hash, expires_at=expires_at))
    db.session.flush()
    return token


def send_activation(user: User, invited_by: User) -> None:
    token = issue_token(user, TokenPurpose.ACTIVATE)
    link = public_link("auth.set_password", token=token)
    send_mail(
        user.email,
        "Your DataVet account",
        f"{invited_by.display_name} added you to {user.organisation.name} on DataVet as {user.role}.\n\n"
        f"Choose your password here (the link works once, for 7 days):\n{link}\n",
    )


def find_usable_token(token: str) -> AccountToken:
    account_token: AccountToken | None = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == hash_token(token))
    )
    if account_token is None:
        raise TokenError("This link is not valid. Check that you copied the whole link.")
    if account_token.used_at:
        raise TokenError("This link has already been used. Sign in, or ask for a new link.")
    if account_token.expires_at <= utcnow():
        if account_token.purpose == TokenPurpose.PASSWORD_RESET:
            raise TokenError(
                "This link has expired. Ask for a new one with 'Forgot your password?' on the sign-in page."
            )
        raise TokenError("This link has expired. Ask your administrator for a new one.")
    if not account_token.user.active:
        raise TokenError("This account has been deactivated.")
    return account_token


def set_active(user: User, *, active: bool, actor: User) -> None:
    """Activate or deactivate an account; deactivation ends its sessions (its tokens stop with it)."""
    if user.active == active:
        return
    user.active = active
    audit.record("user.activated" if active else "user.deactivated", actor=actor, subject=f"user:{user.id}")
    if not active:
        end_sessions(user, reason="deactivated")


def revoke_api_tokens(user: User, *, reason: str) -> int:
    """Revoke every API token of this person; returns how many were still working."""
    # An UPDATE without RETURNING gives a CursorResult, which the session's signature does not say.
    revoked = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session="fetch")
        ),
    ).rowcount
    if revoked:
        audit.record(
            "api_token.revoked_all",
            actor=None,
            subject=f"user:{user.id}",
            details={"tokens": revoked, "reason": reason},
        )
    return revoked


def end_sessions(user: User, *, reason: str) -> None:
    """Sign the person out of every browser (logout, a new password, deactivation)."""
    user.end_sessions()
    audit.record("user.sessions_ended", actor=None, subject=f"user:{user.id}", details={"reason": reason})


def use_token(account_token: AccountToken, *, name: str, password: str) -> User:
    """Set the password from an activation or reset link.

    Every earlier session ends; a reset also revokes the person's API tokens, since whoever
    reset the password may be recovering from a stolen one.
    """
    user = account_token.user
    user.name = name.strip()
    user.set_password(password)
    account_token.used_at = utcnow()
    end_sessions(user, reason=f"password set ({account_token.purpose})")
    if account_token.purpose == TokenPurpose.PASSWORD_RESET:
        revoke_api_tokens(user, reason="password reset")
    # Whoever holds a working reset link owns the mailbox: the lock has done its job.
    lockout.clear(user.email)
    audit.record(
        "user.password_set", actor=user, subject=f"user:{user.id}", details={"via": str(account_token.purpose)}
    )
    return user


def request_password_reset(email: str) -> None:
    """E-mail a reset link if an active account has this address; do nothing visible otherwise.

    Earlier unused reset links stop working, so only the newest one counts.
    """
    user = find_user(email)
    if user is None or not user.active:
        return
    now = utcnow()
    db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.PASSWORD_RESET,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    hours = int(current_app.config.get("PASSWORD_RESET_HOURS", 2))
    token = issue_token(user, TokenPurpose.PASSWORD_RESET, lifetime=timedelta(hours=hours))
    link = public_link("auth.set_password", token=token)
    audit.record("user.password_reset_requested", actor=None, subject=f"user:{user.id}")
    send_mail(
        user.email,
        "Reset your DataVet password",
        "Someone (we hope you) asked to reset the password of your DataVet account.\n\n"
        f"Choose a new password here (the link works once, for {hours} hours):\n{link}\n\n"
        "If you did not ask for this, ignore this message: your password stays as it is.\n",
    )
