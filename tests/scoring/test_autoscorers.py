import datetime

import pytest
from hypothesis import given, settings, strategies as st

from app.scoring.autoscorers import SCORERS, get_scorer, register, validate_params
from app.scoring.model import LocaleTarget, Requirements

REQ = Requirements(
    locales=(LocaleTarget("en-US", 200, 50.0), LocaleTarget("de-DE", 150)),
    demographics={"gender": {"female": 0.5, "male": 0.5}},
    devices=("smartphone", "headset", "far-field mic"),
    award_date=datetime.date(2025, 9, 1),
)


def run(name, value, params=None, requirements=REQ):
    return get_scorer(name)(value, params or {}, requirements)


def test_registry_lists_every_scorer():
    assert set(SCORERS) == {
        "coverage",
        "required_fraction",
        "distribution_match",
        "threshold_bands",
        "choice_map",
        "date_validity",
    }


def test_unknown_scorer_names_the_known_ones():
    with pytest.raises(KeyError, match="unknown scorer 'nope'.*coverage"):
        get_scorer("nope")


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        register("coverage")(lambda value, params, requirements: None)


def test_params_are_checked():
    with pytest.raises(ValueError, match="does not take locale_col"):
        validate_params("coverage", {"locale_col": "x"})
    with pytest.raises(ValueError, match="needs params of"):
        run("required_fraction", ["a"])
    with pytest.raises(KeyError, match="unknown scorer"):
        validate_params("nope", {})


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("coverage", {"target": "min_people"}, "min_contributors or min_hours"),
        ("required_fraction", {"of": "colours"}, "'of' must be one of"),
        ("threshold_bands", {"direction": "above", "bands": [[1, 4]]}, "at_least or at_most"),
        ("threshold_bands", {"direction": "at_most", "bands": [[1, 5]]}, "within 0..4"),
        ("threshold_bands", {"direction": "at_most", "bands": []}, "at least one band"),
        ("choice_map", {"map": {"a": -1}}, "within 0..4"),
        ("choice_map", {"map": {"a": 1}, "combine": "mean"}, "sum or max"),
        ("date_validity", {"min_days_after_award": 1.5}, "whole number"),
    ],
)
def test_param_values_are_checked_before_any_answer_exists(name, params, message):
    with pytest.raises(ValueError, match=message):
        validate_params(name, params)
    with pytest.raises(ValueError, match=message):
        run(name, None, params)


def test_validate_params_fills_in_defaults():
    assert validate_params("coverage", {}) == {
        "target": "min_contributors",
        "locale_column": "locale",
        "count_column": "contributors",
    }


@pytest.mark.parametrize("name", sorted(SCORERS))
def test_unanswered_scores_zero(name):
    params = {
        "required_fraction": {"of": "devices"},
        "distribution_match": {"attribute": "gender", "category_column": "c", "value_column": "v"},
        "threshold_bands": {"direction": "at_least", "bands": [[1, 4]]},
        "choice_map": {"map": {"a": 4}},
    }.get(name, {})
    result = run(name, None, params)
    assert result.score == 0 and result.explanation == "unanswered"


# --- coverage ---------------------------------------------------------------------------------


def test_coverage_reads_like_the_example():
    table = [{"locale": "en-US", "contributors": 120}, {"locale": "de-DE", "contributors": 300}]
    result = run("coverage", table)
    assert result.score == pytest.approx(3.2)
    assert result.explanation == (
        "en-US 120/200 contributors (60%), de-DE 300/150 (100%): mean 80% -> 3.20"
    )
    assert result.details["per_locale"][0]["ratio"] == pytest.approx(0.6)


def test_coverage_sums_rows_and_normalises_locales():
    table = [
        {"locale": "en_us", "contributors": 100},
        {"locale": "EN-US", "contributors": 100},
        {"locale": "de-de", "contributors": 75},
        {"locale": "fr-FR", "contributors": 999},
    ]
    assert run("coverage", table).score == pytest.approx(4 * (1 + 0.5) / 2)


def test_coverage_by_hours_skips_locales_without_an_hours_target():
    table = [{"lang": "en-US", "hours": 12.5}, {"lang": "de-DE", "hours": 0}]
    result = run(
        "coverage", table, {"locale_column": "lang", "count_column": "hours", "target": "min_hours"}
    )
    assert result.score == pytest.approx(1.0)
    assert result.details["skipped"] == ["de-DE"]
    assert result.explanation.startswith("en-US 12.5/50 hours (25%): mean 25% -> 1.00")


def test_coverage_missing_locale_counts_zero():
    result = run("coverage", [{"locale": "en-US", "contributors": 400}])
    assert result.score == pytest.approx(2.0)
    assert "de-DE 0/150 (0%)" in result.explanation


