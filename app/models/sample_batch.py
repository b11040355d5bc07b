"""Sample batches: the buyer asks for pilot data per modality, the vendor uploads it, DataVet measures it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.evaluation import Evaluation
from app.models.response import Response

# The batch's modality in the measuring core's words, keyed by the evaluation's modality.
BATCH_MODALITY = {"speech": "audio", "vision": "image", "text": "text"}


class BatchStatus(enum.StrEnum):
    ANALYSING = "analysing"
    ANALYSED = "analysed"
    FAILED = "failed"


class SampleBatchRequirement(db.Model):
    """The buyer requires every vendor of the evaluation to send a sample batch of this modality."""

    __tablename__ = "sample_batch_requirement"
    __table_args__ = (
        sa.UniqueConstraint("evaluation_id", "modality", name="uq_sample_batch_requirement_evaluation_modality"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    modality: Mapped[str] = mapped_column(sa.String(10))  # audio | image | text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evaluation: Mapped[Evaluation] = relationship()


class SampleBatch(db.Model):
    """One uploaded archive (metadata CSV + items) of one modality for one response.

    The archive is kept outside static/ under ``stored_name`` with its SHA-256; ``report`` is the
    measuring core's ``BatchReport.to_dict()``. ``verified_answers`` remembers, per question id, the
    evidence level an answer had before this batch marked it verified, so a later batch can undo it.
    """

    __tablename__ = "sample_batch"
    __table_args__ = (sa.UniqueConstraint("response_id", "modality", name="uq_sample_batch_response_modality"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"), index=True)
    modality: Mapped[str] = mapped_column(sa.String(10))
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    metadata_file: Mapped[str] = mapped_column(sa.String(500))  # path of the CSV inside the archive
    files: Mapped[int] = mapped_column(default=0)
    status: Mapped[BatchStatus] = mapped_column(
        sa.Enum(BatchStatus, native_enum=False, length=20), default=BatchStatus.ANALYSING
    )
    job_id: Mapped[str | None] = mapped_column(sa.String(32))
    report: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    verified_answers: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    analysed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    response: Mapped[Response] = relationship()
