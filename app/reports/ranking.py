"""From stored answers and scores to the explained ranking of an evaluation.

This module gathers plain data from the database (a fixed number of queries,
whatever the number of vendors) and hands it to the pure engine in ``app.scoring``.
The result is plain data too, for pages, PDF and spreadsheets alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from statistics import mean

import sqlalchemy as sa

from app.evaluations import pricing
from app.evaluations.services import active_sections
from app.evaluations.weights import PRICE_CRITERION, PRICE_TITLE, criteria, weights_from_ahp
from app.extensions import db
from app.models import Answer, ConsensusScore, Evaluation, Organisation, Response, ResponseStatus, Score, SectionWeight
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.reports import frozen
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
from app.scoring.scorer_registry import SCORER_TITLES

PEOPLE_RULE = (
    "rubric 0-4 read by the evaluators: the lead's consensus score where one was set, "
    "otherwise the mean of the submitted scores"
)


@dataclass(frozen=True)
class QuestionResult:
    """How one question of one vendor was scored, for the "explain this number" view.

    ``points`` = 100 × ``section_share`` × ``question_share`` × ``score`` ÷ 4, where ``question_share``
    is the question's weight over the weights of its section's questions.
    """

    question_id: str
    text: str
    section_id: str
    method: str  # in words: "automatic: coverage of the required locales", "consensus", "mean of 2 evaluators"…
    score: float | None  # 0..4
    points: float  # contribution to the 0..100 total
    explanation: str
    rule: str = ""  # the rule in words, with its parameters
    weight: float = 1.0  # the question's weight within its section
    question_share: float = 0.0  # weight ÷ the section's total question weight
    section_share: float = 0.0  # the section's share of all criterion weights
    evidence_level: str = ""  # self-attested, evidenced, verified; "" when unanswered
    findings: tuple[str, ...] = ()  # consistency checks on the answer's numbers
    counted: bool = True  # False when left out of its section's average (not scored for want of a target)
    scorer: str = ""  # the registered scorer's name for an automatic score (for code, never shown)

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
        return (
            mean(scores),
            f"mean of {len(scores)} evaluator{'s' if len(scores) > 1 else ''}",
            ", ".join(str(s) for s in scores),
        )
    return None, "not scored yet", "No evaluator has submitted a score; counts 0 until one does."


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def describe_rule(question) -> str:
    """The scoring rule of a question in words, parameters included."""
    name, params = question.scoring.auto, question.scoring.params
    if name is None:
        return PEOPLE_RULE
    if name == "coverage":
        volume = "contributors" if params.get("target", "min_contributors") == "min_contributors" else "hours"
        if params.get("hours_column"):
            volume = "contributors and hours (the lower of the two per locale)"
        return (
            f"4 × the weakest required locale's share of its required {volume}, "
            "min(1, committed ÷ required); the minimum over locales, so no locale can hide behind the others"
        )
    if name == "required_fraction":
        if params.get("volume"):
            return (
                f"4 × share of the required locales where the vendor reaches the buyer's must-have share "
                f"(default half) of the {params['volume']} required there"
            )
        return f"4 × share of the required {params.get('of', 'items')} the vendor offers"
    if name == "distribution_match":
        return (
            f"4 × (1 − total variation distance) between the vendor's and the target {params.get('attribute', '')} "
            "mix, averaged over every required locale (a locale left out scores 0; undisclosed left out)"
        )
    if name == "threshold_bands":
        sign = "≥" if params.get("direction") == "at_least" else "≤"
        bands = ", ".join(f"{sign} {_number(t)} → {_number(s)}" for t, s in params.get("bands", ()))
        return f"bands: {bands}, otherwise 0"
    if name == "choice_map":
        labels = {option.key: option.label for option in question.options}
        options = ", ".join(
            f"{labels.get(key, key.replace('_', ' '))} {_number(value)}" for key, value in params.get("map", {}).items()
        )
        if question.type != "multi_choice":
            return f"points for the option chosen: {options}"
        combine = params.get("combine", "sum")
        return f"points per option chosen: {options}" + (
            " (summed, at most 4)" if combine == "sum" else " (the best counts)"
        )
    if name == "date_validity":
        days = params.get("min_days_after_award", 0)
        when = "the award date" if not days else f"{abs(days)} days {'after' if days > 0 else 'before'} the award date"
        if question.type == "table":
            return f"the best entry still valid {when} counts (4, or its listed worth), else 0"
        return f"4 when the date is on or after {when}, else 0"
    if name == "contributor_concentration":
        bands = ", ".join(f"≤ {_number(t)} × → {_number(sc)}" for t, sc in params.get("multiples", ()))
        return f"largest contributor's share ÷ the even share 1/N (N = contributors required): {bands}, otherwise 0"
    if name == "reviewed_since_change":
        return "4 when the assessment was reviewed on or after the processing last changed, else 0"
    return (get_scorer(name).__doc__ or name).strip().splitlines()[0]


@dataclass(frozen=True)
class ScoredAnswers:
    """One response's question scores before totalling, as :func:`score_answers` finds them.

    ``questions`` are the rows to explain (weighted visible questions, hidden follow-ups, and weight-0
    must-have questions); ``specs`` what the engine totals and checks; ``not_scored`` the questions left
    out for want of a buyer target, with the reason.
    """

    questions: tuple
    scores: dict
    explained: dict
    specs: tuple
    not_scored: dict
    by_people: int
    awaiting: int


def follow_ups_hidden_by_answers(questionnaire, modalities, applicable: set[str], given) -> list:
    """Questions of applicable sections that only the vendor's own answers hide (not the modalities).

    These are follow-ups such as "pilot turnaround" behind "do you run a pilot?".
    """
    shown = {q.id for q in visible_questions(questionnaire, modalities, given)}
    eligible: set[str] = set()
    hidden = []
    for question in questionnaire.questions:
        condition = question.visible_if
        if question.section_id not in applicable:
            continue
        if condition is not None and not condition.modality_ok(modalities):
            continue
        if condition is not None and condition.answer is not None and condition.answer.question not in eligible:
            continue
        eligible.add(question.id)
        if question.id not in shown:
            hidden.append(question)
    return hidden


def score_answers(
    questionnaire, modalities, applicable: set[str], requirements: Requirements, given, consensus: dict, people: dict
) -> ScoredAnswers:
    """Score one response's questions: auto-scorers, evaluators' scores, hidden follow-ups.

    A follow-up hidden by the vendor's own answer (no pilot, so no pilot turnaround) scores its
    minimum, 0, and stays in its section's average. Leaving it out instead would let "no pilot" score
    the protocol section above a paid pilot with a slow turnaround; at 0, an answer that hides a
    follow-up never scores above the same vendor offering it and answering it well. Must-haves are
    checked on every visible question of an applicable section, whatever its weight.
    """
    visible = [q for q in visible_questions(questionnaire, modalities, given) if q.section_id in applicable]
    questions = [q for q in visible if q.weight > 0 or q.must_have is not None]
    hidden = [q for q in follow_ups_hidden_by_answers(questionnaire, modalities, applicable, given) if q.weight > 0]
    scores: dict[str, float | None] = {}
    explained: dict[str, tuple[str, str]] = {}
    not_scored: dict[str, str] = {}
    by_people = awaiting = 0
    for q in questions:
        if q.is_auto_scored:
            outcome = get_scorer(q.scoring.auto)(given.get(q.id), q.scoring.params, requirements)
            scores[q.id] = outcome.score
            explained[q.id] = (f"automatic: {SCORER_TITLES[q.scoring.auto]}", outcome.explanation)
            if not outcome.scored:
                not_scored[q.id] = outcome.explanation
        else:
            value, method, why = _people_score(q.id, consensus, people.get(q.id, []))
            scores[q.id] = value
            explained[q.id] = (method, why)
            if q.weight > 0:
                by_people += value is not None
                awaiting += value is None
    parents = {q.id: q for q in questionnaire.questions}
    for q in hidden:
        parent = q.visible_if.answer.question if q.visible_if and q.visible_if.answer else None
        because = f"the answer to {parent}" if parent else "an earlier answer"
        if parent in parents and parent in given:
            because += f" ({_answer_words(parents[parent], given[parent])})"
        scores[q.id] = 0.0
        explained[q.id] = (
            "hidden follow-up",
            f"Not asked because of {because}: a follow-up that is not offered scores 0, the minimum",
        )
    asked = {q.id for q in questions}
    listed = asked | {q.id for q in hidden}
    rows = [q for q in questionnaire.questions if q.id in listed]
    specs = tuple(QuestionSpec(q.id, q.section_id, q.weight, _must_have(q) if q.id in asked else None) for q in rows)
    return ScoredAnswers(tuple(rows), scores, explained, specs, not_scored, by_people, awaiting)


def _answer_words(question, value) -> str:
    labels = {option.key: option.label for option in question.options}
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))


def compute_results(evaluation: Evaluation) -> EvaluationResults:
    """The evaluation's results: the stored ones once scoring is closed, else computed now.

    Every page, PDF, export and the API read results here, so a closed evaluation shows the same
    numbers everywhere, whatever changed in the scorers since (re-scoring replaces them explicitly,
    see :mod:`app.evaluations.closing`).
    """
    if evaluation.scoring_closed_at is not None:
        stored = frozen.newest(evaluation.id)
        if stored is not None:
            # The title and buyer are names, not scores: they follow renames.
            return replace(
                frozen.from_json(EvaluationResults, stored.results),
                title=evaluation.title,
                buyer=evaluation.organisation.name,
            )
    return compute_live_results(evaluation)


def compute_live_results(evaluation: Evaluation) -> EvaluationResults:
    """Score every submitted response of the evaluation and rank the vendors, from what is stored now."""
    questionnaire = store.parsed(evaluation.questionnaire)
    requirements = Requirements.from_dict(evaluation.requirements or {})
    applicable = {section.id for section in active_sections(evaluation)}
    price = pricing.load_settings(evaluation)
    weights = dict(
        db.session.execute(
            sa.select(SectionWeight.section_id, SectionWeight.weight).where(
                SectionWeight.evaluation_id == evaluation.id
            )
        ).all()
    )
    section_specs = tuple(
        SectionSpec(id=s.id, title=s.title, weight=weights.get(s.id, s.weight))
        for s in questionnaire.sections
        if s.id in applicable
    ) + ((SectionSpec(PRICE_CRITERION, PRICE_TITLE, price.weight),) if price.scored else ())
    responses = db.session.execute(
        sa.select(Response.id, Response.status, Organisation.name)
        .join(Organisation, Organisation.id == Response.vendor_organisation_id)
        .where(Response.evaluation_id == evaluation.id)
        .order_by(Response.id)
    ).all()
    submitted = {rid: name for rid, status, name in responses if status == ResponseStatus.SUBMITTED}
    not_submitted = tuple(name for rid, status, name in responses if status != ResponseStatus.SUBMITTED)

    answers: dict[int, dict[str, object]] = defaultdict(dict)
    levels: dict[int, dict[str, str]] = defaultdict(dict)
    for rid, qid, value, level in db.session.execute(
        sa.select(Answer.response_id, Answer.question_id, Answer.value, Answer.evidence_level).where(
            Answer.response_id.in_(submitted)
        )
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
    scored: dict[int, ScoredAnswers] = {}
    for rid in submitted:
        scored[rid] = score_answers(
            questionnaire, evaluation.modalities, applicable, requirements, answers[rid], consensus[rid], people[rid]
        )
    competing = [
        rid
        for rid, done in scored.items()
        if not check_must_haves(done.specs, answers[rid], done.scores, done.not_scored)
    ]
    prices = pricing.score_prices(
        {rid: pricing.vendor_cost(answers[rid], price) for rid in submitted}, price, competing
    )

    results, details = {}, {}
    for rid, vendor in submitted.items():
        done = scored[rid]
        questions, scores, explained, specs = done.questions, done.scores, done.explained, done.specs
        by_people, awaiting = done.by_people, done.awaiting
        given = answers[rid]
        texts = {q.id: q.text for q in questions}
        rules = {q.id: describe_rule(q) for q in questions}
        scorers = {q.id: q.scoring.auto for q in questions if q.is_auto_scored}
        question_weights = {q.id: q.weight for q in questions}
        price_id = pricing.PRICE_QUESTION if pricing.PRICE_QUESTION not in texts else "PRICE"
        if price.scored:
            specs = (*specs, QuestionSpec(price_id, PRICE_CRITERION, 1.0))
            scores = scores | {price_id: prices[rid].score}
            explained = explained | {price_id: (f"price: {price.formula} formula", prices[rid].explanation)}
            texts[price_id] = f"Price per accepted {price.unit_words}"
            rules[price_id] = price.formula_text
            question_weights[price_id] = 1.0
        outcome = score_response(section_specs, specs, scores, given, done.not_scored)
        results[rid] = outcome
        shares = {s.id: s.weight_share for s in outcome.sections}
        mass: dict[str, float] = defaultdict(float)
        for spec in specs:
            if spec.id not in done.not_scored:
                mass[spec.section_id] += spec.weight
        found = answer_findings(questions, given)
        level_of = levels[rid] | ({price_id: levels[rid].get(pricing.PRICE_QUESTION, "")} if price.scored else {})
        details[rid] = (
            vendor,
            tuple(
                QuestionResult(
                    c.question_id,
                    texts[c.question_id],
                    c.section_id,
                    explained[c.question_id][0],
                    c.score,
                    c.points,
                    explained[c.question_id][1],
                    rule=rules[c.question_id],
                    weight=question_weights[c.question_id],
                    question_share=(question_weights[c.question_id] / mass[c.section_id])
                    if mass[c.section_id]
                    else 0.0,
                    section_share=shares.get(c.section_id, 0.0),
                    evidence_level=level_of.get(c.question_id, ""),
                    findings=tuple(f.message for f in found.get(c.question_id, ())),
                    counted=c.not_scored is None,
                    scorer=scorers.get(c.question_id, ""),
                )
                for c in outcome.contributions
            ),
            by_people,
            awaiting,
        )

    ranking = rank(results)

    def vendor_result(rid: int, position: int | None) -> VendorResult:
        vendor, question_results, by_people, awaiting = details[rid]
        outcome = results[rid]
        return VendorResult(
            rid,
            vendor,
            outcome.total,
            position,
            outcome.sections,
            question_results,
            outcome.disqualified,
            by_people,
            awaiting,
            prices.get(rid),
        )

    return EvaluationResults(
        evaluation_id=evaluation.id,
        title=evaluation.title,
        buyer=evaluation.organisation.name,
        questionnaire=f"{evaluation.questionnaire.title} v{evaluation.questionnaire.version}",
        sections=section_specs,
        ranked=tuple(vendor_result(r.key, r.rank) for r in ranking.ranked),
        disqualified=tuple(vendor_result(key, None) for key, _ in ranking.disqualified),
        not_submitted=not_submitted,
        price=price,
        weights_cr=weights_from_ahp(evaluation, criteria(evaluation, price_in_use=price.scorable)),
    )
