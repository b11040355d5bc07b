"""A vendor's response to an evaluation: answers and evidence files."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.evaluation import Evaluation
from app.models.people import Organisation
from app.models.questionnaire import QuestionnaireVersion

if TYPE_CHECKING:
    from app.models.review import ConflictDeclaration


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class EvidenceLevel(enum.StrEnum):
    """How far an answer is backed: the vendor's word, a document, or an evaluator's check."""

    SELF_ATTESTED = "self_attested"
    EVIDENCED = "evidenced"
    VERIFIED = "verified"


class Response(db.Model):
    __tablename__ = "response"
    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "vendor_organisation_id", name="uq_response_evaluation_vendor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    vendor_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # The version answered; fixed even if the evaluation later moves on.
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire_version.id"))
    status: Mapped[ResponseStatus] = mapped_column(
        sa.Enum(ResponseStatus, native_enum=False, length=20), default=ResponseStatus.DRAFT
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    evaluation: Mapped[Evaluation] = relationship()
    vendor_organisation: Mapped[Organisation] = relationship()
    questionnaire: Mapped[QuestionnaireVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")
    # Evaluators' conflict-of-interest declarations (read by the access rules, one query per response).
    declarations: Mapped[list[ConflictDeclaration]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


class Answer(db.Model):
    """The current value of one question in one response.

    ``revision`` grows with every save so that two people editing at once
    are told about the conflict instead of overwriting each other.
    """

    __tablename__ = "answer"
    __table_args__ = (sa.UniqueConstraint("response_id", "question_id", name="uq_answer_response_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    revision: Mapped[int] = mapped_column(default=1)
    evidence_level: Mapped[EvidenceLevel] = mapped_column(
        sa.Enum(EvidenceLevel, native_enum=False, length=20), default=EvidenceLevel.SELF_ATTESTED
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    response: Mapped[Response] = relationship(back_populates="answers")


class Attachment(db.Model):
    """An evidence file, stored outside static/ under a generated name."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(sa.String(20))
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship(back_populates="attachments")
