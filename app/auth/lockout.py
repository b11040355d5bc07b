"""Sign-in delays: repeated failures for one e-mail address from one client address slow that pair down.

Failures are counted per (e-mail address, client address), whether or not an account uses the
address, and the same message is shown either way, so the delays tell an attacker nothing about
which addresses have accounts. Counting per client means a stranger who hammers someone's address
delays only themselves: the owner signing in from their own network is not affected.

The first ``LOGIN_LOCKOUT_FAILURES`` failures cost nothing; after that each further failure from the
same client for the same address makes it wait twice as long as the last (2, 4, 8... seconds), never
more than ``LOGIN_LOCKOUT_MINUTES``. A correct password after the wait signs in and clears the count;
so does a password reset (for every client). The per-address rate limits of ``app.auth.ratelimit``
stay in front of this.
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
FIRST_DELAY_SECONDS = 2
# A pair quiet for this long starts afresh; longer than the longest delay, so waiting one out does not reset it.
FORGET_AFTER = timedelta(days=1)


def _settings() -> tuple[int, timedelta]:
    config = current_app.config
    return (
        int(config.get("LOGIN_LOCKOUT_FAILURES", DEFAULT_FAILURES)),
        timedelta(minutes=int(config.get("LOGIN_LOCKOUT_MINUTES", DEFAULT_MINUTES))),
    )


def _key(text: str) -> str:
    return hashlib.sha256((text or "").strip().lower().encode()).hexdigest()


def email_key(email: str) -> str:
    """The stored key of an address: its SHA-256, so the table holds no addresses."""
    return _key(email)


def delay_after(failures: int, threshold: int, longest: timedelta) -> timedelta:
    """How long a client waits after its ``failures``-th failure in a row (zero below the threshold)."""
    if failures < threshold:
        return timedelta(0)
    steps = min(failures - threshold, 32)  # 2**32 seconds is far past any cap
    return min(timedelta(seconds=FIRST_DELAY_SECONDS * 2**steps), longest)


def _row(email: str, client: str, *, for_update: bool = False) -> LoginThrottle | None:
    query = sa.select(LoginThrottle).where(
        LoginThrottle.email_hash == email_key(email), LoginThrottle.client_hash == _key(client)
    )
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def blocked_until(email: str, client: str, now: datetime | None = None) -> datetime | None:
    """Until when this client must wait before trying this address again, or None if it may try now."""
    row = _row(email, client)
    now = now or utcnow()
    if row is not None and row.blocked_until is not None and row.blocked_until > now:
        return row.blocked_until
    return None


def note_failure(email: str, client: str, now: datetime | None = None) -> timedelta:
    """Count one failed sign-in from ``client`` for ``email``; returns the wait it now imposes (maybe zero)."""
    now = now or utcnow()
    threshold, longest = _settings()
    row = _row(email, client, for_update=True)
    if row is None:
        try:
            # Two first failures at once: one insert wins, the other counts on its row.
            with db.session.begin_nested():
                row = LoginThrottle(
                    email_hash=email_key(email),
                    client_hash=_key(client),
                    failures=0,
                    first_failed_at=now,
                    last_failed_at=now,
                )
                db.session.add(row)
        except sa.exc.IntegrityError:
            row = _row(email, client, for_update=True)
    if row.last_failed_at <= now - FORGET_AFTER:
        row.failures, row.first_failed_at = 0, now
    row.failures += 1
    row.last_failed_at = now
    delay = delay_after(row.failures, threshold, longest)
    row.blocked_until = now + delay if delay else None
    db.session.flush()
    return delay


def clear(email: str, client: str | None = None) -> None:
    """Forget the failures of this address: from one client (a successful sign-in), or all (a reset)."""
    query = sa.delete(LoginThrottle).where(LoginThrottle.email_hash == email_key(email))
    if client is not None:
        query = query.where(LoginThrottle.client_hash == _key(client))
    db.session.execute(query)
