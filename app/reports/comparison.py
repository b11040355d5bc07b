"""The comparison of all vendors of an evaluation, as plain data for the page, the PDF pack and exports.

Built on :func:`app.reports.ranking.compute_results` (the same numbers as the ranking page) plus what
only a side-by-side view needs: section and criterion matrices, the coverage heatmap, must-have
status, robustness of the winner and evaluator agreement (from :mod:`app.reviews.agreement`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from app.evaluations.services import active_sections
from app.extensions import db
from app.models import Answer, Attachment, Evaluation
from app.questionnaires import store
from app.reports.coverage import CoverageHeatmap, build_heatmap, coverage_question, heat_class
from app.reports.ranking import EvaluationResults, QuestionResult, VendorResult, compute_results
from app.reports.sensitivity import Robustness, assess
from app.reviews.agreement import EvaluationAgreement, evaluation_agreement
from app.scoring.model import Requirements


@dataclass(frozen=True)
class SectionRow:
    """One section across the vendor columns: each vendor's 0..100 score (None if not scored)."""

    section_id: str
    title: str
    weight_share: float
    scores: tuple[float | None, ...]


@dataclass(frozen=True)
class CriterionCell:
    score: float | None  # 0..4
    method: str
    heat: int  # 0..10, for the CSS class
    evidence_files: int


@dataclass(frozen=True)
class CriterionRow:
    question_id: str
    text: str
    section_id: str
    cells: tuple[CriterionCell | None, ...]  # None: the question was not shown to that vendor


@dataclass(frozen=True)
class MustHaveRow:
    question_id: str
    text: str
    reason: str
    statuses: tuple[str, ...]  # "met", "not asked", or "failed: <what was wrong>"


@dataclass(frozen=True)
class Comparison:
    results: EvaluationResults
    vendors: tuple[VendorResult, ...]  # columns: ranked vendors in rank order, then those set apart
    sections: tuple[SectionRow, ...]
    criteria: tuple[CriterionRow, ...]
    must_haves: tuple[MustHaveRow, ...]
    coverage: CoverageHeatmap
    robustness: Robustness | None  # None when built for a single scorecard (confidence=False)
    agreement: EvaluationAgreement | None

    @property
    def winner(self) -> VendorResult | None:
        return self.results.ranked[0] if self.results.ranked else None


def _section_rows(results: EvaluationResults, vendors: tuple[VendorResult, ...]) -> tuple[SectionRow, ...]:
    rows = []
    for spec in results.sections:
        per_vendor = [next((s for s in v.sections if s.id == spec.id), None) for v in vendors]
        share = next((s.weight_share for s in per_vendor if s is not None), 0.0)
        rows.append(SectionRow(spec.id, spec.title, share, tuple(None if s is None else s.score for s in per_vendor)))
    return tuple(rows)


def _criteria(questionnaire, vendors: tuple[VendorResult, ...], evidence: Counter) -> tuple[CriterionRow, ...]:
    by_vendor = [{q.question_id: q for q in v.questions} for v in vendors]
    rows = []
    for question in questionnaire.questions:
        found: list[QuestionResult | None] = [scored.get(question.id) for scored in by_vendor]
        if not any(found):
            continue
        cells = tuple(
            None
            if q is None
            else CriterionCell(
                q.score, q.method, heat_class((q.score or 0.0) / 4.0), evidence[(v.response_id, q.question_id)]
            )
            for q, v in zip(found, vendors, strict=True)
        )
        rows.append(CriterionRow(question.id, question.text, question.section_id, cells))
    return tuple(rows)


def _must_haves(questionnaire, vendors: tuple[VendorResult, ...]) -> tuple[MustHaveRow, ...]:
    asked = [{q.question_id for q in v.questions} for v in vendors]
    failed = [{f.question_id: f for f in v.failures} for v in vendors]
    rows = []
    for question in questionnaire.questions:
        if question.must_have is None or not any(question.id in a for a in asked):
            continue
        statuses = tuple(
            f"failed: {failures[question.id].detail}"
            if question.id in failures
            else "met"
            if question.id in seen
            else "not asked"
            for seen, failures in zip(asked, failed, strict=True)
        )
        rows.append(MustHaveRow(question.id, question.text, question.must_have.reason, statuses))
    return tuple(rows)


def build_comparison(
    evaluation: Evaluation, results: EvaluationResults | None = None, *, confidence: bool = True
) -> Comparison:
    """Everything the comparison page and pack show; ``results`` may be passed when already computed.

    ``confidence=False`` leaves out robustness (10 000 weight draws) and evaluator agreement, which a
    single vendor's scorecard does not show.
    """
    results = results or compute_results(evaluation)
    vendors = results.ranked + results.disqualified
    response_ids = [v.response_id for v in vendors]
    questionnaire = store.parsed(evaluation.questionnaire)
    applicable = {s.id for s in active_sections(evaluation)}
    requirements = Requirements.from_dict(evaluation.requirements or {})

    question = coverage_question(questionnaire, applicable)
    coverage_answers = {}
    if question is not None and response_ids:
        coverage_answers = dict(
            db.session.execute(
                sa.select(Answer.response_id, Answer.value).where(
                    Answer.response_id.in_(response_ids), Answer.question_id == question.id
                )
            ).all()
        )
    heatmap = build_heatmap(question, requirements, [(v.response_id, v.vendor) for v in vendors], coverage_answers)
    evidence = Counter(
        (rid, qid)
        for rid, qid in db.session.execute(
            sa.select(Attachment.response_id, Attachment.question_id).where(Attachment.response_id.in_(response_ids))
        )
    )
    return Comparison(
        results=results,
        vendors=vendors,
        sections=_section_rows(results, vendors),
        criteria=_criteria(questionnaire, vendors, evidence),
        must_haves=_must_haves(questionnaire, vendors),
        coverage=heatmap,
        robustness=assess(results) if confidence else None,
        agreement=evaluation_agreement(evaluation) if confidence else None,
    )
