"""Price as a criterion: cost per accepted unit from the vendor's answers, scored by the chosen formula.

The commercial questions (``PRICE-01`` price per unit, ``PRICE-02`` its unit) carry weight 0 in the
questionnaire: they are priced here instead. Cost per accepted unit = price ÷ (1 − rejection rate),
the rejection rate being the vendor's own answer to a percentage question the buyer picks (questionnaires
differ; the first question that asks about rejected items is the default). The score comes from
``app.scoring.price``: the absolute, budget-based formula by default, the relative one on request.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app import audit
from app.evaluations.weights import PRICE_CRITERION, scoring_settings
from app.models import Evaluation, PriceFormula, User
from app.questionnaires import store
from app.questionnaires.model import Question, Questionnaire
from app.scoring.answer_values import is_number
from app.scoring.model import Requirements
from app.scoring.price import (
    PRICE_QUESTION,
    RELATIVE_FORMULA_WARNING,
    UNIT_QUESTION,
    absolute_price_score,
    budget_ratio,
    cost_per_accepted_unit,
    format_money,
    relative_price_score,
    same_unit,
    unit_words,
)

FORMULAS = {
    PriceFormula.ABSOLUTE: "Absolute (budget-based): 4 × (2 × budget − cost) ÷ (2 × budget), between 0 and 4 — "
    "half the budget scores 3, the budget 2, twice the budget 0. Each vendor is scored on "
    "its own cost, so no other bid can change its score.",
    PriceFormula.RELATIVE: "Relative: 4 × lowest cost ÷ this cost, the lowest among the vendors being ranked.",
}


@dataclass(frozen=True)
class PriceSettings:
    """How price is scored in one evaluation, as plain data."""

    formula: str
    weight: float
    budget: float | None
    unit: str
    price_question: str | None
    unit_question: str | None
    rejection_question: str | None
    currency: str = "EUR"

    @property
    def not_scored_reason(self) -> str | None:
        """Why price takes no part in the ranking, in the buyer's words; None when it does."""
        if self.price_question is None:
            return "Price is not scored: this questionnaire does not ask for a price (PRICE-01)."
        if self.formula == PriceFormula.ABSOLUTE and not self.budget:
            return (
                "Price is not scored: no budget per accepted unit is set in the requirements, and the "
                "absolute formula scores each vendor against that budget."
            )
        if self.weight <= 0:
            return "Price is not part of the ranking: its weight is 0. Give it a weight under Weights."
        return None

    @property
    def scorable(self) -> bool:
        """Whether a price score can be computed at all (the weight aside)."""
        return self.price_question is not None and not (self.formula == PriceFormula.ABSOLUTE and not self.budget)

    @property
    def scored(self) -> bool:
        return self.not_scored_reason is None

    @property
    def warning(self) -> str | None:
        return RELATIVE_FORMULA_WARNING if self.formula == PriceFormula.RELATIVE else None

    @property
    def formula_text(self) -> str:
        return FORMULAS[PriceFormula(self.formula)]

    @property
    def unit_words(self) -> str:
        return unit_words(self.unit)

    def money(self, value: float) -> str:
        """An amount in the evaluation's currency: ``EUR 12.50``."""
        return format_money(value, self.currency)

    def budget_ratio(self, cost: VendorCost) -> float | None:
        """The vendor's cost per accepted unit ÷ the budget per unit; None without either."""
        return budget_ratio(cost.cost, self.budget)

    def describe(self, cost: VendorCost) -> str:
        """Price, cost per accepted unit and budget ratio in one line for leadership, e.g.
        "EUR 100.00 per hour of speech; EUR 104.17 per accepted hour of speech; 1.16 × budget"."""
        if cost.price is None:
            return f"no price given ({PRICE_QUESTION} unanswered)"
        if cost.cost is None:
            return cost.explanation
        parts = [f"{self.money(cost.price)} per {self.unit_words}"]
        if cost.cost != cost.price:
            parts.append(f"{self.money(cost.cost)} per accepted {self.unit_words}")
        ratio = self.budget_ratio(cost)
        parts.append(f"{ratio:.2f} × budget" if ratio is not None else "no budget set")
        return "; ".join(parts)


@dataclass(frozen=True)
class VendorCost:
    """What one accepted unit costs a vendor's buyer, or why it cannot be told."""

    price: float | None
    unit: str | None
    rejection_rate: float | None
    cost: float | None
    explanation: str


@dataclass(frozen=True)
class PriceScore:
    """A vendor's price score (0..4, None when not scored: counts 0) and the arithmetic behind it."""

    cost: VendorCost
    score: float | None
    explanation: str


def rejection_choices(questionnaire: Questionnaire) -> list[Question]:
    """The percentage questions a rejection rate can be read from."""
    return [q for q in questionnaire.questions if q.type == "percentage"]


def default_rejection_question(questionnaire: Questionnaire) -> str | None:
    """The first percentage question that asks about rejected items, if any."""
    return next((q.id for q in rejection_choices(questionnaire) if "reject" in q.text.lower()), None)


