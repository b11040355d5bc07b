"""Creating and configuring evaluations."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app import audit
from app.extensions import db
from app.models import Evaluation, EvaluatorAssignment, QuestionnaireVersion, Role, SectionWeight, User
from app.models.base import utcnow
from app.questionnaires import store
from app.questionnaires.model import Section

MODALITIES = {"speech": "Speech and audio", "vision": "Images and video", "text": "Text"}


def evaluations_for(user: User) -> list[Evaluation]:
    """The evaluations a member of the buying organisation may open, newest first."""
    query = sa.select(Evaluation).where(Evaluation.organisation_id == user.organisation_id)
    if user.role == Role.EVALUATOR:
        query = query.where(
            Evaluation.id.in_(
                sa.select(EvaluatorAssignment.evaluation_id).where(EvaluatorAssignment.user_id == user.id)
            )
        )
    return list(db.session.scalars(query.order_by(Evaluation.deadline.desc(), Evaluation.id.desc())))


def create_evaluation(
    *,
    owner: User,
    questionnaire: QuestionnaireVersion,
    title: str,
    description: str,
    deadline: datetime,
    modalities: list[str],
    sealed: bool = True,
) -> Evaluation:
    """Open an evaluation with the questionnaire's default section weights."""
    evaluation = Evaluation(
        organisation_id=owner.organisation_id,
        questionnaire=questionnaire,
        title=title.strip(),
        description=description.strip(),
        deadline=deadline,
        modalities=sorted(set(modalities)),
        sealed=sealed,
        created_by_id=owner.id,
        requirements={},
    )
    definition = store.parsed(questionnaire)
    evaluation.section_weights = [
        SectionWeight(section_id=section.id, position=position, weight=float(section.weight))
        for position, section in enumerate(definition.sections)
    ]
    db.session.add(evaluation)
    db.session.flush()
    audit.record(
        "evaluation.created",
        actor=owner,
        evaluation_id=evaluation.id,
        details={"title": evaluation.title, "questionnaire": f"{questionnaire.key} v{questionnaire.version}"},
    )
    return evaluation


def active_sections(evaluation: Evaluation) -> list[Section]:
    """The questionnaire sections that apply to this evaluation's modalities."""
    from app.questionnaires.answers import visible_questions

    definition = store.parsed(evaluation.questionnaire)
    shown = {q.section_id for q in visible_questions(definition, evaluation.modalities, {})}
    return [section for section in definition.sections if section.id in shown]


MAX_DEADLINE_AHEAD = timedelta(days=2 * 366)


class DeadlineError(ValueError):
    """A deadline that cannot be set, with a message for the buyer."""


def check_deadline(evaluation: Evaluation | None, deadline: datetime, now: datetime | None = None) -> None:
    """The one rule for a new deadline, for the web form and the API alike.

    Always in the future and within two years. A sealed evaluation's deadline can only be extended
    while it is sealed, and never moves once its responses are open: moving it into the past would
    unseal the bids at will, and moving it back would let vendors answer after the buyer read them.
    """
    now = now or utcnow()
    if deadline <= now:
        raise DeadlineError(
            "The deadline must be in the future."
            + (
                " To read sealed responses now, use 'Open responses early'."
                if evaluation is not None and evaluation.sealed
                else ""
            )
        )
    if deadline > now + MAX_DEADLINE_AHEAD:
        raise DeadlineError("The deadline must be within two years from today.")
    if evaluation is None or not evaluation.sealed:
        return
    if evaluation.opened_early_at is not None or evaluation.deadline <= now:
        raise DeadlineError("The responses of this sealed evaluation are open; its deadline can no longer move.")
    if deadline < evaluation.deadline:
        raise DeadlineError(
            "A sealed evaluation's deadline can only be extended, not brought forward. "
            "To read the responses now, use 'Open responses early'."
        )


def move_deadline(evaluation: Evaluation, *, actor: User, deadline: datetime) -> bool:
    """Move the deadline within :func:`check_deadline`'s rule, recording it in the audit trail.

    Returns whether it moved (the caller then tells the vendors, once the change is stored).
    """
    if deadline == evaluation.deadline:
        return False
    check_deadline(evaluation, deadline)
    audit.record(
        "evaluation.deadline_moved",
        actor=actor,
        evaluation_id=evaluation.id,
        details={"from": evaluation.deadline.isoformat(), "to": deadline.isoformat()},
    )
    evaluation.deadline = deadline
    return True


def open_early(evaluation: Evaluation, *, actor: User, reason: str) -> datetime:
    """Open a sealed evaluation's responses before the deadline: an explicit, audited act.

    The evaluation closes to vendors at this moment (the deadline becomes now), so nobody can answer
    after the buyer read the other bids; every invited vendor is told (the caller sends the e-mails
    once this is stored). Returns the previous deadline.
    """
    now = utcnow()
    if not evaluation.sealed or evaluation.opened_early_at is not None or evaluation.deadline <= now:
        raise DeadlineError("Only a sealed evaluation before its deadline can be opened early.")
    if not reason.strip():
        raise DeadlineError("Say why the responses are opened before the deadline; vendors are told.")
    previous = evaluation.deadline
    evaluation.opened_early_at, evaluation.opened_early_by_id, evaluation.deadline = now, actor.id, now
    audit.record(
        "evaluation.opened_early",
        actor=actor,
        evaluation_id=evaluation.id,
        details={"deadline_was": previous.isoformat(), "opened_at": now.isoformat(), "reason": reason.strip()},
    )
    return previous


def assign_evaluator(evaluation: Evaluation, *, actor: User, evaluator: User, section_id: str, is_lead: bool) -> None:
    if not (evaluator.role == Role.EVALUATOR and evaluator.organisation_id == evaluation.organisation_id):
        raise ValueError("Only evaluators of your organisation can be assigned.")
    existing = db.session.scalar(
        sa.select(EvaluatorAssignment).where(
            EvaluatorAssignment.evaluation_id == evaluation.id,
            EvaluatorAssignment.user_id == evaluator.id,
            EvaluatorAssignment.section_id == section_id,
        )
    )
    if existing is None:
        existing = EvaluatorAssignment(evaluation=evaluation, user=evaluator, section_id=section_id)
        db.session.add(existing)
    existing.is_lead = is_lead
    db.session.flush()
    audit.record(
        "evaluation.evaluator_assigned",
        actor=actor,
        evaluation_id=evaluation.id,
        details={"evaluator": evaluator.id, "section": section_id or "all", "lead": is_lead},
    )


def evaluator_sections(evaluation: Evaluation, user: User) -> set[str] | None:
    """Sections this evaluator scores; None means every section."""
    scopes = {a.section_id for a in evaluation.assignments if a.user_id == user.id}
    if "" in scopes:
        return None
    return scopes
