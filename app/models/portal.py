"""The vendor portal's own records: clarification questions and the reminders already sent."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.evaluation import Evaluation
from app.models.people import Organisation, User


class Clarification(db.Model):
    """A vendor's question about an evaluation, and the buyer's answer.

    An answer goes to the asking vendor alone, or, when ``published``, to every invited
    vendor; other vendors then see ``public_question`` (which the buyer may reword so
    it does not give the asker away) and never who asked.
    """

    __tablename__ = "clarification"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    vendor_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    # The questionnaire question it is about, empty for a question about the evaluation as a whole.
    question_id: Mapped[str] = mapped_column(sa.String(20), default="")
    question: Mapped[str] = mapped_column(sa.Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    public_question: Mapped[str | None] = mapped_column(sa.Text)
    published: Mapped[bool] = mapped_column(default=False)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    evaluation: Mapped[Evaluation] = relationship()
    vendor_organisation: Mapped[Organisation] = relationship()
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class SentReminder(db.Model):
    """One deadline reminder sent for one response; the unique key makes each reminder go out once.

    The deadline is part of the key: when the buyer moves it, reminders start afresh.
    """

    __tablename__ = "sent_reminder"
    __table_args__ = (sa.UniqueConstraint("response_id", "days_before", "deadline", name="uq_sent_reminder_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"), index=True)
    days_before: Mapped[int]
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