def test_coverage_with_nothing_required_scores_four():
    result = run("coverage", [], requirements=Requirements())
    assert result.score == 4 and "no locale contributors target was required" in result.explanation


def test_coverage_of_a_non_table_scores_zero_and_says_why():
    result = run("coverage", "lots of contributors")
    assert result.score == 0 and "expected a table" in result.explanation


def test_coverage_rejects_an_unknown_target():
    with pytest.raises(ValueError, match="min_contributors or min_hours"):
        run("coverage", [], {"target": "min_people"})


# --- required_fraction ------------------------------------------------------------------------


def test_required_fraction_on_a_multi_choice_lists_missing_items():
    result = run("required_fraction", ["Smartphone", "tablet"], {"of": "devices"})
    assert result.score == pytest.approx(4 / 3)
    assert result.details["missing"] == ["headset", "far-field mic"]
    assert result.explanation == (
        "1 of 3 required devices offered (33%); missing: headset, far-field mic -> 1.33"
    )


def test_required_fraction_on_a_table_needs_a_positive_count():
    table = [
        {"locale": "en-US", "contributors": 0},
        {"locale": "de_DE", "contributors": 3},
        {"locale": "en-US", "contributors": 0},
    ]
    params = {"of": "locales", "column": "locale", "count_column": "contributors"}
    result = run("required_fraction", table, params)
    assert result.score == pytest.approx(2.0) and result.details["missing"] == ["en-US"]
    listed = run("required_fraction", table, {"of": "locales", "column": "locale"})
    assert listed.score == 4 and listed.details["missing"] == []


def test_required_fraction_with_nothing_required():
    result = run("required_fraction", [], {"of": "modalities"})
    assert result.score == 4 and "no modalities were required" in result.explanation


def test_required_fraction_param_errors():
    with pytest.raises(ValueError, match="'of' must be one of"):
        run("required_fraction", [], {"of": "colours"})
    with pytest.raises(ValueError, match="needs a 'column'"):
        run("required_fraction", [{"locale": "en-US"}], {"of": "locales"})


# --- distribution_match -----------------------------------------------------------------------

MIX = {"attribute": "gender", "category_column": "gender", "value_column": "n"}


def test_distribution_match_is_four_times_one_minus_tvd():
    table = [{"gender": "Female", "n": 45}, {"gender": "male", "n": 55}]
    result = run("distribution_match", table, MIX)
    assert result.score == pytest.approx(4 * (1 - 0.05))
    assert result.explanation == (
        "gender mix vs target: female 45% vs 50%, male 55% vs 50% (distance 0.05) -> 3.80"
    )


def test_distribution_match_counts_missing_categories_as_zero():
    requirements = Requirements(demographics={"age": {"18-29": 0.5, "30-49": 0.3, "50+": 0.2}})
    table = [{"age": "18-29", "share": 60.0}, {"age": "65+", "share": 40.0}]
    params = {"attribute": "age", "category_column": "age", "value_column": "share"}
    # |0.6-0.5| + 0.3 + 0.2 + 0.4 = 1.0 -> distance 0.5
    assert run("distribution_match", table, params, requirements).score == pytest.approx(2.0)


def test_distribution_match_per_group_averages():
    table = [
        {"locale": "en-US", "gender": "female", "n": 50},
        {"locale": "en-US", "gender": "male", "n": 50},
        {"locale": "de-DE", "gender": "male", "n": 10},
    ]
    result = run("distribution_match", table, {**MIX, "group_column": "locale"})
    assert result.score == pytest.approx((4 + 2) / 2)
    assert [g["group"] for g in result.details["per_group"]] == ["en-US", "de-DE"]


def test_distribution_match_without_target_scores_four():
    result = run("distribution_match", [], {**MIX, "attribute": "accent"})
    assert result.score == 4 and "no target mix set for 'accent'" in result.explanation


def test_distribution_match_with_zero_counts_scores_zero():
    assert run("distribution_match", [{"gender": "female", "n": 0}], MIX).score == 0


# --- threshold_bands --------------------------------------------------------------------------

AT_LEAST = {"direction": "at_least", "bands": [[90, 2], [95, 3], [99, 4]]}
AT_MOST = {"direction": "at_most", "bands": [[10, 1], [5, 3], [2, 4]]}


@pytest.mark.parametrize(
    "params, value, expected",
    [
        (AT_LEAST, 99.5, 4),
        (AT_LEAST, 95, 3),
        (AT_LEAST, 94.9, 2),
        (AT_LEAST, 80, 0),
        (AT_MOST, 1, 4),
        (AT_MOST, 5, 3),
        (AT_MOST, 7.5, 1),
        (AT_MOST, 11, 0),
    ],
)
def test_threshold_bands(params, value, expected):
    assert run("threshold_bands", value, params).score == expected


