import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from app.scoring.robustness import critical_weight_changes, rank_acceptability

SCORES = np.array([[0.9, 0.2], [0.4, 0.8]])
WEIGHTS = np.array([0.5, 0.5])


def test_critical_changes_by_hand():
    # Totals: A 0.55, B 0.60. Raising quality to x: A = 0.2 + 0.7x, B = 0.8 - 0.4x, equal at x = 6/11.
    quality, price = critical_weight_changes(SCORES, WEIGHTS, ["A", "B"], ["quality", "price"])
    assert quality.criterion == "quality" and quality.current_weight == 0.5
    assert quality.new_weight == pytest.approx(6 / 11)
    assert quality.delta == pytest.approx(6 / 11 - 0.5)
    assert quality.new_winner == "A"
    assert price.new_weight == pytest.approx(5 / 11) and price.delta == pytest.approx(-1 / 22)


def test_dominant_vendor_cannot_be_overtaken():
    scores = np.array([[0.9, 0.9, 0.9], [0.1, 0.5, 0.8]])
    changes = critical_weight_changes(scores, np.array([0.2, 0.3, 0.5]), ["A", "B"], ["x", "y", "z"])
    assert all(c.delta is None and c.new_winner is None for c in changes)


def test_single_criterion_has_no_feasible_change():
    (change,) = critical_weight_changes(np.array([[0.2], [0.9]]), np.array([1.0]), ["A", "B"], ["x"])
    assert change.delta is None


def test_exact_tie_is_broken_by_listing_order_and_needs_no_change():
    scores = np.array([[0.5, 0.5], [0.2, 0.8]])
    changes = critical_weight_changes(scores, np.array([0.5, 0.5]), ["A", "B"], ["x", "y"])
    assert changes[1].delta == pytest.approx(0) and changes[1].new_winner == "B"


@pytest.mark.parametrize(
    "scores, weights, message",
    [
        (SCORES, np.array([0.6, 0.6]), "sum to 1"),
        (SCORES * 2, WEIGHTS, "within 0..1"),
        (SCORES, np.array([1.5, -0.5]), "zero or more"),
        (SCORES[:, :1], WEIGHTS, "vendors × criteria"),
    ],
)
def test_input_errors(scores, weights, message):
    with pytest.raises(ValueError, match=message):
        critical_weight_changes(scores, weights, ["A", "B"], ["x", "y"])


GRID = np.linspace(0.0, 1.0, 20_001)
STEP = GRID[1] - GRID[0]


def _brute_force(scores, weights, c):
    """Scan the weight of criterion c over a grid; nearest point where the current winner trails."""
    totals_now = scores @ weights
    winner = int(np.flatnonzero(totals_now >= totals_now.max() - 1e-12)[0])
    others = np.delete(np.arange(len(weights)), c)
    rest = np.zeros_like(weights)
    rest_sum = weights[others].sum()
    rest[others] = weights[others] / rest_sum if rest_sum > 0 else 1 / len(others)
    grid_weights = np.outer(1 - GRID, rest)
    grid_weights[:, c] = GRID
    totals = grid_weights @ scores.T
    rivals = np.delete(totals, winner, axis=1).max(axis=1)
    lost = np.flatnonzero(rivals > totals[:, winner] + 1e-12)
    if lost.size == 0:
        return None
    nearest = lost[np.argmin(np.abs(GRID[lost] - weights[c]))]
    leaders = np.flatnonzero(np.isclose(totals[nearest], totals[nearest].max(), rtol=0, atol=1e-12))
    return GRID[nearest] - weights[c], leaders


def _assert_matches_brute_force(scores, weights):
    vendors = [f"V{i}" for i in range(scores.shape[0])]
    criteria = [f"C{j}" for j in range(scores.shape[1])]
    changes = critical_weight_changes(scores, weights, vendors, criteria)
    for c, change in enumerate(changes):
        brute = _brute_force(scores, weights, c)
        if brute is None:
            # The grid can only miss a crossing that lies within one step of 0 or 1.
            assert change.delta is None or min(change.new_weight, 1 - change.new_weight) < STEP
            continue
        delta, leaders = brute
        assert change.delta is not None
        assert abs(change.delta) <= abs(delta) + 1e-9
        assert abs(delta) - abs(change.delta) <= STEP + 1e-9
        if len(leaders) == 1 and abs(abs(delta) - abs(change.delta)) > 1e-6:
            assert change.new_winner == vendors[leaders[0]]
        assert 0 <= change.new_weight <= 1


