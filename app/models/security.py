"""Failed sign-in counters behind the sign-in delays."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class LoginThrottle(db.Model):
    """Recent failed sign-ins for one e-mail address from one client address.

    Keyed by the SHA-256 of the normalised e-mail address (whether or not an account exists)
    and of the client address, so the table holds neither and a delayed address looks the same
    as any other. Counting per client means a stranger's failures never delay the owner
    signing in from somewhere else.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (sa.UniqueConstraint("email_hash", "client_hash", name="uq_login_throttle_email_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    client_hash: Mapped[str] = mapped_column(sa.String(64))
    failures: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