def test_threshold_bands_explains():
    assert run("threshold_bands", 96.5, AT_LEAST).explanation == "96.5 is at least 95 -> 3.00"
    assert run("threshold_bands", 12, AT_MOST).explanation == (
        "12 meets no band (the easiest needs at most 10) -> 0.00"
    )


def test_threshold_bands_rejects_bad_params_and_answers():
    with pytest.raises(ValueError, match="within 0..4"):
        run("threshold_bands", 1, {"direction": "at_least", "bands": [[1, 5]]})
    with pytest.raises(ValueError, match="at_least or at_most"):
        run("threshold_bands", 1, {"direction": "above", "bands": [[1, 4]]})
    assert run("threshold_bands", True, AT_LEAST).score == 0
    assert run("threshold_bands", "95", AT_LEAST).score == 0


# --- choice_map -------------------------------------------------------------------------------


def test_choice_map_yes_no_and_single_choice():
    yes_no = {"map": {True: 4, False: 0}}  # what PyYAML makes of `yes: 4`
    assert run("choice_map", True, yes_no).score == 4
    assert run("choice_map", False, {"map": {"yes": 4, "no": 1}}).score == 1
    result = run("choice_map", "weekly", {"map": {"daily": 4, "weekly": 3}})
    assert (result.score, result.explanation) == (3, "'weekly' -> 3.00")
    assert run("choice_map", "never", {"map": {"daily": 4}}).score == 0


def test_choice_map_multi_choice_sum_is_capped_and_max_takes_the_best():
    params = {"map": {"iso27001": 2, "soc2": 2, "iso42001": 1.5}}
    result = run("choice_map", ["iso27001", "soc2", "iso42001"], params)
    assert result.score == 4
    assert result.explanation == (
        "iso27001 (2), soc2 (2), iso42001 (1.5): sum 5.5 capped at 4 -> 4.00"
    )
    assert run("choice_map", ["soc2", "iso42001"], {**params, "combine": "max"}).score == 2
    assert run("choice_map", [], params).score == 0


# --- date_validity ----------------------------------------------------------------------------


def test_date_validity_single_date():
    assert run("date_validity", "2025-09-01").score == 4
    result = run("date_validity", "2025-08-31")
    assert result.score == 0
    assert result.explanation == "2025-08-31 is not on or after 2025-09-01: not valid -> 0.00"
    later = run("date_validity", "2025-12-01", {"min_days_after_award": 180})
    assert later.score == 0 and "+ 180 days" in later.explanation


def test_date_validity_table_scores_the_valid_fraction():
    table = [
        {"cert": "ISO 27001", "expires": "2026-03-01"},
        {"cert": "SOC 2", "expires": "2024-01-01"},
        {"cert": "ISO 42001", "expires": "soon"},
        {"cert": "DPIA", "expires": "2027-01-01"},
    ]
    result = run("date_validity", table, {"date_column": "expires"})
    assert result.score == pytest.approx(2.0)
    assert "row 2 (2024-01-01), row 3 ('soon')" in result.explanation


def test_date_validity_without_award_date_is_not_assessable():
    result = run("date_validity", "2030-01-01", requirements=Requirements())
    assert result.score == 0 and "no award date set" in result.explanation


# --- properties -------------------------------------------------------------------------------

cells = st.one_of(
    st.none(), st.integers(-10, 10_000), st.floats(allow_nan=True), st.text(max_size=4)
)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "locale": st.sampled_from(["en-US", "en_us", "de-DE", "fr-FR", "", None]),
            "contributors": cells,
            "gender": st.sampled_from(["female", "male", "other"]),
            "expires": st.sampled_from(["2025-01-01", "2026-01-01", "bad", None]),
        }
    ),
    max_size=8,
)
answers = st.one_of(st.none(), rows, cells, st.booleans(), st.lists(st.text(max_size=5), max_size=4))
PARAMS = {
    "coverage": {},
    "required_fraction": {"of": "locales", "column": "locale", "count_column": "contributors"},
    "distribution_match": {"attribute": "gender", "category_column": "gender", "value_column": "contributors"},
    "threshold_bands": AT_LEAST,
    "choice_map": {"map": {"a": 3, "b": 2}},
    "date_validity": {"date_column": "expires"},
}


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(PARAMS)), value=answers)
def test_every_scorer_stays_in_range_and_explains(name, value):
    result = run(name, value, PARAMS[name])
    assert 0 <= result.score <= 4
    assert result.explanation
