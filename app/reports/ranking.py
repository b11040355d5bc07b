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

from app.evaluations import pricing
from app.evaluations.services import active_sections
from app.evaluations.weights import PRICE_CRITERION, PRICE_TITLE, criteria, weights_from_ahp
from app.extensions import db
from app.models import Answer, ConsensusScore, Evaluation, Organisation, Response, ResponseStatus, Score, SectionWeight
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.reviews.verification import answer_findings, evidence_label
from app.scoring.aggregate import (
    Failure,
    MustHave,
    QuestionSpec,
    SectionScore,
    SectionSpec,
    check_must_haves,
    rank,
    score_response,
)
from app.scoring.autoscorers import get_scorer
from app.scoring.model import Requirements

PEOPLE_RULE = ("rubric 0-4 read by the evaluators: the lead's consensus score where one was set, "
               "otherwise the mean of the submitted scores")


@dataclass(frozen=True)
class QuestionResult:
    """How one question of one vendor was scored, for the "explain this number" view.

    ``points`` = 100 × ``section_share`` × ``question_share`` × ``score`` ÷ 4, where ``question_share``
    is the question's weight over the weights of its section's questions.
    """

    question_id: str
    text: str
    section_id: str
    method: str          # "auto: coverage", "consensus", "mean of 2 evaluators", "not scored yet", "price: absolute"
    score: float | None  # 0..4
    points: float        # contribution to the 0..100 total
    explanation: str
    rule: str = ""                  # the rule in words, with its parameters
    weight: float = 1.0             # the question's weight within its section
    question_share: float = 0.0     # weight ÷ the section's total question weight
    section_share: float = 0.0      # the section's share of all criterion weights
    evidence_level: str = ""        # self-attested, evidenced, verified; "" when unanswered
    findings: tuple[str, ...] = ()  # consistency checks on the answer's numbers

    @property
    def max_points(self) -> float:
        """What the question adds with a perfect 4."""
        return 100.0 * self.section_share * self.question_share


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
    price: pricing.PriceScore | None = None

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
    price: pricing.PriceSettings | None = None
    weights_cr: float | None = None  # the AHP consistency ratio when the weights come from AHP

    def vendor(self, response_id: int) -> VendorResult | None:
        return next((v for v in self.ranked + self.disqualified if v.response_id == response_id), None)

    @property
    def weights_method(self) -> str:
        return "ahp" if self.weights_cr is not None else "direct"


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


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def describe_rule(question) -> str:
    """The scoring rule of a question in words, parameters included."""
    name, params = question.scoring.auto, question.scoring.params
    if name is None:
        return PEOPLE_RULE
    if name == "coverage":
        unit = "contributors" if params.get("target", "min_contributors") == "min_contributors" else "hours"
        return f"4 × mean over the required locales of min(1, {unit} offered ÷ {unit} required)"
    if name == "required_fraction":
        return f"4 × share of the required {params.get('of', 'items')} the vendor offers"
    if name == "distribution_match":
        return f"4 × (1 − total variation distance) between the vendor's and the target {params.get('attribute', '')} mix"
    if name == "threshold_bands":
        sign = "≥" if params.get("direction") == "at_least" else "≤"
        bands = ", ".join(f"{sign} {_number(t)} → {_number(s)}" for t, s in params.get("bands", ()))
        return f"bands: {bands}, otherwise 0"
    if name == "choice_map":
        options = ", ".join(f"{key} {_number(value)}" for key, value in params.get("map", {}).items())
        if question.type != "multi_choice":
            return f"points for the option chosen: {options}"
        combine = params.get("combine", "sum")
        return f"points per option chosen: {options}" + (" (summed, at most 4)" if combine == "sum" else " (the best counts)")
    if name == "date_validity":
        return "4 when the date is on or after the award date (per row for a table), else 0"
    return (get_scorer(name).__doc__ or name).strip().splitlines()[0]


