"""How far evaluators agree: Krippendorff's alpha (ordinal) per criterion and per evaluation.

:func:`evaluation_agreement` gathers the submitted scores of an evaluation from the database (three
queries, whatever the number of vendors) and :func:`summarise` turns them into plain, frozen data with
the pure engine in ``app.scoring.agreement``, so pages, PDFs and the API can all use it. Only submitted
scores count: a draft score is private to its author (blind scoring).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import ConsensusScore, Evaluation, Organisation, Response, ResponseStatus, Score, User
from app.questionnaires import store
from app.questionnaires.model import Questionnaire
from app.scoring.agreement import agreement_label, disagreements, krippendorff_alpha

LEVEL = "ordinal"
DISAGREEMENT_GAP = 2


@dataclass(frozen=True)
class SubmittedScore:
    """One evaluator's submitted 0-4 score for one question of one vendor."""

    response_id: int
    vendor: str
    question_id: str
    evaluator_id: int
    evaluator: str
    value: int


@dataclass(frozen=True)
class ScoreGap:
    """A vendor's answer on which evaluators are ``DISAGREEMENT_GAP`` or more points apart."""

    response_id: int
    vendor: str
    question_id: str
    low: int
    high: int
    scores: tuple[tuple[str, int], ...]  # (evaluator, score), lowest score first
    consensus: int | None = None  # the lead evaluator's consensus score, once set

    @property
    def spread(self) -> int:
        return self.high - self.low


@dataclass(frozen=True)
class CriterionAgreement:
    """Agreement on one question over all vendors: alpha is None when it cannot be assessed."""

    question_id: str
    text: str
    section_id: str
    alpha: float | None
    label: str
    evaluators: int
    vendors: int  # vendors scored by two or more evaluators (the units alpha can use)
    gaps: tuple[ScoreGap, ...] = ()


@dataclass(frozen=True)
class SectionAgreement:
    """Agreement over the scored answers of one questionnaire section."""

    section_id: str
    title: str
    alpha: float | None
    label: str
    units: int  # answers scored by two or more evaluators


@dataclass(frozen=True)
class EvaluationAgreement:
    """Agreement over every scored answer of an evaluation, with the per-criterion breakdown."""

    evaluation_id: int
    alpha: float | None
    label: str
    evaluators: int
    scored_answers: int  # (vendor, question) pairs scored by two or more evaluators
    criteria: tuple[CriterionAgreement, ...]
    gaps: tuple[ScoreGap, ...]
    sections: tuple[SectionAgreement, ...] = ()
    level: str = LEVEL
    gap: int = DISAGREEMENT_GAP

    def criterion(self, question_id: str) -> CriterionAgreement | None:
        return next((c for c in self.criteria if c.question_id == question_id), None)

    def gaps_for(self, response_id: int) -> dict[str, ScoreGap]:
        """This vendor's answers on which the evaluators are far apart, by question id."""
        return {g.question_id: g for g in self.gaps if g.response_id == response_id}


def _alpha(rows: list[list[int | None]]) -> float | None:
    if len(rows) < 2:
        return None
    value = krippendorff_alpha(rows, LEVEL)
    return None if math.isnan(value) else value


def _reliability_rows(scores: Iterable[SubmittedScore], units: Sequence[tuple]) -> list[list[int | None]]:
    """Evaluators × units, None where an evaluator did not score the unit."""
    position = {unit: i for i, unit in enumerate(units)}
    by_evaluator: dict[int, list[int | None]] = {}
    for score in scores:
        unit = (score.response_id, score.question_id)
        row = by_evaluator.setdefault(score.evaluator_id, [None] * len(units))
        row[position[unit]] = score.value
    return list(by_evaluator.values())


def _pairable(scores: Sequence[SubmittedScore]) -> set[tuple[int, str]]:
    seen: dict[tuple[int, str], int] = {}
    for score in scores:
        key = (score.response_id, score.question_id)
        seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count >= 2}


def _gaps(scores: Sequence[SubmittedScore], consensus: Mapping[tuple[int, str], int]) -> tuple[ScoreGap, ...]:
    names = {s.evaluator_id: s.evaluator for s in scores}
    vendors = {s.response_id: s.vendor for s in scores}
    found = []
    # One pass over the scores, grouped by response (a pass per response grew with vendors²).
    by_response: dict[int, dict[int, dict[str, int]]] = {}
    for s in scores:
        by_response.setdefault(s.response_id, {}).setdefault(s.evaluator_id, {})[s.question_id] = s.value
    for response_id in sorted(vendors):
        for d in disagreements(by_response[response_id], gap=DISAGREEMENT_GAP):
            found.append(
                ScoreGap(
                    response_id,
                    vendors[response_id],
                    str(d.question_id),
                    d.low,
                    d.high,
                    tuple((names[e], v) for e, v in d.evaluators),
                    consensus.get((response_id, str(d.question_id))),
                )
            )
    return tuple(found)


