"""Blind scoring by evaluators, conflict-of-interest declarations and consensus."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app import audit, limits, permissions
from app.evaluations.services import evaluator_sections
from app.extensions import db
from app.models import ConflictDeclaration, ConsensusScore, EvidenceMark, Response, Score, User
from app.models.base import utcnow
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.questionnaires.model import Question
from app.reviews.verification import publish_evidence_marks


class ScoringError(ValueError):
    """A score that cannot be accepted, with a message for the evaluator."""


class ScoringClosedError(ScoringError):
    """The buyer closed scoring (app.evaluations.closing): the results are frozen, so a score changed
    now would show nowhere."""

    def __init__(self) -> None:
        super().__init__(
            "Scoring of this evaluation is closed: its results are frozen and scores can no longer change."
        )


@dataclass(frozen=True)
class ScoreInput:
    value: int | None
    comment: str


def declare_no_conflict(response: Response, user: User) -> None:
    """State that the evaluator has no conflict of interest with this vendor (needed to read it)."""
    existing = permissions.declaration_of(user, response)
    if existing is not None:
        if existing.has_conflict:
            raise ScoringError(
                "You declared a conflict of interest with this vendor; ask the buyer to assign someone else."
            )
        return
    response.declarations.append(ConflictDeclaration(user_id=user.id, has_conflict=False))
    db.session.flush()
    audit.record(
        "review.no_conflict_declared",
        actor=user,
        evaluation_id=response.evaluation_id,
        subject=f"response:{response.id}",
    )


def declare_conflict(response: Response, user: User, reason: str) -> None:
    """Declare a conflict of interest: the evaluator is recused from this response, and their
    unsubmitted scores and evidence marks for it are discarded."""
    if not reason.strip():
        raise ScoringError("Say what the conflict of interest is (for example: a former employer).")
    if len(reason.strip()) > limits.CONFLICT_REASON:
        raise ScoringError(limits.too_long_message(limits.CONFLICT_REASON))
    existing = permissions.declaration_of(user, response)
    if existing is not None and existing.review_submitted_at is not None:
        raise ScoringError("Your review of this response is submitted; ask the buyer to set it aside.")
    if existing is None:
        existing = ConflictDeclaration(user_id=user.id)
        response.declarations.append(existing)
    existing.has_conflict, existing.reason, existing.declared_at = True, reason.strip(), utcnow()
    db.session.execute(sa.delete(Score).where(Score.response_id == response.id, Score.evaluator_id == user.id))
    db.session.execute(
        sa.delete(EvidenceMark).where(EvidenceMark.response_id == response.id, EvidenceMark.evaluator_id == user.id)
    )
    db.session.flush()
    audit.record(
        "review.conflict_declared",
        actor=user,
        evaluation_id=response.evaluation_id,
        subject=f"response:{response.id}",
        details={"reason": existing.reason},
    )


def questions_in_scope(response: Response, user: User) -> list[Question]:
    """Every question shown to the vendor in the sections this evaluator is assigned to.

    The evaluator reads all of them (consistency findings, evidence levels); only the rubric-scored
    ones get a score from people (:func:`questions_to_score`).
    """
    questionnaire = store.parsed(response.questionnaire)
    answers = {a.question_id: a.value for a in response.answers}
    sections = evaluator_sections(response.evaluation, user)
    return [
        q
        for q in visible_questions(questionnaire, response.evaluation.modalities, answers)
        if sections is None or q.section_id in sections
    ]


def is_scored_by_people(question: Question) -> bool:
    return not question.is_auto_scored and question.weight > 0


def questions_to_score(response: Response, user: User) -> list[Question]:
    """Rubric-scored questions of the sections this evaluator is assigned to."""
    return [q for q in questions_in_scope(response, user) if is_scored_by_people(q)]


def own_scores(response: Response, user: User) -> dict[str, Score]:
    rows = db.session.scalars(sa.select(Score).where(Score.response_id == response.id, Score.evaluator_id == user.id))
    return {score.question_id: score for score in rows}


def save_scores(response: Response, user: User, inputs: dict[str, ScoreInput], *, submit: bool) -> list[str]:
    """Store this evaluator's scores; when submitting every question needs a score.

    Returns the ids of questions still unscored (nothing is submitted then).
    """
    if permissions.is_scoring_closed(response.evaluation):
        raise ScoringClosedError()
    allowed = {q.id for q in questions_to_score(response, user)}
    existing = own_scores(response, user)
    review = permissions.declaration_of(user, response)
    if review is None or review.has_conflict:
        raise ScoringError("Declare that you have no conflict of interest with this vendor first.")
    if review.review_submitted_at is not None:
        raise ScoringError("Your scores for this response are submitted and can no longer change.")
    for question_id, given in inputs.items():
        if question_id not in allowed:
            continue
        if given.value is not None and not 0 <= given.value <= 4:
            raise ScoringError(f"{question_id}: a score is a whole number from 0 to 4.")
        score = existing.get(question_id)
        if given.value is None:
            if score is not None:
                db.session.delete(score)
                del existing[question_id]
            continue
        if score is None:
            score = Score(response_id=response.id, question_id=question_id, evaluator_id=user.id, value=given.value)
            db.session.add(score)
            existing[question_id] = score
        score.value = given.value
        score.comment = given.comment.strip()
    db.session.flush()
    missing = sorted(allowed - set(existing))
    if submit:
        if missing:
            return missing
        now = utcnow()
        for score in existing.values():
            score.submitted_at = now
        review.review_submitted_at = now
        db.session.flush()
        publish_evidence_marks(response)
        audit.record(
            "review.scores_submitted",
            actor=user,
            evaluation_id=response.evaluation_id,
            subject=f"response:{response.id}",
            details={qid: score.value for qid, score in sorted(existing.items())},
        )
    else:
        audit.record(
            "review.scores_saved",
            actor=user,
            evaluation_id=response.evaluation_id,
            subject=f"response:{response.id}",
            details={qid: score.value for qid, score in sorted(existing.items())},
        )
    return []


def submitted_scores(response: Response) -> dict[str, dict[int, Score]]:
    """Submitted scores by question, then by evaluator (the only scores anyone else may see)."""
    rows = db.session.scalars(
        sa.select(Score)
        .where(Score.response_id == response.id, Score.submitted_at.is_not(None))
        .options(sa.orm.joinedload(Score.evaluator))
    )
    result: dict[str, dict[int, Score]] = {}
    for score in rows:
        result.setdefault(score.question_id, {})[score.evaluator_id] = score
    return result


@dataclass(frozen=True)
class ScoreSummary:
    """What the evaluators gave one answer, for the lead choosing a consensus."""

    values: tuple[int, ...]
    mean: float
    median: float


def score_summary(per_evaluator: dict[int, Score]) -> ScoreSummary:
    values = tuple(sorted(score.value for score in per_evaluator.values()))
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return ScoreSummary(values, sum(values) / len(values), float(median))


def consensus_scores(response: Response) -> dict[str, ConsensusScore]:
    rows = db.session.scalars(sa.select(ConsensusScore).where(ConsensusScore.response_id == response.id))
    return {row.question_id: row for row in rows}


def set_consensus(response: Response, user: User, question_id: str, value: int | None, rationale: str) -> None:
    """Record the lead's consensus score for one question, with the reason (audited).

    Only questions with submitted scores take a consensus; there is no default value.
    """
    if permissions.is_scoring_closed(response.evaluation):
        raise ScoringClosedError()
    if question_id not in submitted_scores(response):
        raise ScoringError(f"No evaluator has submitted a score for {question_id} yet.")
    if value is None:
        raise ScoringError("Choose the consensus score (0 to 4).")
    if not 0 <= value <= 4:
        raise ScoringError("A consensus score is a whole number from 0 to 4.")
    if not rationale.strip():
        raise ScoringError("Give the reason for the consensus score.")
    if len(rationale.strip()) > limits.CONSENSUS_RATIONALE:
        raise ScoringError(limits.too_long_message(limits.CONSENSUS_RATIONALE))
    row = consensus_scores(response).get(question_id)
    if row is None:
        row = ConsensusScore(
            response_id=response.id,
            question_id=question_id,
            value=value,
            rationale=rationale.strip(),
            set_by_id=user.id,
        )
        db.session.add(row)
    previous = None if row.id is None else row.value
    row.value, row.rationale, row.set_by_id = value, rationale.strip(), user.id
    db.session.flush()
    audit.record(
        "review.consensus_set",
        actor=user,
        evaluation_id=response.evaluation_id,
        subject=f"response:{response.id}:{question_id}",
        details={"from": previous, "to": value, "rationale": row.rationale},
    )
