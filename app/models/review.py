"""Evaluators' scores, consensus and conflict-of-interest declarations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.people import User
from app.models.response import EvidenceLevel


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
    """An evaluator's declaration about one vendor's response, and when they submitted their review.

    Nobody reads a response as its evaluator before declaring: either no conflict of interest (then
    they score it) or a conflict, with the reason (then they are recused from that response).
    ``review_submitted_at`` is set when the evaluator submits their scores and evidence levels; from
    then on they see the other evaluators' submitted work, and theirs counts.
    """

    __tablename__ = "conflict_declaration"
    __table_args__ = (sa.UniqueConstraint("response_id", "user_id", name="uq_conflict_declaration_response_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    has_conflict: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    review_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EvidenceMark(db.Model):
    """One evaluator's judgement of how far one answer is backed (self-attested, evidenced, verified).

    Private to its author until they submit their review (blind, like scores); the answer's
    ``evidence_level`` is then the most cautious of the submitted marks.
    """

    __tablename__ = "evidence_mark"
    __table_args__ = (
        sa.UniqueConstraint(
            "response_id", "question_id", "evaluator_id", name="uq_evidence_mark_response_question_evaluator"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(sa.String(20))
    evaluator_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    level: Mapped[EvidenceLevel] = mapped_column(sa.Enum(EvidenceLevel, native_enum=False, length=20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    evaluator: Mapped[User] = relationship()
