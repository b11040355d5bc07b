"""Clarification questions: vendors ask, the buyer answers one vendor or publishes to all.

Who may see what is decided in app/permissions.py; ``entries_for`` turns the visible
questions into plain rows for the page, and is the one place that hides the asker from
other vendors, so no template can give it away by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import audit, permissions
from app.extensions import db
from app.models import Clarification, Evaluation, User
from app.models.base import utcnow


class ClarificationError(Exception):
    """A question or answer that cannot be accepted, with a message for the person."""


@dataclass(frozen=True)
class ClarificationEntry:
    """One clarification as a given reader may see it."""

    id: int
    asked_at: datetime
    asker: str
    question_id: str
    question: str
    # For readers who see the original: the reworded question every vendor read.
    published_as: str | None
    answer: str | None
    answered_at: datetime | None
    answered_by: str | None
    published: bool
    own: bool
    can_answer: bool


def ask(
    evaluation: Evaluation, *, user: User, question: str, question_id: str = "", now: datetime | None = None
) -> Clarification:
    """Record a vendor contact's question; refused once the deadline has passed."""
    if (now or utcnow()) >= evaluation.deadline:
        raise ClarificationError("The deadline has passed; questions can no longer be asked.")
    clarification = Clarification(
        evaluation_id=evaluation.id,
        vendor_organisation_id=user.organisation_id,
        asked_by_id=user.id,
        question_id=question_id or "",
        question=question.strip(),
    )
    db.session.add(clarification)
    db.session.flush()
    audit.record(
        "clarification.asked",
        actor=user,
        evaluation_id=evaluation.id,
        subject=f"clarification:{clarification.id}",
        details={"vendor_organisation": user.organisation_id, "question_id": question_id or None},
    )
    return clarification


def answer(clarification: Clarification, *, user: User, text: str, publish: bool, public_question: str = "") -> None:
    """Answer (or correct the answer to) a question, for the asking vendor or for every vendor.

    An answer once published stays published: the other vendors have already read it.
    """
    if clarification.published and not publish:
        raise ClarificationError("This answer was already sent to every vendor; it cannot be made private again.")
    previously = clarification.answer
    clarification.answer = text.strip()
    clarification.published = publish
    clarification.public_question = (public_question or clarification.question).strip() if publish else None
    clarification.answered_by_id = user.id
    clarification.answered_at = utcnow()
    db.session.flush()
    audit.record(
        "clarification.published" if publish else "clarification.answered",
        actor=user,
        evaluation_id=clarification.evaluation_id,
        subject=f"clarification:{clarification.id}",
        details={"audience": "all vendors" if publish else "asking vendor", "corrected": previously is not None},
    )


def entries_for(user: User, evaluation: Evaluation) -> list[ClarificationEntry]:
    """The clarifications this user may read, newest first, with the asker hidden where it must be."""
    query = sa.select(Clarification).where(Clarification.evaluation_id == evaluation.id)
    if not permissions.can_view_evaluation(user, evaluation):
        query = query.where(
            sa.or_(
                Clarification.vendor_organisation_id == user.organisation_id,
                sa.and_(Clarification.published.is_(True), Clarification.answered_at.is_not(None)),
            )
        )
    rows = db.session.scalars(query.order_by(Clarification.asked_at.desc(), Clarification.id.desc())).all()
    buyer_side = permissions.can_view_evaluation(user, evaluation)
    entries = []
    for row in rows:
        if not permissions.can_view_clarification(user, row):
            continue
        if permissions.can_see_clarification_asker(user, row):
            who = row.asked_by.display_name if row.asked_by else "a former contact"
            asker, question = f"{row.vendor_organisation.name} ({who})", row.question
            published_as = row.public_question if row.published and row.public_question != row.question else None
        else:
            asker, question, published_as = "A vendor", row.public_question or "", None
        entries.append(
            ClarificationEntry(
                id=row.id,
                asked_at=row.asked_at,
                asker=asker,
                question_id=row.question_id,
                question=question,
                published_as=published_as,
                answer=row.answer,
                answered_at=row.answered_at,
                answered_by=row.answered_by.display_name if buyer_side and row.answered_by else None,
                published=row.published,
                own=row.vendor_organisation_id == user.organisation_id,
                can_answer=permissions.can_answer_clarification(user, row),
            )
        )
    return entries