def compute_results(evaluation: Evaluation) -> EvaluationResults:
    """Score every submitted response of the evaluation and rank the vendors."""
    questionnaire = store.parsed(evaluation.questionnaire)
    requirements = Requirements.from_dict(evaluation.requirements or {})
    applicable = {section.id for section in active_sections(evaluation)}
    price = pricing.load_settings(evaluation)
    weights = dict(db.session.execute(
        sa.select(SectionWeight.section_id, SectionWeight.weight).where(SectionWeight.evaluation_id == evaluation.id)
    ).all())
    section_specs = tuple(
        SectionSpec(id=s.id, title=s.title, weight=weights.get(s.id, s.weight))
        for s in questionnaire.sections if s.id in applicable
    ) + ((SectionSpec(PRICE_CRITERION, PRICE_TITLE, price.weight),) if price.scored else ())
    responses = db.session.execute(
        sa.select(Response.id, Response.status, Organisation.name)
        .join(Organisation, Organisation.id == Response.vendor_organisation_id)
        .where(Response.evaluation_id == evaluation.id).order_by(Response.id)
    ).all()
    submitted = {rid: name for rid, status, name in responses if status == ResponseStatus.SUBMITTED}
    not_submitted = tuple(name for rid, status, name in responses if status != ResponseStatus.SUBMITTED)

    answers: dict[int, dict[str, object]] = defaultdict(dict)
    levels: dict[int, dict[str, str]] = defaultdict(dict)
    for rid, qid, value, level in db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.value, Answer.evidence_level)
        .where(Answer.response_id.in_(submitted))
    ):
        answers[rid][qid] = value
        if value not in (None, "", []):
            levels[rid][qid] = evidence_label(level)
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

    # First pass: every question's score and the must-haves, which the relative price formula needs
    # (only bids that can win set the lowest price).
    scored: dict[int, tuple] = {}
    for rid in submitted:
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
        scored[rid] = (questions, scores, explained, specs, by_people, awaiting)
    competing = [rid for rid, (_, scores, _, specs, _, _) in scored.items()
                 if not check_must_haves(specs, answers[rid], scores)]
    prices = pricing.score_prices({rid: pricing.vendor_cost(answers[rid], price) for rid in submitted}, price, competing)

    results, details = {}, {}
    for rid, vendor in submitted.items():
        questions, scores, explained, specs, by_people, awaiting = scored[rid]
        given = answers[rid]
        texts = {q.id: q.text for q in questions}
        rules = {q.id: describe_rule(q) for q in questions}
        question_weights = {q.id: q.weight for q in questions}
        price_id = pricing.PRICE_QUESTION if pricing.PRICE_QUESTION not in texts else "PRICE"
        if price.scored:
            specs = specs + [QuestionSpec(price_id, PRICE_CRITERION, 1.0)]
            scores = scores | {price_id: prices[rid].score}
            explained = explained | {price_id: (f"price: {price.formula} formula", prices[rid].explanation)}
            texts[price_id] = f"Price per accepted {price.unit_words}"
            rules[price_id] = price.formula_text
            question_weights[price_id] = 1.0
        outcome = score_response(section_specs, specs, scores, given)
        results[rid] = outcome
        shares = {s.id: s.weight_share for s in outcome.sections}
        mass: dict[str, float] = defaultdict(float)
        for spec in specs:
            mass[spec.section_id] += spec.weight
        found = answer_findings(questions, given)
        level_of = levels[rid] | ({price_id: levels[rid].get(pricing.PRICE_QUESTION, "")} if price.scored else {})
        details[rid] = (vendor, tuple(
            QuestionResult(
                c.question_id, texts[c.question_id], c.section_id, explained[c.question_id][0], c.score, c.points,
                explained[c.question_id][1], rule=rules[c.question_id], weight=question_weights[c.question_id],
                question_share=(question_weights[c.question_id] / mass[c.section_id]) if mass[c.section_id] else 0.0,
                section_share=shares.get(c.section_id, 0.0), evidence_level=level_of.get(c.question_id, ""),
                findings=tuple(f.message for f in found.get(c.question_id, ())),
            )
            for c in outcome.contributions
        ), by_people, awaiting)

    ranking = rank(results)

    def vendor_result(rid: int, position: int | None) -> VendorResult:
        vendor, question_results, by_people, awaiting = details[rid]
        outcome = results[rid]
        return VendorResult(rid, vendor, outcome.total, position, outcome.sections, question_results,
                            outcome.disqualified, by_people, awaiting, prices.get(rid))

    return EvaluationResults(
        evaluation_id=evaluation.id, title=evaluation.title, buyer=evaluation.organisation.name,
        questionnaire=f"{evaluation.questionnaire.title} v{evaluation.questionnaire.version}",
        sections=section_specs,
        ranked=tuple(vendor_result(r.key, r.rank) for r in ranking.ranked),
        disqualified=tuple(vendor_result(key, None) for key, _ in ranking.disqualified),
        not_submitted=not_submitted,
        price=price,
        weights_cr=weights_from_ahp(evaluation, criteria(evaluation, price_in_use=price.scorable)),
    )
