"""Stored questionnaire versions (immutable once used)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class QuestionnaireVersion(db.Model):
    """One version of a questionnaire definition, as validated from YAML.

    Rows are never edited: a changed definition becomes a new version, and every
    evaluation and response keeps pointing at the version it was built on.
    """

    __tablename__ = "questionnaire_version"
    __table_args__ = (sa.UniqueConstraint("key", "version", name="uq_questionnaire_version_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    definition_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<QuestionnaireVersion {self.key} v{self.version}>"
