"""The comparison pack's appendices as plain data: methodology (weights, scoring rules, evaluators)
and a summary of the evaluation's audit trail."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.audit import verify_chain
from app.evaluations.services import active_sections
from app.extensions import db
from app.models import AuditEvent, ConflictDeclaration, Evaluation, Response, Score
from app.questionnaires import store
from app.questionnaires.model import DEFAULT_RUBRIC
from app.reports.comparison import Comparison
from app.reports.ranking import describe_rule
from app.scoring.autoscorers import REQUIREMENT_CHECKS
from app.scoring.scorer_registry import SCORER_TITLES

RECENT_EVENTS = 20


@dataclass(frozen=True)
class SectionWeightLine:
    title: str
    weight: float
    share: float


@dataclass(frozen=True)
class ScoringRule:
    question_id: str
    text: str
    section: str
    weight: float
    method: str
    must_have: str | None


@dataclass(frozen=True)
class EvaluatorLine:
    name: str
    role: str  # "lead evaluator" or "evaluator"
    scope: str  # "all sections" or the section titles
    scores_submitted: int
    declarations: int


@dataclass(frozen=True)
class Methodology:
    sections: tuple[SectionWeightLine, ...]
    rules: tuple[ScoringRule, ...]
    rubric: tuple[tuple[int, str], ...]
    evaluators: tuple[EvaluatorLine, ...]


@dataclass(frozen=True)
class AuditActionLine:
    action: str
    count: int
    first: str
    last: str


@dataclass(frozen=True)
class AuditEventLine:
    at: str
    actor: str
    action: str
    subject: str


@dataclass(frozen=True)
class AuditSummary:
    events: int
    actions: tuple[AuditActionLine, ...]
    recent: tuple[AuditEventLine, ...]
    chain_intact: bool
    chain_message: str


def _scorer_rule(question) -> str:
    """An automatic rule in the buyer's words, with the questionnaire's own numbers and option labels."""
    name = question.scoring.auto
    return f"automatic ({SCORER_TITLES.get(name, name.replace('_', ' '))}): {describe_rule(question)}"


NOT_SCORED_RULE = (
    "; not scored (left out of its section's average, with the reason) when the buyer set no target it needs"
)


def _follow_up_rule(question) -> str:
    rule = ""
    if question.is_auto_scored and question.scoring.auto in REQUIREMENT_CHECKS:
        rule += NOT_SCORED_RULE
    condition = question.visible_if.answer if question.visible_if else None
    if condition is not None:
        rule += f"; scores 0, the minimum, when the answer to {condition.question} hides it"
    return rule


def methodology(evaluation: Evaluation, comparison: Comparison) -> Methodology:
    """Weights, the rule behind every scored question, the rubric and who scored."""
    questionnaire = store.parsed(evaluation.questionnaire)
    shares = {row.section_id: row.weight_share for row in comparison.sections}
    sections = tuple(SectionWeightLine(s.title, s.weight, shares.get(s.id, 0.0)) for s in comparison.results.sections)
    applicable = {s.id for s in active_sections(evaluation)}
    titles = {s.id: s.title for s in questionnaire.sections}
    rules = tuple(
        ScoringRule(
            q.id,
            q.text,
            titles[q.section_id],
            q.weight,
            (
                _scorer_rule(q)
                if q.is_auto_scored
                else "rubric 0-4 by evaluators: the lead's consensus where set, else the evaluators' mean"
            )
            + _follow_up_rule(q),
            q.must_have.reason if q.must_have else None,
        )
        for q in questionnaire.questions
        if q.section_id in applicable and (q.weight > 0 or q.must_have is not None)
    )
    response_ids = sa.select(Response.id).where(Response.evaluation_id == evaluation.id)
    submitted = Counter(
        db.session.scalars(
            sa.select(Score.evaluator_id).where(Score.response_id.in_(response_ids), Score.submitted_at.is_not(None))
        )
    )
    declared = Counter(
        db.session.scalars(
            sa.select(ConflictDeclaration.user_id).where(ConflictDeclaration.response_id.in_(response_ids))
        )
    )
    scopes: dict[int, list] = defaultdict(list)
    for assignment in evaluation.assignments:
        scopes[assignment.user_id].append(assignment)
    evaluators = []
    for user_id, assignments in scopes.items():
        user = assignments[0].user
        scope = (
            "all sections"
            if any(not a.section_id for a in assignments)
            else ", ".join(titles.get(a.section_id, a.section_id) for a in assignments)
        )
        evaluators.append(
            EvaluatorLine(
                user.name or user.email,
                "lead evaluator" if any(a.is_lead for a in assignments) else "evaluator",
                scope,
                submitted[user_id],
                declared[user_id],
            )
        )
    evaluators.sort(key=lambda e: (e.role != "lead evaluator", e.name))
    return Methodology(sections, rules, tuple(sorted(DEFAULT_RUBRIC.items())), tuple(evaluators))


def _when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%d %b %Y %H:%M} {local.tzname()}"


def audit_summary(evaluation: Evaluation, zone: ZoneInfo) -> AuditSummary:
    """How many of each kind of event the evaluation's trail holds, the latest events, and whether the
    hash chain of the whole trail verifies."""
    per_action = db.session.execute(
        sa.select(AuditEvent.action, sa.func.count(), sa.func.min(AuditEvent.at), sa.func.max(AuditEvent.at))
        .where(AuditEvent.evaluation_id == evaluation.id)
        .group_by(AuditEvent.action)
        .order_by(AuditEvent.action)
    ).all()
    recent = db.session.execute(
        sa.select(AuditEvent.at, AuditEvent.actor_label, AuditEvent.action, AuditEvent.subject)
        .where(AuditEvent.evaluation_id == evaluation.id)
        .order_by(AuditEvent.id.desc())
        .limit(RECENT_EVENTS)
    ).all()
    report = verify_chain()
    return AuditSummary(
        events=sum(count for _, count, _, _ in per_action),
        actions=tuple(
            AuditActionLine(action, count, _when(_aware(first), zone), _when(_aware(last), zone))
            for action, count, first, last in per_action
        ),
        recent=tuple(
            AuditEventLine(_when(_aware(at), zone), actor or "system", action, subject)
            for at, actor, action, subject in recent
        ),
        chain_intact=report.ok,
        chain_message=(
            f"intact: all {report.events} events of the trail verified" if report.ok else f"BROKEN: {report.reason}"
        ),
    )


def _aware(moment: datetime) -> datetime:
    # SQL aggregates (min/max) bypass the column type and come back naive from SQLite; they are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
