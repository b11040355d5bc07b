import pytest
from hypothesis import given, settings, strategies as st

from app.scoring.price import (
    RELATIVE_FORMULA_WARNING,
    absolute_price_score,
    cost_per_accepted_unit,
    relative_price_score,
)


def test_cost_per_accepted_unit():
    assert cost_per_accepted_unit(80, 20) == pytest.approx(100)
    assert cost_per_accepted_unit(80, 0) == 80


@pytest.mark.parametrize("price, rate", [(80, 100), (80, 120), (80, -1), (-80, 10), (float("nan"), 1)])
def test_cost_per_accepted_unit_rejects_impossible_inputs(price, rate):
    with pytest.raises(ValueError):
        cost_per_accepted_unit(price, rate)


@pytest.mark.parametrize(
    "cost, expected",
    [(0, 4), (50, 3), (100, 2), (150, 1), (200, 0), (500, 0)],
)
def test_absolute_score_with_default_floor(cost, expected):
    assert absolute_price_score(cost, budget=100) == pytest.approx(expected)


def test_absolute_score_with_floor():
    assert absolute_price_score(50, budget=100, floor=60) == 4
    assert absolute_price_score(60, budget=100, floor=60) == 4
    assert absolute_price_score(100, budget=100, floor=60) == pytest.approx(2)
    assert absolute_price_score(140, budget=100, floor=60) == pytest.approx(0)
    with pytest.raises(ValueError, match="below the budget"):
        absolute_price_score(10, budget=100, floor=100)


def test_relative_score():
    assert relative_price_score(100, [50, 100, 200]) == pytest.approx(2)
    assert relative_price_score(50, [100]) == 4
    assert relative_price_score(0, [0, 10]) == 4
    assert relative_price_score(10, [0, 10]) == 0


def _totals(quality, costs, price_score):
    """70 quality points + 30 price points (price score on 0..4)."""
    return {vendor: quality[vendor] + 30 * price_score(cost) / 4 for vendor, cost in costs.items()}


def test_relative_formula_reorders_two_vendors_when_a_third_enters():
    quality = {"A": 65, "B": 57, "C": 20}
    two = {"A": 100, "B": 70}
    three = {**two, "C": 35}

    def relative(costs):
        return _totals(quality, costs, lambda cost: relative_price_score(cost, costs.values()))

    before, after = relative(two), relative(three)
    assert before["B"] > before["A"]  # 87 vs 86: B wins on price
    assert after["A"] > after["B"]  # 75.5 vs 72: C's entry hands the lead to A
    assert "rank reversal" in RELATIVE_FORMULA_WARNING

    def absolute(costs):
        return _totals(quality, costs, lambda cost: absolute_price_score(cost, budget=90))

    # Under the absolute formula C's entry leaves A's and B's totals, hence their order, untouched.
    assert absolute(three)["A"] == absolute(two)["A"] and absolute(three)["B"] == absolute(two)["B"]


@settings(max_examples=200, deadline=None)
@given(
    costs=st.lists(st.floats(0, 1e5), min_size=1, max_size=6),
    newcomer=st.floats(0, 1e5),
    budget=st.floats(1, 1e5),
    floor_share=st.floats(0, 0.99),
)
def test_absolute_score_ignores_other_vendors(costs, newcomer, budget, floor_share):
    floor = budget * floor_share

    def field(all_costs):
        return [absolute_price_score(cost, budget, floor) for cost in all_costs]

    before = field(costs)
    after = field([*costs, newcomer])
    assert after[: len(costs)] == before
    assert field(costs[1:]) == before[1:]
    assert all(0 <= s <= 4 for s in after)


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 1e5), st.floats(0, 1e5), st.floats(1, 1e5))
def test_absolute_score_never_rewards_a_higher_cost(cheaper, extra, budget):
    assert absolute_price_score(cheaper, budget) >= absolute_price_score(cheaper + extra, budget)
