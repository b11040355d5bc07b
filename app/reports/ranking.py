"""From stored answers and scores to the explained ranking of an evaluation.

This module gathers plain data from the database (a fixed number of queries,
whatever the number of vendors) and hands it to the pure engine in ``app.scoring``.
The result is plain data too, for pages, PDF and spreadsheets alike.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import mean

import sqlalchemy as sa

from app.evaluations.services import active_sections
from app.extensions import db
from app.models import Answer, ConsensusScore, Evaluation, Organisation, Response, ResponseStatus, Score, SectionWeight
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.scoring.aggregate import Failure, MustHave, QuestionSpec, SectionScore, SectionSpec, rank, score_response
from app.scoring.autoscorers import get_scorer
from app.scoring.model import Requirements


@dataclass(frozen=True)
class QuestionResult:
    """How one question of one vendor was scored, for the "explain this number" view."""

    question_id: str
    text: str
    section_id: str
    method: str          # "auto: coverage", "consensus", "mean of 2 evaluators", "not scored yet"
    score: float | None  # 0..4
    points: float        # contribution to the 0..100 total
    explanation: str


@dataclass(frozen=True)
class VendorResult:
    response_id: int
    vendor: str
    total: float
    rank: int | None
    sections: tuple[SectionScore, ...]
    questions: tuple[QuestionResult, ...]
    failures: tuple[Failure, ...]
    scored_by_people: int
    awaiting_people: int

    @property
    def disqualified(self) -> bool:
        return bool(self.failures)


@dataclass(frozen=True)
class EvaluationResults:
    evaluation_id: int
    title: str
    buyer: str
    questionnaire: str
    sections: tuple[SectionSpec, ...]
    ranked: tuple[VendorResult, ...]
    disqualified: tuple[VendorResult, ...]
    not_submitted: tuple[str, ...]

    def vendor(self, response_id: int) -> VendorResult | None:
        return next((v for v in self.ranked + self.disqualified if v.response_id == response_id), None)


def _must_have(question) -> MustHave | None:
    rule = question.must_have
    if rule is None:
        return None
    return MustHave(reason=rule.reason, equals=rule.equals, one_of=rule.one_of, min_score=rule.min_score)


def _people_score(question_id: str, consensus: dict, scores: list[int]) -> tuple[float | None, str, str]:
    if question_id in consensus:
        row = consensus[question_id]
        return float(row.value), "consensus", row.rationale
    if scores:
        return mean(scores), f"mean of {len(scores)} evaluator{'s' if len(scores) > 1 else ''}", \
            ", ".join(str(s) for s in scores)
    return None, "not scored yet", "No evaluator has submitted a score; counts 0 until one does."


def compute_results(evaluation: Evaluation) -> EvaluationResults:
    """Score every submitted response of the evaluation and rank the vendors."""
    questionnaire = store.parsed(evaluation.questionnaire)
    requirements = Requirements.from_dict(evaluation.requirements or {})
    applicable = {section.id for section in active_sections(evaluation)}
    weights = dict(db.session.execute(
        sa.select(SectionWeight.section_id, SectionWeight.weight).where(SectionWeight.evaluation_id == evaluation.id)
    ).all())
    section_specs = tuple(
        SectionSpec(id=s.id, title=s.title, weight=weights.get(s.id, s.weight))
        for s in questionnaire.sections if s.id in applicable
    )
    responses = db.session.execute(
        sa.select(Response.id, Response.status, Organisation.name)
        .join(Organisation, Organisation.id == Response.vendor_organisation_id)
        .where(Response.evaluation_id == evaluation.id).order_by(Response.id)
    ).all()
    submitted = {rid: name for rid, status, name in responses if status == ResponseStatus.SUBMITTED}
    not_submitted = tuple(name for rid, status, name in responses if status != ResponseStatus.SUBMITTED)

    answers: dict[int, dict[str, object]] = defaultdict(dict)
    for rid, qid, value in db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.value).where(Answer.response_id.in_(submitted))
    ):
        answers[rid][qid] = value
    people: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for rid, qid, value in db.session.execute(
        sa.select(Score.response_id, Score.question_id, Score.value)
        .where(Score.response_id.in_(submitted), Score.submitted_at.is_not(None))
        .order_by(Score.evaluator_id)
    ):
        people[rid][qid].append(value)
    consensus: dict[int, dict[str, ConsensusScore]] = defaultdict(dict)
    for row in db.session.scalars(sa.select(ConsensusScore).where(ConsensusScore.response_id.in_(submitted))):
        consensus[row.response_id][row.question_id] = row

    results, details = {}, {}
    for rid, vendor in submitted.items():
        given = answers[rid]
        questions = [
            q for q in visible_questions(questionnaire, evaluation.modalities, given)
            if q.section_id in applicable and q.weight > 0
        ]
        scores: dict[str, float | None] = {}
        explained: dict[str, tuple[str, str]] = {}
        by_people = awaiting = 0
        for q in questions:
            if q.is_auto_scored:
                outcome = get_scorer(q.scoring.auto)(given.get(q.id), q.scoring.params, requirements)
                scores[q.id] = outcome.score
                explained[q.id] = (f"auto: {q.scoring.auto}", outcome.explanation)
            else:
                value, method, why = _people_score(q.id, consensus[rid], people[rid].get(q.id, []))
                scores[q.id] = value
                explained[q.id] = (method, why)
                by_people += value is not None
                awaiting += value is None
        specs = [QuestionSpec(q.id, q.section_id, q.weight, _must_have(q)) for q in questions]
        outcome = score_response(section_specs, specs, scores, given)
        results[rid] = outcome
        texts = {q.id: q.text for q in questions}
        details[rid] = (vendor, tuple(
            QuestionResult(c.question_id, texts[c.question_id], c.section_id, explained[c.question_id][0],
                           c.score, c.points, explained[c.question_id][1])
            for c in outcome.contributions
        ), by_people, awaiting)

    ranking = rank(results)

    def vendor_result(rid: int, position: int | None) -> VendorResult:
        vendor, question_results, by_people, awaiting = details[rid]
        outcome = results[rid]
        return VendorResult(rid, vendor, outcome.total, position, outcome.sections, question_results,
                            outcome.disqualified, by_people, awaiting)

    return EvaluationResults(
        evaluation_id=evaluation.id, title=evaluation.title, buyer=evaluation.organisation.name,
        questionnaire=f"{evaluation.questionnaire.title} v{evaluation.questionnaire.version}",
        sections=section_specs,
        ranked=tuple(vendor_result(r.key, r.rank) for r in ranking.ranked),
        disqualified=tuple(vendor_result(key, None) for key, _ in ranking.disqualified),
        not_submitted=not_submitted,
    )
