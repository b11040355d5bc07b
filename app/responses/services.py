"""Saving, submitting and withdrawing a vendor's response."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult

from app import audit
from app.evaluations import pricing
from app.extensions import db
from app.models import Answer, Response, ResponseStatus, User
from app.models.base import utcnow
from app.questionnaires import store
from app.questionnaires.answers import missing_required, parse_answer, visible_questions
from app.questionnaires.model import Question, Questionnaire
from app.scoring.model import Requirements


class ResponseClosed(Exception):
    """The response cannot change any more (deadline passed or already submitted)."""


class SubmissionRefused(Exception):
    """Stored answers the evaluation cannot accept (e.g. a price in another unit); ``errors`` per question."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} answer(s) must be corrected before you can submit.")


@dataclass(frozen=True)
class Conflict:
    question_id: str
    yours: Any
    theirs: Any
    changed_by: str
    changed_at: datetime
    # The revision that now holds "theirs": saving again from it keeps "yours" deliberately.
    revision: int = 0


@dataclass
class SaveResult:
    saved: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts


def lock_for_change(response: Response) -> None:
    """Re-read the response under a row lock, so its saves, submission and withdrawal go one at a time.

    Without it a colleague's save could be accepted while the submission commits, changing a
    response after it was submitted (PostgreSQL; SQLite already lets one writer in at a time).
    """
    db.session.flush()
    db.session.refresh(response, with_for_update=True)


def check_open(response: Response, now: datetime | None = None) -> None:
    """Refuse changes after the deadline or once submitted, with a message for the vendor.

    Callers are about to change the response, so it is locked first (see ``lock_for_change``).
    """
    lock_for_change(response)
    now = now or utcnow()
    if now >= response.evaluation.deadline:
        raise ResponseClosed(
            f"The deadline passed on {response.evaluation.deadline:%d %b %Y at %H:%M} UTC; "
            "changes are no longer accepted. Your saved draft is kept."
        )
    if response.is_submitted:
        raise ResponseClosed("This response has been submitted. Withdraw it first to make changes.")


def answers_by_question(response: Response) -> dict[str, Answer]:
    rows = db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id))
    return {answer.question_id: answer for answer in rows}


def answer_values(response: Response) -> dict[str, Any]:
    return {qid: answer.value for qid, answer in answers_by_question(response).items()}


def evaluation_refusal(requirements: Requirements, question_id: str, value: Any) -> str | None:
    """Why an answer valid for its question is still refused by this evaluation, or None.

    The one such rule: prices are given in the evaluation's unit (PRICE-02), so every bid can be compared.
    Save and submission both ask here, whichever way the answer came in (editor, API, workbook).
    """
    if question_id == pricing.UNIT_QUESTION:
        return pricing.unit_refusal(requirements, value)
    return None


