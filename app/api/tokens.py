"""Creating, revoking and checking personal API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from app import audit
from app.auth.tokens import hash_token
from app.extensions import db
from app.models import ApiToken, User
from app.models.base import utcnow

# A recognisable prefix lets secret scanners and people spot a leaked DataVet token.
TOKEN_PREFIX = "dvt_"
# Recording every single use would turn each read into a write; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, active ones first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the secret, which is never stored or shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name.strip(), token_hash=hash_token(secret), prefix=secret[: len(TOKEN_PREFIX) + 4]
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", actor=user, subject=f"api_token:{token.id}", details={"name": token.name})
    return token, secret


def revoke_token(token: ApiToken, *, actor: User) -> None:
    """Stop a token from working, at once and for good."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record("api_token.revoked", actor=actor, subject=f"api_token:{token.id}", details={"name": token.name})


def find_active(secret: str) -> ApiToken | None:
    """The unrevoked token behind a bearer secret, or None."""
    if not secret or len(secret) > 200:
        return None
    return db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
    )


def record_use(token: ApiToken, now: datetime | None = None) -> bool:
    """Note when the token was used; returns whether anything changed (stored when the request commits)."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return False
    token.last_used_at = now
    return True