def _label(alpha: float | None) -> str:
    return agreement_label(float("nan") if alpha is None else alpha)


def summarise(
    evaluation_id: int,
    questionnaire: Questionnaire,
    scores: Sequence[SubmittedScore],
    consensus: Mapping[tuple[int, str], int] | None = None,
) -> EvaluationAgreement:
    """Alpha overall, per section and per criterion, and every answer with evaluators 2+ points apart.

    Pure: ``scores`` are the submitted scores, ``consensus`` the consensus values by (response, question).
    """
    gaps = _gaps(scores, consensus or {})
    units = sorted({(s.response_id, s.question_id) for s in scores})
    criteria = []
    order = {q.id: i for i, q in enumerate(questionnaire.questions)}
    for question_id in sorted({s.question_id for s in scores}, key=lambda qid: (order.get(qid, len(order)), qid)):
        own = [s for s in scores if s.question_id == question_id]
        own_units = sorted({(s.response_id, s.question_id) for s in own})
        alpha = _alpha(_reliability_rows(own, own_units))
        try:
            question = questionnaire.question(question_id)
            text, section = question.text, question.section_id
        except KeyError:
            text, section = question_id, ""
        criteria.append(
            CriterionAgreement(
                question_id,
                text,
                section,
                alpha,
                _label(alpha),
                len({s.evaluator_id for s in own}),
                len(_pairable(own)),
                tuple(g for g in gaps if g.question_id == question_id),
            )
        )
    sections = []
    section_of = {c.question_id: c.section_id for c in criteria}
    for section in questionnaire.sections:
        own = [s for s in scores if section_of.get(s.question_id) == section.id]
        if own:
            own_alpha = _alpha(_reliability_rows(own, sorted({(s.response_id, s.question_id) for s in own})))
            sections.append(
                SectionAgreement(section.id, section.title, own_alpha, _label(own_alpha), len(_pairable(own)))
            )
    alpha = _alpha(_reliability_rows(scores, units))
    return EvaluationAgreement(
        evaluation_id=evaluation_id,
        alpha=alpha,
        label=_label(alpha),
        evaluators=len({s.evaluator_id for s in scores}),
        scored_answers=len(_pairable(scores)),
        criteria=tuple(criteria),
        gaps=gaps,
        sections=tuple(sections),
    )


def submitted_scores(evaluation: Evaluation) -> list[SubmittedScore]:
    """Every submitted score of the evaluation's submitted responses (one query)."""
    rows = db.session.execute(
        sa.select(
            Score.response_id,
            Organisation.name,
            Score.question_id,
            Score.evaluator_id,
            User.name,
            User.email,
            Score.value,
        )
        .join(Response, Response.id == Score.response_id)
        .join(Organisation, Organisation.id == Response.vendor_organisation_id)
        .join(User, User.id == Score.evaluator_id)
        .where(
            Response.evaluation_id == evaluation.id,
            Response.status == ResponseStatus.SUBMITTED,
            Score.submitted_at.is_not(None),
        )
        .order_by(Score.response_id, Score.question_id, Score.evaluator_id)
    )
    return [
        SubmittedScore(rid, vendor, qid, uid, name or email, value)
        for rid, vendor, qid, uid, name, email, value in rows
    ]


def consensus_values(evaluation: Evaluation) -> dict[tuple[int, str], int]:
    """Consensus scores of the evaluation by (response id, question id) (one query)."""
    return {
        (rid, qid): value
        for rid, qid, value in db.session.execute(
            sa.select(ConsensusScore.response_id, ConsensusScore.question_id, ConsensusScore.value)
            .join(Response, Response.id == ConsensusScore.response_id)
            .where(Response.evaluation_id == evaluation.id)
        )
    }


def evaluation_agreement(evaluation: Evaluation) -> EvaluationAgreement:
    """Evaluator agreement for a whole evaluation, as plain data (see :func:`summarise`); three queries."""
    return summarise(
        evaluation.id,
        store.parsed(evaluation.questionnaire),
        submitted_scores(evaluation),
        consensus_values(evaluation),
    )