def load_settings(evaluation: Evaluation) -> PriceSettings:
    """The evaluation's price settings: formula and rejection question (stored), budget and unit
    (requirements), weight (the ``_price`` section weight, 0 until the buyer sets it)."""
    questionnaire = store.parsed(evaluation.questionnaire)
    asked = {q.id for q in questionnaire.questions}
    stored = scoring_settings(evaluation)
    requirements = Requirements.from_dict(evaluation.requirements or {})
    rejection = stored.rejection_question_id if stored and stored.rejection_question_id else None
    if rejection not in {q.id for q in rejection_choices(questionnaire)}:
        rejection = default_rejection_question(questionnaire)
    weight = next((row.weight for row in evaluation.section_weights if row.section_id == PRICE_CRITERION), 0.0)
    return PriceSettings(
        formula=str(stored.price_formula if stored else PriceFormula.ABSOLUTE),
        weight=weight,
        budget=requirements.budget_per_unit,
        unit=requirements.unit,
        currency=requirements.currency,
        price_question=PRICE_QUESTION if PRICE_QUESTION in asked else None,
        unit_question=UNIT_QUESTION if UNIT_QUESTION in asked else None,
        rejection_question=rejection,
    )


def save_settings(evaluation: Evaluation, *, actor: User, formula: str, rejection_question: str | None) -> None:
    """Store the formula and rejection-rate question; audited as ``evaluation.price_settings_changed``."""
    row = scoring_settings(evaluation, create=True)
    before = {
        "formula": str(row.price_formula or PriceFormula.ABSOLUTE),
        "rejection_question": row.rejection_question_id,
    }
    row.price_formula = PriceFormula(formula)
    row.rejection_question_id = rejection_question or None
    row.updated_by_id = actor.id
    after = {"formula": str(row.price_formula), "rejection_question": row.rejection_question_id}
    if before != after:
        audit.record(
            "evaluation.price_settings_changed",
            actor=actor,
            evaluation_id=evaluation.id,
            details={"from": before, "to": after},
        )


def unit_refusal(requirements: Requirements, unit: object) -> str | None:
    """Why a vendor's price unit (``PRICE-02``) is refused, in the vendor's words; None when accepted.

    Prices are compared in the buyer's unit only: a price per image in a speech evaluation could not be
    set against the others, so it is refused where the vendor can still correct it.
    """
    if unit in (None, "") or same_unit(requirements.unit, str(unit)):
        return None
    wanted = unit_words(requirements.unit)
    return (
        f"This evaluation compares prices per {wanted} in {requirements.currency}; a price per "
        f"{unit_words(str(unit))} cannot be compared. Convert your price to {requirements.currency} per "
        f"{wanted} ({PRICE_QUESTION}) and choose that unit here."
    )


def vendor_cost(answers: Mapping[str, Any], settings: PriceSettings) -> VendorCost:
    """Cost per accepted unit from one vendor's answers (pure: no database)."""
    price = answers.get(settings.price_question) if settings.price_question else None
    unit = answers.get(settings.unit_question) if settings.unit_question else settings.unit
    rate = answers.get(settings.rejection_question) if settings.rejection_question else None
    if not is_number(price):
        return VendorCost(None, unit, None, None, f"no price given ({PRICE_QUESTION} unanswered)")
    price = float(price)
    if settings.unit_question and not unit:
        given = f"price {settings.money(price)} given without its unit ({UNIT_QUESTION})"
        return VendorCost(price, None, None, None, given)
    if not same_unit(settings.unit, unit):
        return VendorCost(
            price,
            unit,
            None,
            None,
            f"price {settings.money(price)} is per {unit_words(unit)}, the budget is per "
            f"{settings.unit_words}: not comparable",
        )
    if settings.rejection_question is None:
        return VendorCost(
            price,
            unit,
            None,
            price,
            f"price {settings.money(price)} per {settings.unit_words}; no rejection-rate question, so the "
            "cost per accepted unit is the price",
        )
    if not is_number(rate):
        return VendorCost(
            price,
            unit,
            None,
            None,
            f"price {settings.money(price)}, but the rejection rate ({settings.rejection_question}) is unanswered",
        )
    try:
        cost = cost_per_accepted_unit(price, float(rate))
    except ValueError as error:
        return VendorCost(price, unit, float(rate), None, f"cost cannot be computed: {error}")
    return VendorCost(
        price,
        unit,
        float(rate),
        cost,
        f"price {settings.money(price)} ÷ (1 − {rate:g} % rejected, {settings.rejection_question}) = "
        f"{settings.money(cost)} per accepted {settings.unit_words}",
    )


def score_prices(
    costs: Mapping[Hashable, VendorCost], settings: PriceSettings, competing: Iterable[Hashable]
) -> dict[Hashable, PriceScore]:
    """Price scores per vendor (pure). ``competing`` are the vendors whose bids set the lowest cost for
    the relative formula (those not failing a must-have); the absolute formula ignores it."""
    if not settings.scorable:
        return {key: PriceScore(cost, None, settings.not_scored_reason or "") for key, cost in costs.items()}
    competing_costs = [costs[key].cost for key in competing if key in costs and costs[key].cost is not None]
    scores = {}
    for key, cost in costs.items():
        if cost.cost is None:
            scores[key] = PriceScore(cost, None, f"{cost.explanation}; price counts 0")
            continue
        if settings.formula == PriceFormula.ABSOLUTE:
            score = absolute_price_score(cost.cost, settings.budget)
            ceiling = 2 * settings.budget
            why = (
                f"{cost.explanation}; budget {settings.money(settings.budget)}: 4 × ({settings.money(ceiling)}"
                f" − {settings.money(cost.cost)}) ÷ {settings.money(ceiling)}, kept within 0-4 = {score:.2f}"
            )
        else:
            score = relative_price_score(cost.cost, competing_costs)
            lowest = min([cost.cost, *competing_costs])
            why = (
                f"{cost.explanation}; lowest cost among the vendors ranked {settings.money(lowest)}: "
                f"4 × {settings.money(lowest)} ÷ {settings.money(cost.cost)} = {score:.2f}"
            )
        scores[key] = PriceScore(cost, score, why)
    return scores
