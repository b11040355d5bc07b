"""Price scoring: what an accepted unit really costs, and two ways to turn cost into a 0..4 score.

Use :func:`absolute_price_score` for ranking. :func:`relative_price_score` exists because buyers know it
from tender templates, and the app should be able to show them why it misleads
(:data:`RELATIVE_FORMULA_WARNING`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

# The questions that ask for the price and its unit (their ids are the same in every shipped questionnaire).
PRICE_QUESTION = "PRICE-01"
UNIT_QUESTION = "PRICE-02"
# The buyer's unit (requirements) and the vendor's PRICE-02 options that mean the same thing.
SAME_UNIT = {"hour": frozenset({"hour"}), "image": frozenset({"image"}), "item": frozenset({"text_item"})}
UNIT_WORDS = {
    "hour": "hour of speech",
    "image": "image",
    "item": "item",
    "video_minute": "minute of video",
    "text_item": "text item",
}

RELATIVE_FORMULA_WARNING = (
    "The relative price formula (4 × lowest cost ÷ this cost) scores every vendor against the cheapest "
    "one, so each vendor's price score depends on who else bid. When a very cheap vendor enters or "
    "leaves, everyone's price score shrinks or grows by a different amount, and two vendors that do not "
    "change anything can swap places in the overall ranking (rank reversal). The budget-based absolute "
    "formula scores each vendor on its own cost and the buyer's budget only, so this cannot happen."
)


def _check_amount(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")


def cost_per_accepted_unit(price_per_unit: float, rejection_rate_percent: float) -> float:
    """What one *accepted* unit costs: ``price / (1 − rejection rate / 100)``.

    A vendor whose own QA rejects 20% of what it collects must collect 1.25 units per unit delivered;
    that is what the buyer ultimately pays for. Raises ``ValueError`` for negative inputs or a rejection
    rate of 100% or more (no unit would ever be accepted).
    """
    _check_amount("price per unit", price_per_unit)
    _check_amount("rejection rate", rejection_rate_percent)
    if rejection_rate_percent >= 100:
        raise ValueError(
            f"rejection rate must be below 100%, got {rejection_rate_percent!r}: nothing would be accepted"
        )
    return price_per_unit / (1.0 - rejection_rate_percent / 100.0)


def absolute_price_score(cost: float, budget: float, floor: float = 0.0) -> float:
    """Budget-based price score on 0..4, linear between a floor and a ceiling set by the budget.

    ``score = 4 · clamp((ceiling − cost) / (ceiling − floor), 0, 1)`` with ``ceiling = 2·budget − floor``.

    So a cost at or below ``floor`` (a price that could not reasonably be lower) scores 4, a cost exactly
    on ``budget`` scores 2 — the middle of the rubric, "acceptable" — and a cost at the ceiling (as far
    above the budget as the floor is below it) or more scores 0. With the default floor of 0: half the
    budget scores 3, the budget 2, 1.5 × budget 1, twice the budget 0. The score uses only this vendor's
    cost and the buyer's figures, so no other bid can change it. Raises ``ValueError`` unless
    ``0 ≤ floor < budget`` and ``cost ≥ 0``.
    """
    _check_amount("cost", cost)
    _check_amount("budget", budget)
    _check_amount("floor", floor)
    if floor >= budget:
        raise ValueError(f"floor ({floor!r}) must be below the budget ({budget!r})")
    ceiling = 2.0 * budget - floor
    return 4.0 * min(1.0, max(0.0, (ceiling - cost) / (ceiling - floor)))


def relative_price_score(cost: float, all_costs: Iterable[float]) -> float:
    """``4 · lowest / cost``, the lowest taken over ``all_costs`` and ``cost`` itself.

    Depends on the other bids: see :data:`RELATIVE_FORMULA_WARNING`. A free offer scores 4, and any paid
    offer scores 0 next to a free one.
    """
    _check_amount("cost", cost)
    costs = list(all_costs)
    for other in costs:
        _check_amount("cost", other)
    lowest = min([cost, *costs])
    if cost == 0:
        return 4.0
    return 4.0 * lowest / cost


def unit_words(unit: str | None) -> str:
    """A price unit in the buyer's words ("hour of speech")."""
    return UNIT_WORDS.get(unit or "", unit or "unit")


def same_unit(buyer_unit: str, vendor_unit: str | None) -> bool:
    """Whether a vendor's price unit is the unit the buyer compares prices in."""
    return vendor_unit in SAME_UNIT.get(buyer_unit, frozenset({buyer_unit}))


def format_money(value: float, currency: str) -> str:
    """An amount with its currency, as leadership reads it: ``EUR 1,250.00``."""
    return f"{currency} {value:,.2f}"


def budget_ratio(cost: float | None, budget: float | None) -> float | None:
    """Cost per accepted unit as a multiple of the budget per unit (1.3 = 30 % above); None when unknown."""
    if cost is None or not budget:
        return None
    return cost / budget
