"""Creating and configuring evaluations."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import Evaluation, EvaluatorAssignment, QuestionnaireVersion, Role, SectionWeight, User
from app.questionnaires import store

MODALITIES = {"speech": "Speech and audio", "vision": "Images and video", "text": "Text"}


def evaluations_for(user: User) -> list[Evaluation]:
    """The evaluations a member of the buying organisation may open, newest first."""
    query = sa.select(Evaluation).where(Evaluation.organisation_id == user.organisation_id)
    if user.role == Role.EVALUATOR:
        query = query.where(
            Evaluation.id.in_(sa.select(EvaluatorAssignment.evaluation_id).where(EvaluatorAssignment.user_id == user.id))
        )
    return list(db.session.scalars(query.order_by(Evaluation.deadline.desc(), Evaluation.id.desc())))


def create_evaluation(
    *, owner: User, questionnaire: QuestionnaireVersion, title: str, description: str,
    deadline: datetime, modalities: list[str], sealed: bool = True,
) -> Evaluation:
    """Open an evaluation with the questionnaire's default section weights."""
    evaluation = Evaluation(
        organisation_id=owner.organisation_id, questionnaire=questionnaire, title=title.strip(),
        description=description.strip(), deadline=deadline, modalities=sorted(set(modalities)),
        sealed=sealed, created_by_id=owner.id, requirements={},
    )
    definition = store.parsed(questionnaire)
    evaluation.section_weights = [
        SectionWeight(section_id=section.id, position=position, weight=float(section.weight))
        for position, section in enumerate(definition.sections)
    ]
    db.session.add(evaluation)
    db.session.flush()
    audit.record("evaluation.created", actor=owner, evaluation_id=evaluation.id,
                 details={"title": evaluation.title, "questionnaire": f"{questionnaire.key} v{questionnaire.version}"})
    return evaluation


def active_sections(evaluation: Evaluation) -> list:
    """The questionnaire sections that apply to this evaluation's modalities."""
    from app.questionnaires.answers import visible_questions

    definition = store.parsed(evaluation.questionnaire)
    shown = {q.section_id for q in visible_questions(definition, evaluation.modalities, {})}
    return [section for section in definition.sections if section.id in shown]


def move_deadline(evaluation: Evaluation, *, actor: User, deadline: datetime) -> None:
    """Move the deadline (earlier or later), recording the change in the audit trail."""
    if deadline == evaluation.deadline:
        return
    audit.record("evaluation.deadline_moved", actor=actor, evaluation_id=evaluation.id,
                 details={"from": evaluation.deadline.isoformat(), "to": deadline.isoformat()})
    evaluation.deadline = deadline


def assign_evaluator(evaluation: Evaluation, *, actor: User, evaluator: User, section_id: str, is_lead: bool) -> None:
    if not (evaluator.role == Role.EVALUATOR and evaluator.organisation_id == evaluation.organisation_id):
        raise ValueError("Only evaluators of your organisation can be assigned.")
    existing = db.session.scalar(
        sa.select(EvaluatorAssignment).where(
            EvaluatorAssignment.evaluation_id == evaluation.id, EvaluatorAssignment.user_id == evaluator.id,
            EvaluatorAssignment.section_id == section_id,
        )
    )
    if existing is None:
        existing = EvaluatorAssignment(evaluation=evaluation, user=evaluator, section_id=section_id)
        db.session.add(existing)
    existing.is_lead = is_lead
    db.session.flush()
    audit.record("evaluation.evaluator_assigned", actor=actor, evaluation_id=evaluation.id,
                 details={"evaluator": evaluator.id, "section": section_id or "all", "lead": is_lead})


def evaluator_sections(evaluation: Evaluation, user: User) -> set[str] | None:
    """Sections this evaluator scores; None means every section."""
    scopes = {a.section_id for a in evaluation.assignments if a.user_id == user.id}
    if "" in scopes:
        return None
    return scopes
