"""Evaluators' scores, consensus and conflict-of-interest declarations."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.people import User


class Score(db.Model):
    """One evaluator's 0-4 rubric score for one answer.

    Scores stay private to their author until ``submitted_at`` is set (blind scoring).
    """

    __tablename__ = "score"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id", "evaluator_id", name="uq_score_response_question_evaluator"),
        sa.CheckConstraint("value >= 0 AND value <= 4", name="value_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(sa.String(20))
    evaluator_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    value: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    evaluator: Mapped[User] = relationship()


class ConsensusScore(db.Model):
    """The score the lead evaluator settles on, with the reason."""

    __tablename__ = "consensus_score"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id", name="uq_consensus_score_response_question"),
        sa.CheckConstraint("value >= 0 AND value <= 4", name="value_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[int]
    rationale: Mapped[str] = mapped_column(sa.Text)
    set_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ConflictDeclaration(db.Model):
    """An evaluator's statement that they have no conflict of interest with a vendor."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "user_id", name="uq_conflict_declaration_response_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
