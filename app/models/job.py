"""Background jobs (report packs, sample analyses) and their progress."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """Long work done outside the request; its result file is kept until downloaded."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    kind: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    evaluation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        sa.Enum(JobStatus, native_enum=False, length=20), default=JobStatus.QUEUED
    )
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    result_file: Mapped[str | None] = mapped_column(sa.String(100))
    result_name: Mapped[str | None] = mapped_column(sa.String(200))
    result_mimetype: Mapped[str | None] = mapped_column(sa.String(100))
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
