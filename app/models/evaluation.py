"""Evaluations (an RFP/RFI), their weights, invitations and evaluators."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.people import Organisation, User
from app.models.questionnaire import QuestionnaireVersion


class EvaluationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Evaluation(db.Model):
    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire_version.id"))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[EvaluationStatus] = mapped_column(
        sa.Enum(EvaluationStatus, native_enum=False, length=20), default=EvaluationStatus.OPEN
    )
    # Until the deadline the buying side sees that a vendor submitted, not what.
    sealed: Mapped[bool] = mapped_column(default=True)
    modalities: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    requirements: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the buyer opened sealed responses before the original deadline (which then closes).
    opened_early_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_early_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Set when the buyer closed scoring: from then on the stored results (FrozenResult) are shown.
    scoring_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scoring_closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    questionnaire: Mapped[QuestionnaireVersion] = relationship()
    section_weights: Mapped[list[SectionWeight]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="SectionWeight.position"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="Invitation.id"
    )
    assignments: Mapped[list[EvaluatorAssignment]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Evaluation {self.id} {self.title!r}>"


class SectionWeight(db.Model):
    """The buyer's weight for one questionnaire section in one evaluation."""

    __tablename__ = "section_weight"
    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "section_id", name="uq_section_weight_evaluation_section"),
        sa.CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(sa.String(50))
    position: Mapped[int] = mapped_column(default=0)
    weight: Mapped[float]

    evaluation: Mapped[Evaluation] = relationship(back_populates="section_weights")


class Invitation(db.Model):
    """A single-use, expiring link inviting a vendor contact to an evaluation."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    vendor_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    evaluation: Mapped[Evaluation] = relationship(back_populates="invitations")
    vendor_organisation: Mapped[Organisation] = relationship()

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.accepted_at:
            return "accepted"
        if self.expires_at <= utcnow():
            return "expired"
        return "pending"


class EvaluatorAssignment(db.Model):
    """An evaluator assigned to score one section (or all, when section_id is empty)."""

    __tablename__ = "evaluator_assignment"
    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "user_id", "section_id", name="uq_evaluator_assignment_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    section_id: Mapped[str] = mapped_column(sa.String(50), default="")
    is_lead: Mapped[bool] = mapped_column(default=False)

    evaluation: Mapped[Evaluation] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship()