def test_closed_form_matches_brute_force_on_typical_decisions():
    rng = np.random.default_rng(2024)
    found = 0
    for _ in range(200):
        vendors, criteria = rng.integers(2, 6), rng.integers(2, 7)
        scores = rng.uniform(0.3, 1.0, size=(vendors, criteria))
        weights = rng.dirichlet(np.ones(criteria))
        _assert_matches_brute_force(scores, weights)
        found += any(
            c.delta is not None
            for c in critical_weight_changes(scores, weights, list(range(vendors)), list(range(criteria)))
        )
    assert found > 150  # the comparison above was not vacuous


@st.composite
def decisions(draw):
    vendors, criteria = draw(st.integers(2, 5)), draw(st.integers(2, 5))
    scores = draw(arrays(float, (vendors, criteria), elements=st.floats(0, 1)))
    raw = draw(arrays(float, criteria, elements=st.floats(0.01, 1)))
    return scores, raw / raw.sum()


@settings(max_examples=60, deadline=None)
@given(decisions())
def test_closed_form_matches_brute_force(decision):
    _assert_matches_brute_force(*decision)


# --- rank acceptability -----------------------------------------------------------------------

FIELD = np.array([[0.8, 0.6, 0.5], [0.7, 0.7, 0.6], [0.2, 0.3, 0.9]])
FIELD_WEIGHTS = np.array([0.4, 0.4, 0.2])


def test_rank_shares_are_distributions():
    result = rank_acceptability(FIELD, FIELD_WEIGHTS, ["A", "B", "C"], ["q", "p", "c"], seed=7)
    assert result.rank_shares.shape == (3, 3)
    np.testing.assert_allclose(result.rank_shares.sum(axis=0), 1)
    np.testing.assert_allclose(result.rank_shares.sum(axis=1), 1)
    assert result.first_place_share == {v: result.rank_shares[i, 0] for i, v in enumerate("ABC")}
    assert result.first_place_share["B"] > result.first_place_share["A"] > 0
    assert result.first_place_share["C"] == 0
    assert (result.n, result.seed, result.concentration) == (10_000, 7, 100.0)


def test_same_seed_same_figures_and_other_seed_differs():
    args = (FIELD, FIELD_WEIGHTS, ["A", "B", "C"], ["q", "p", "c"])
    first = rank_acceptability(*args, seed=42, n=2_000)
    again = rank_acceptability(*args, seed=42, n=2_000)
    other = rank_acceptability(*args, seed=43, n=2_000)
    np.testing.assert_array_equal(first.rank_shares, again.rank_shares)
    assert first.first_place_share == again.first_place_share
    assert not np.array_equal(first.rank_shares, other.rank_shares)


def test_zero_weight_criterion_stays_out():
    scores = np.array([[0.5, 0.5, 0.0], [0.4, 0.4, 1.0]])
    result = rank_acceptability(scores, np.array([0.5, 0.5, 0.0]), ["A", "B"], ["x", "y", "z"], seed=1, concentration=1)
    assert result.first_place_share == {"A": 1.0, "B": 0.0}


def test_high_concentration_reproduces_the_deterministic_ranking():
    result = rank_acceptability(FIELD, FIELD_WEIGHTS, ["A", "B", "C"], ["q", "p", "c"], seed=3, concentration=1e7)
    np.testing.assert_array_equal(result.rank_shares, np.eye(3)[[1, 0, 2]])


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"concentration": 0}])
def test_rank_acceptability_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError):
        rank_acceptability(FIELD, FIELD_WEIGHTS, ["A", "B", "C"], ["q", "p", "c"], seed=1, **kwargs)


@settings(max_examples=25, deadline=None)
@given(decisions(), st.integers(0, 2**32 - 1))
def test_same_seed_same_figures_property(decision, seed):
    scores, weights = decision
    vendors = [f"V{i}" for i in range(scores.shape[0])]
    criteria = [f"C{j}" for j in range(scores.shape[1])]
    one = rank_acceptability(scores, weights, vendors, criteria, seed=seed, n=500)
    two = rank_acceptability(scores, weights, vendors, criteria, seed=seed, n=500)
    np.testing.assert_array_equal(one.rank_shares, two.rank_shares)
    assert one.first_place_share == two.first_place_share
