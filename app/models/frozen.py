"""Frozen results: what an evaluation's ranking was when the buyer closed scoring."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class FrozenResult(db.Model):
    """The whole result of :func:`app.reports.ranking.compute_results` at one moment, with the versions
    that produced it.

    Rows are only ever added: closing scoring stores the first, each re-score adds one; the newest is
    the one every page, PDF, export and the API read. Older rows keep what was shown before.
    """

    __tablename__ = "frozen_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    questionnaire_key: Mapped[str] = mapped_column(sa.String(100))
    questionnaire_version: Mapped[int]
    engine_version: Mapped[int]
    # {scorer name: version} for every scorer the questionnaire names.
    scorer_versions: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(20))  # "closed" or "rescored"
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
