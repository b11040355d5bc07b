"""Per-evaluation settings of the scoring workflow: how price is scored and the AHP judgements."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class PriceFormula(enum.StrEnum):
    """Absolute scores each vendor against the buyer's budget; relative against the cheapest bid."""

    ABSOLUTE = "absolute"
    RELATIVE = "relative"


class ScoringSettings(db.Model):
    """One row per evaluation, created the first time the buyer changes price or AHP settings.

    The price criterion's weight is not kept here: it sits with the section weights (pseudo-section
    ``_price``) so every weight of the evaluation is changed, normalised and audited in one place.
    """

    __tablename__ = "scoring_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"), unique=True)
    price_formula: Mapped[PriceFormula] = mapped_column(
        sa.Enum(PriceFormula, native_enum=False, length=20), default=PriceFormula.ABSOLUTE
    )
    # The percentage question holding the vendor's own rejection rate (questionnaires differ).
    rejection_question_id: Mapped[str | None] = mapped_column(sa.String(20))
    # Last AHP judgements the buyer applied: {"coverage|privacy": "3", ...} (ratio first over second).
    ahp_judgements: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ahp_weights: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ahp_cr: Mapped[float | None]
    ahp_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
