import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from app.scoring.agreement import Disagreement, agreement_label, disagreements, krippendorff_alpha

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 observers × 12 units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize("level, expected", [("nominal", 0.7434), ("ordinal", 0.8154), ("interval", 0.8491)])
def test_krippendorff_2011_reference_values(level, expected):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 4) == expected


def test_nan_marks_missing_too():
    as_array = np.array(KRIPPENDORFF_2011, dtype=float)
    assert krippendorff_alpha(as_array, "ordinal") == pytest.approx(0.8154, abs=5e-5)


def test_nominal_accepts_labels():
    data = [["yes", "no", "yes", None], ["yes", "no", "no", "no"]]
    numeric = [[1, 0, 1, None], [1, 0, 0, 0]]
    assert krippendorff_alpha(data) == pytest.approx(krippendorff_alpha(numeric))
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha(data, "ordinal")


def test_perfect_agreement_is_one_and_no_variation_is_undefined():
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 3]], "ordinal") == pytest.approx(1.0)
    assert math.isnan(krippendorff_alpha([[3, 3, 3], [3, 3, 3]]))
    assert math.isnan(krippendorff_alpha([[1, N], [N, 2]]))


def test_input_errors():
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(KRIPPENDORFF_2011, "ratio")
    with pytest.raises(ValueError, match="one entry per unit"):
        krippendorff_alpha([[1, 2], [1]])


def _pairwise_alpha(data, level):
    """Alpha from its definition, pair by pair: 1 − D_observed / D_expected."""
    units = [[row[u] for row in data if row[u] is not None] for u in range(len(data[0]))]
    units = [values for values in units if len(values) >= 2]
    pooled = [v for values in units for v in values]
    n = len(pooled)
    if n < 2:
        return float("nan")
    counts = {v: pooled.count(v) for v in set(pooled)}

    def delta(c, k):
        if level == "nominal":
            return float(c != k)
        if level == "interval":
            return float(c - k) ** 2
        low, high = min(c, k), max(c, k)
        between = sum(count for g, count in counts.items() if low <= g <= high)
        return (between - (counts[c] + counts[k]) / 2) ** 2

    observed = (
        sum(sum(delta(a, b) for a, b in itertools.permutations(values, 2)) / (len(values) - 1) for values in units) / n
    )
    expected = sum(delta(a, b) for a, b in itertools.permutations(pooled, 2)) / (n * (n - 1))
    return 1 - observed / expected if expected else float("nan")


ratings = st.integers(2, 4).flatmap(
    lambda coders: st.integers(1, 8).flatmap(
        lambda units: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=units, max_size=units),
            min_size=coders,
            max_size=coders,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(ratings, st.sampled_from(["nominal", "ordinal", "interval"]))
def test_coincidence_method_matches_pairwise_definition(data, level):
    ours, reference = krippendorff_alpha(data, level), _pairwise_alpha(data, level)
    if math.isnan(reference):
        assert math.isnan(ours)
    else:
        assert ours == pytest.approx(reference, abs=1e-9)
        assert ours <= 1 + 1e-9


@pytest.mark.parametrize(
    "alpha, label",
    [
        (0.95, "reliable"),
        (0.80, "reliable"),
        (0.7999, "tentative"),
        (0.667, "tentative"),
        (0.66, "unreliable"),
        (-0.2, "unreliable"),
        (float("nan"), "not assessable"),
    ],
)
def test_agreement_label(alpha, label):
    assert agreement_label(alpha) == label


def test_disagreements():
    scores = {
        "ana": {"PRV-01": 1, "PRV-02": 3, "QA-01": 0},
        "ben": {"PRV-01": 3, "PRV-02": 2, "QA-01": 4},
        "cai": {"PRV-01": 2, "PRV-02": None, "QA-01": 3},
    }
    assert disagreements(scores) == (
        Disagreement("QA-01", 0, 4, (("ana", 0), ("cai", 3), ("ben", 4))),
        Disagreement("PRV-01", 1, 3, (("ana", 1), ("cai", 2), ("ben", 3))),
    )
    assert [d.question_id for d in disagreements(scores, gap=3)] == ["QA-01"]
    assert len(disagreements(scores, gap=1)) == 3
    with pytest.raises(ValueError):
        disagreements(scores, gap=0)
