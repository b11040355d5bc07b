"""Account lockout: after repeated failed sign-ins an e-mail address is refused for a while.

Counts are kept per e-mail address whether or not an account exists, and the same
message is shown either way, so the lockout tells an attacker nothing about which
addresses have accounts. A password reset lifts the lock.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import LoginThrottle
from app.models.base import utcnow

DEFAULT_FAILURES = 5
DEFAULT_MINUTES = 15


def _settings() -> tuple[int, timedelta]:
    config = current_app.config
    return (int(config.get("LOGIN_LOCKOUT_FAILURES", DEFAULT_FAILURES)),
            timedelta(minutes=int(config.get("LOGIN_LOCKOUT_MINUTES", DEFAULT_MINUTES))))


def lockout_minutes() -> int:
    return int(_settings()[1].total_seconds() // 60)


def email_key(email: str) -> str:
    """The stored key of an address: its SHA-256, so the table holds no addresses."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def _row(email: str, *, for_update: bool = False) -> LoginThrottle | None:
    query = sa.select(LoginThrottle).where(LoginThrottle.email_hash == email_key(email))
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def locked_until(email: str, now: datetime | None = None) -> datetime | None:
    """When the lock on this address ends, or None if sign-in may be tried."""
    row = _row(email)
    now = now or utcnow()
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def note_failure(email: str, now: datetime | None = None) -> bool:
    """Count one failed sign-in; returns True when this failure locks the address."""
    now = now or utcnow()
    threshold, period = _settings()
    row = _row(email, for_update=True)
    if row is None:
        try:
            # Two first failures at once: one insert wins, the other counts on its row.
            with db.session.begin_nested():
                row = LoginThrottle(email_hash=email_key(email), failures=0, first_failed_at=now,
                                    last_failed_at=now)
                db.session.add(row)
        except sa.exc.IntegrityError:
            row = _row(email, for_update=True)
    if row.first_failed_at <= now - period or (row.locked_until is not None and row.locked_until <= now):
        # Failures older than the period, or a lock that has run out, start the count afresh.
        row.failures, row.first_failed_at, row.locked_until = 0, now, None
    row.failures += 1
    row.last_failed_at = now
    if row.failures >= threshold:
        row.locked_until = now + period
        db.session.flush()
        return True
    db.session.flush()
    return False


def clear(email: str) -> None:
    """Forget the failures of this address (after a successful sign-in or a password reset)."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.email_hash == email_key(email)))
