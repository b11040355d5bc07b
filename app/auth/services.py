"""Authentication and account links."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from werkzeug.security import check_password_hash, generate_password_hash

from app import audit
from app.auth.tokens import hash_token, new_token
from app.extensions import db
from app.mail import send_mail
from app.models import AccountToken, TokenPurpose, User
from app.models.base import utcnow

# A real hash so an unknown e-mail costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("timing-equaliser")


class TokenError(Exception):
    """A password link that cannot be used."""


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.active or not user.check_password(password):
        return None
    return user


def note_login(user: User) -> None:
    user.last_login_at = utcnow()
    audit.record("user.login", actor=user)


def issue_token(user: User, purpose: TokenPurpose, *, days: int = 7) -> str:
    token, token_hash = new_token()
    db.session.add(
        AccountToken(user=user, purpose=purpose, token_hash=token_hash, expires_at=utcnow() + timedelta(days=days))
    )
    db.session.flush()
    return token


def send_activation(user: User, invited_by: User) -> None:
    token = issue_token(user, TokenPurpose.ACTIVATE)
    link = url_for("auth.set_password", token=token, _external=True)
    send_mail(
        user.email,
        "Your DataVet account",
        f"{invited_by.display_name} added you to {user.organisation.name} on DataVet as {user.role}.\n\n"
        f"Choose your password here (the link works once, for 7 days):\n{link}\n",
    )


def find_usable_token(token: str) -> AccountToken:
    account_token = db.session.scalar(sa.select(AccountToken).where(AccountToken.token_hash == hash_token(token)))
    if account_token is None:
        raise TokenError("This link is not valid. Check that you copied the whole link.")
    if account_token.used_at:
        raise TokenError("This link has already been used. Sign in, or ask for a new link.")
    if account_token.expires_at <= utcnow():
        raise TokenError("This link has expired. Ask your administrator for a new one.")
    if not account_token.user.active:
        raise TokenError("This account has been deactivated.")
    return account_token


def use_token(account_token: AccountToken, *, name: str, password: str) -> User:
    user = account_token.user
    user.name = name.strip()
    user.set_password(password)
    account_token.used_at = utcnow()
    audit.record("user.password_set", actor=user, subject=f"user:{user.id}")
    return user
