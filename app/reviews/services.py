"""Blind scoring by evaluators, conflict-of-interest declarations and consensus."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app import audit, limits
from app.evaluations.services import evaluator_sections
from app.extensions import db
from app.models import ConflictDeclaration, ConsensusScore, Response, Score, User
from app.models.base import utcnow
from app.questionnaires import store
from app.questionnaires.answers import visible_questions


class ScoringError(ValueError):
    """A score that cannot be accepted, with a message for the evaluator."""


@dataclass(frozen=True)
class ScoreInput:
    value: int | None
    comment: str


def has_declared(response: Response, user: User) -> bool:
    return db.session.scalar(
        sa.select(ConflictDeclaration.id).where(
            ConflictDeclaration.response_id == response.id, ConflictDeclaration.user_id == user.id)
    ) is not None


def declare_no_conflict(response: Response, user: User) -> None:
    if not has_declared(response, user):
        db.session.add(ConflictDeclaration(response_id=response.id, user_id=user.id))
        audit.record("review.no_conflict_declared", actor=user, evaluation_id=response.evaluation_id,
                     subject=f"response:{response.id}")


def questions_in_scope(response: Response, user: User) -> list:
    """Every question shown to the vendor in the sections this evaluator is assigned to.

    The evaluator reads all of them (consistency findings, evidence levels); only the rubric-scored
    ones get a score from people (:func:`questions_to_score`).
    """
    questionnaire = store.parsed(response.questionnaire)
    answers = {a.question_id: a.value for a in response.answers}
    sections = evaluator_sections(response.evaluation, user)
    return [
        q for q in visible_questions(questionnaire, response.evaluation.modalities, answers)
        if sections is None or q.section_id in sections
    ]


def is_scored_by_people(question) -> bool:
    return not question.is_auto_scored and question.weight > 0


def questions_to_score(response: Response, user: User) -> list:
    """Rubric-scored questions of the sections this evaluator is assigned to."""
    return [q for q in questions_in_scope(response, user) if is_scored_by_people(q)]


def own_scores(response: Response, user: User) -> dict[str, Score]:
    rows = db.session.scalars(
        sa.select(Score).where(Score.response_id == response.id, Score.evaluator_id == user.id))
    return {score.question_id: score for score in rows}


def has_submitted(response: Response, user: User) -> bool:
    return any(score.submitted_at for score in own_scores(response, user).values())


def save_scores(response: Response, user: User, inputs: dict[str, ScoreInput], *, submit: bool) -> list[str]:
    """Store this evaluator's scores; when submitting every question needs a score.

    Returns the ids of questions still unscored (nothing is submitted then).
    """
    allowed = {q.id for q in questions_to_score(response, user)}
    existing = own_scores(response, user)
    if any(score.submitted_at for score in existing.values()):
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
        audit.record("review.scores_submitted", actor=user, evaluation_id=response.evaluation_id,
                     subject=f"response:{response.id}",
                     details={qid: score.value for qid, score in sorted(existing.items())})
    else:
        audit.record("review.scores_saved", actor=user, evaluation_id=response.evaluation_id,
                     subject=f"response:{response.id}",
                     details={qid: score.value for qid, score in sorted(existing.items())})
    return []


def submitted_scores(response: Response) -> dict[str, dict[int, Score]]:
    """Submitted scores by question, then by evaluator (the only scores anyone else may see)."""
    rows = db.session.scalars(
        sa.select(Score).where(Score.response_id == response.id, Score.submitted_at.is_not(None))
        .options(sa.orm.joinedload(Score.evaluator))
    )
    result: dict[str, dict[int, Score]] = {}
    for score in rows:
        result.setdefault(score.question_id, {})[score.evaluator_id] = score
    return result


def consensus_scores(response: Response) -> dict[str, ConsensusScore]:
    rows = db.session.scalars(sa.select(ConsensusScore).where(ConsensusScore.response_id == response.id))
    return {row.question_id: row for row in rows}


def set_consensus(response: Response, user: User, question_id: str, value: int, rationale: str) -> None:
    if not 0 <= value <= 4:
        raise ScoringError("A consensus score is a whole number from 0 to 4.")
    if not rationale.strip():
        raise ScoringError("Give the reason for the consensus score.")
    if len(rationale.strip()) > limits.CONSENSUS_RATIONALE:
        raise ScoringError(limits.too_long_message(limits.CONSENSUS_RATIONALE))
    row = consensus_scores(response).get(question_id)
    if row is None:
        row = ConsensusScore(response_id=response.id, question_id=question_id, value=value,
                             rationale=rationale.strip(), set_by_id=user.id)
        db.session.add(row)
    previous = None if row.id is None else row.value
    row.value, row.rationale, row.set_by_id = value, rationale.strip(), user.id
    db.session.flush()
    audit.record("review.consensus_set", actor=user, evaluation_id=response.evaluation_id,
                 subject=f"response:{response.id}:{question_id}",
                 details={"from": previous, "to": value, "rationale": row.rationale})
