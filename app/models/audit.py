"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(sa.String(254), default="")
    evaluation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    subject: Mapped[str] = mapped_column(sa.String(120), default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