def fingerprint(value: Any) -> str:
    """A short digest of an answer value, so an editor can say which value it started from."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def save_answers(
    response: Response,
    *,
    user: User,
    raw: dict[str, Any],
    revisions: dict[str, int],
    now: datetime | None = None,
    started_from: dict[str, str] | None = None,
) -> SaveResult:
    """Validate and store the answers given; invalid ones are reported and left as they were.

    ``revisions`` are the revisions the editor started from: an answer someone else
    changed since then is not overwritten but reported as a conflict. ``started_from``
    holds the :func:`fingerprint` of each value as the editor showed it: a value the
    person left as it was is not theirs to save, so it never overwrites nor conflicts.
    """
    check_open(response, now)
    questionnaire = store.parsed(response.questionnaire)
    stored = answers_by_question(response)
    current_values = {qid: a.value for qid, a in stored.items()}
    visible = {q.id: q for q in visible_questions(questionnaire, response.evaluation.modalities, current_values)}
    requirements = Requirements.from_dict(response.evaluation.requirements or {})
    result = SaveResult()
    for question_id, raw_value in raw.items():
        question = visible.get(question_id)
        if question is None or question.type == "file":
            continue
        parsed = parse_answer(question, raw_value)
        if parsed.errors:
            result.errors[question_id] = [error.message for error in parsed.errors]
            continue
        refusal = evaluation_refusal(requirements, question_id, parsed.value)
        if refusal:
            result.errors[question_id] = [refusal]
            continue
        existing = stored.get(question_id)
        if existing is not None and existing.value == parsed.value:
            continue
        if existing is None and parsed.value is None:
            continue  # nothing stored, nothing given: no empty row
        if started_from and started_from.get(question_id) == fingerprint(parsed.value):
            continue  # shown and sent back unchanged: not this person's edit
        base_revision = revisions.get(question_id, 0)
        if _store_answer(response, existing, question_id, parsed.value, base_revision, user):
            result.saved.append(question_id)
        else:
            # The compare-and-set lost, so a colleague's row is there.
            theirs = db.session.scalars(
                sa.select(Answer).where(Answer.response_id == response.id, Answer.question_id == question_id)
            ).one()
            db.session.refresh(theirs)
            editor = db.session.get(User, theirs.updated_by_id) if theirs.updated_by_id else None
            result.conflicts.append(
                Conflict(
                    question_id,
                    parsed.value,
                    theirs.value,
                    editor.display_name if editor else "someone",
                    theirs.updated_at,
                    theirs.revision,
                )
            )
    if result.saved:
        response.updated_at = utcnow()
        db.session.flush()
        audit.record(
            "answer.saved",
            actor=user,
            evaluation_id=response.evaluation_id,
            subject=f"response:{response.id}",
            details={"questions": result.saved},
        )
    return result


def _store_answer(
    response: Response, existing: Answer | None, question_id: str, value: Any, base_revision: int, user: User
) -> bool:
    """Write one answer only if nobody changed it since ``base_revision`` (compare-and-set).

    The check happens in the database, so two concurrent saves cannot both win.
    """
    if existing is None:
        # Whatever revision the editor claims, there is no stored answer to protect; a colleague
        # inserting at the same moment still loses the race to the unique key and gets a conflict.
        try:
            with db.session.begin_nested():
                db.session.add(
                    Answer(
                        response_id=response.id, question_id=question_id, value=value, revision=1, updated_by_id=user.id
                    )
                )
        except sa.exc.IntegrityError:
            return False
        return True
    # An UPDATE without RETURNING gives a CursorResult, which the session's signature does not say.
    updated = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(Answer)
            .where(Answer.id == existing.id, Answer.revision == base_revision)
            .values(value=value, revision=Answer.revision + 1, updated_by_id=user.id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    if updated.rowcount != 1:
        return False
    db.session.expire(existing)
    return True


@dataclass(frozen=True)
class SectionProgress:
    """How far one section of the editor is answered."""

    answered: int
    total: int
    required_answered: int
    required: int

    @property
    def label(self) -> str:
        return f"{self.answered}/{self.total} answered · {self.required_answered}/{self.required} required"


def _answered(value: Any) -> bool:
    return value not in (None, "", [])


def section_progress(
    questionnaire: Questionnaire, questions: Sequence[Question], values: dict[str, Any]
) -> dict[str, SectionProgress]:
    """Answered and required counts per section, over the questions the vendor sees."""
    progress: dict[str, SectionProgress] = {}
    for section in questionnaire.sections:
        shown = [q for q in questions if q.section_id == section.id]
        if shown:
            required = [q for q in shown if q.required]
            progress[section.id] = SectionProgress(
                answered=sum(1 for q in shown if _answered(values.get(q.id))),
                total=len(shown),
                required_answered=sum(1 for q in required if _answered(values.get(q.id))),
                required=len(required),
            )
    return progress


def missing_for_submission(response: Response) -> list[Question]:
    questionnaire = store.parsed(response.questionnaire)
    missing = set(missing_required(questionnaire, answer_values(response), response.evaluation.modalities))
    return [q for q in questionnaire.questions if q.id in missing]


def refused_for_submission(response: Response) -> dict[str, list[str]]:
    """Stored answers the evaluation refuses (saved before the buyer changed the unit, for instance)."""
    requirements = Requirements.from_dict(response.evaluation.requirements or {})
    refused = {}
    for question_id, value in answer_values(response).items():
        refusal = evaluation_refusal(requirements, question_id, value)
        if refusal:
            refused[question_id] = [refusal]
    return refused


def submit(response: Response, *, user: User, now: datetime | None = None) -> list[Question]:
    """Submit the response; returns the required questions still missing (nothing is submitted then).

    Raises :class:`SubmissionRefused` when a stored answer is refused by the evaluation (a price in
    another unit), :class:`ResponseClosed` after the deadline or once submitted.
    """
    check_open(response, now)
    refused = refused_for_submission(response)
    if refused:
        raise SubmissionRefused(refused)
    missing = missing_for_submission(response)
    if missing:
        return missing
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = now or utcnow()
    audit.record(
        "response.submitted", actor=user, evaluation_id=response.evaluation_id, subject=f"response:{response.id}"
    )
    return []


def withdraw(response: Response, *, user: User, now: datetime | None = None) -> None:
    """Take a submitted response back to draft, allowed until the deadline."""
    lock_for_change(response)
    if (now or utcnow()) >= response.evaluation.deadline:
        raise ResponseClosed("The deadline has passed; a submitted response can no longer be withdrawn.")
    if not response.is_submitted:
        return
    response.status = ResponseStatus.DRAFT
    response.submitted_at = None
    audit.record(
        "response.withdrawn", actor=user, evaluation_id=response.evaluation_id, subject=f"response:{response.id}"
    )
