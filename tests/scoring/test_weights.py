import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from app.scoring.weights import (
    RANDOM_INDEX,
    InconsistentJudgements,
    ahp,
    ahp_weights,
    normalise,
    pairwise_matrix,
)

# Saaty's "relative consumption of drinks in the USA" (Saaty 1980; also Saaty 1990, "How to make a
# decision: the analytic hierarchy process", EJOR 48, p. 9-26): row drink over column drink.
DRINKS = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
BEVERAGE = np.array(
    [
        [1, 9, 5, 2, 1, 1, 1 / 2],
        [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
        [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
        [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [1, 9, 4, 2, 1, 2, 1 / 2],
        [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [2, 9, 9, 3, 2, 3, 1],
    ]
)


def test_saaty_beverage_example_to_printed_precision():
    result = ahp(DRINKS, BEVERAGE)
    rounded = {drink: round(weight, 4) for drink, weight in result.weights.items()}
    assert rounded == {
        "water": 0.3268,
        "sodas": 0.1896,
        "coffee": 0.1775,
        "milk": 0.1288,
        "beer": 0.1164,
        "tea": 0.0418,
        "wine": 0.0191,
    }
    assert round(result.lambda_max, 4) == 7.1766
    assert round(result.ci, 4) == 0.0294
    assert round(result.cr, 4) == 0.0223
    assert result.random_index == 1.32
    assert "Saaty (1980)" in result.random_index_table
    assert ahp_weights(DRINKS, BEVERAGE) == result.weights


def test_beverage_matrix_rebuilt_from_upper_triangle_judgements():
    judgements = {(DRINKS[i], DRINKS[j]): BEVERAGE[i, j] for i in range(7) for j in range(i + 1, 7)}
    np.testing.assert_allclose(pairwise_matrix(DRINKS, judgements), BEVERAGE)


def test_random_index_table_is_saaty_1980():
    assert RANDOM_INDEX == (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


def test_consistent_matrix_has_zero_cr_and_exact_weights():
    weights = np.array([0.5, 0.3, 0.2])
    matrix = weights[:, None] / weights[None, :]
    result = ahp(["a", "b", "c"], matrix)
    assert result.cr == pytest.approx(0, abs=1e-9)
    assert list(result.weights.values()) == pytest.approx([0.5, 0.3, 0.2])


def test_inconsistent_judgements_name_the_worst_pair():
    labels = ["privacy", "coverage", "quality"]
    matrix = pairwise_matrix(
        labels,
        {("privacy", "coverage"): 5, ("coverage", "quality"): 5, ("quality", "privacy"): 5},
    )
    with pytest.raises(InconsistentJudgements, match="consistency ratio .* is above 0.10") as caught:
        ahp_weights(labels, matrix)
    result = caught.value.result
    assert result.cr > 0.10
    a, b, given, implied = result.most_inconsistent
    assert given >= 1 and f"{a} over {b} = {given:.3g}" in str(caught.value)
    assert ahp_weights(labels, matrix, max_cr=10) == result.weights


def test_small_matrices_are_always_consistent():
    assert ahp(["a"], np.array([[1.0]])).weights == {"a": 1.0}
    two = ahp(["a", "b"], np.array([[1, 3], [1 / 3, 1]]))
    assert two.cr == 0 and two.weights["a"] == pytest.approx(0.75)


@pytest.mark.parametrize(
    "judgements, message",
    [
        ({("a", "b"): 3}, "missing judgements: a vs c, b vs c"),
        ({("a", "b"): 3, ("a", "c"): 10, ("b", "c"): 1}, "outside Saaty's scale"),
        ({("a", "b"): 3, ("a", "c"): 0.1, ("b", "c"): 1}, "outside Saaty's scale"),
        ({("a", "b"): 3, ("a", "z"): 1, ("b", "c"): 1}, "unknown label 'z'"),
        ({("a", "b"): 3, ("b", "a"): 3, ("a", "c"): 1, ("b", "c"): 1}, "not reciprocal"),
        ({("a", "a"): 1}, "with itself"),
    ],
)
def test_pairwise_matrix_errors(judgements, message):
    with pytest.raises(ValueError, match=message):
        pairwise_matrix(["a", "b", "c"], judgements)


def test_pairwise_matrix_accepts_both_directions_when_reciprocal():
    matrix = pairwise_matrix(["a", "b"], {("a", "b"): 1 / 9, ("b", "a"): 9})
    np.testing.assert_allclose(matrix, [[1, 1 / 9], [9, 1]])


def test_ahp_rejects_non_reciprocal_or_too_large_matrices():
    with pytest.raises(ValueError, match="reciprocal"):
        ahp(["a", "b"], np.array([[1, 2], [2, 1]]))
    with pytest.raises(ValueError, match="random index table covers"):
        ahp([str(i) for i in range(11)], np.ones((11, 11)))


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"a": -1, "b": 2}, "weight of 'a' must not be negative"),
        ({"a": float("nan")}, "finite"),
        ({"a": 0, "b": 0}, "all weights are zero"),
        ({}, "all weights are zero"),
    ],
)
def test_normalise_errors(weights, message):
    with pytest.raises(ValueError, match=message):
        normalise(weights)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.floats(0, 1e6), min_size=1).filter(
        lambda d: sum(d.values()) > 0
    ),
    st.floats(1e-3, 1e3),
)
def test_normalise_sums_to_one_and_ignores_scale(weights, factor):
    shares = normalise(weights)
    assert sum(shares.values()) == pytest.approx(1.0)
    scaled = normalise({k: v * factor for k, v in weights.items()})
    assert scaled == pytest.approx(shares)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from([1 / 9, 1 / 5, 1 / 3, 1, 3, 5, 9]), min_size=6, max_size=6))
def test_ahp_weights_are_a_distribution(values):
    labels = ["a", "b", "c", "d"]
    pairs = [(labels[i], labels[j]) for i in range(4) for j in range(i + 1, 4)]
    result = ahp(labels, pairwise_matrix(labels, dict(zip(pairs, values, strict=True))))
    assert sum(result.weights.values()) == pytest.approx(1.0)
    assert all(w > 0 for w in result.weights.values())
    assert result.lambda_max >= 4 - 1e-9 and result.cr >= 0
