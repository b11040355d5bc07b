import datetime

import pytest
from hypothesis import given, settings, strategies as st

from app.scoring.autoscorers import REQUIREMENT_CHECKS, SCORERS, get_scorer, register, validate_params
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
        "reviewed_since_change",
        "contributor_concentration",
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
        "hours_column": None,
        "columns": {"min_contributors": "contributors"},
    }


PARAMS_FOR = {
    "coverage": {"hours_column": "hours"},
    "required_fraction": {"of": "devices"},
    "distribution_match": {"attribute": "gender", "category_column": "c", "value_column": "v"},
    "threshold_bands": {"direction": "at_least", "bands": [[1, 4]]},
    "choice_map": {"map": {"a": 4}},
    "reviewed_since_change": {"reviewed_column": "reviewed", "changed_column": "changed"},
    "contributor_concentration": {"multiples": [[2, 4], [10, 1]]},
}


@pytest.mark.parametrize("name", sorted(SCORERS))
def test_unanswered_scores_zero(name):
    result = run(name, None, PARAMS_FOR.get(name, {}))
    assert result.score == 0 and result.explanation == "Unanswered: score 0.00"


# --- one rule for missing buyer data ------------------------------------------------------------

# Each scorer that reads a requirement, with requirements lacking exactly what it reads.
UNSET = {
    "coverage": Requirements(locales=(LocaleTarget("en-US"), LocaleTarget("de-DE", 0, None))),
    "required_fraction": Requirements(locales=(LocaleTarget("en-US", 10),)),
    "distribution_match": Requirements(demographics={"age": {"18_24": 1.0}}),
    "date_validity": Requirements(locales=(LocaleTarget("en-US", 10),)),
    "contributor_concentration": Requirements(locales=(LocaleTarget("en-US", 0, 100.0),)),
}
REASONS = {
    "coverage": "Not scored: the buyer set no contributor or hours target for any required locale",
    "required_fraction": "Not scored: the buyer listed no required devices",
    "distribution_match": "Not scored: the buyer set no target gender mix",
    "date_validity": "Not scored: the buyer set no award date",
    "contributor_concentration": (
        "Not scored: the buyer set no number of contributors, so the even share per contributor (1 of N) is unknown"
    ),
}


def test_every_scorer_that_reads_a_requirement_is_listed():
    assert set(REQUIREMENT_CHECKS) == set(UNSET)


@pytest.mark.parametrize("name", sorted(UNSET))
def test_a_missing_buyer_target_is_not_scored_with_the_reason(name):
    result = run(name, [{"locale": "en-US", "contributors": 5}], PARAMS_FOR.get(name, {}), UNSET[name])
    assert result.score is None and not result.scored
    assert result.explanation == REASONS[name]
    assert result.details["not_scored"] == REASONS[name].removeprefix("Not scored: ")


@settings(max_examples=120, deadline=None)
@given(name=st.sampled_from(sorted(UNSET)), value=st.deferred(lambda: answers))
def test_property_an_unset_requirement_is_never_a_free_4_nor_a_free_0(name, value):
    for requirements in (UNSET[name], Requirements()):
        result = run(name, value, PARAMS_FOR.get(name, {}), requirements)
        assert result.score is None and result.explanation.startswith("Not scored: ")


def test_the_missing_target_is_named_in_the_buyers_words():
    age = run("distribution_match", [], {**MIX, "attribute": "age"})
    assert age.explanation == "Not scored: the buyer set no target age mix"
    locales = run("coverage", [], requirements=Requirements())
    assert locales.explanation == "Not scored: the buyer listed no required locales"


# --- coverage ---------------------------------------------------------------------------------

COV_REQ = Requirements(
    locales=(
        LocaleTarget("en-US", 200, 500.0),
        LocaleTarget("hi-IN", 100, 300.0),
        LocaleTarget("de-DE", 100, 200.0),
    )
)
BOTH = {"hours_column": "hours"}


def test_coverage_takes_the_weakest_locale_in_contributors_and_hours():
    table = [
        {"locale": "en-US", "contributors": 250, "hours": 600},
        {"locale": "hi-IN", "contributors": 100, "hours": 300},
        {"locale": "de-DE", "contributors": 100, "hours": 40},
    ]
    result = run("coverage", table, BOTH, COV_REQ)
    assert result.score == pytest.approx(4 * 40 / 200)
    assert result.explanation == (
        "The weakest required locale sets the score (the minimum over locales): de-DE has 40 of 200 "
        "committed hours. Short: de-DE 100 of 100 contributors and 40 of 200 hours (20%). "
        "Met in full: en-US, hi-IN: score 0.80"
    )
    assert result.details["weakest_locale"] == "de-DE" and result.details["combined_by"] == "minimum"
    assert result.details["per_locale"][2]["unit"] == "hours"


def test_coverage_in_hours_was_ignored_before_and_now_counts():
    table = [{"locale": "en-US", "contributors": 200, "hours": 50}]
    req = Requirements(locales=(LocaleTarget("en-US", 200, 500.0),))
    assert run("coverage", table, {}, req).score == 4  # contributors only, as a v1 questionnaire asks
    assert run("coverage", table, BOTH, req).score == pytest.approx(0.4)


def test_one_uncovered_locale_cannot_hide_behind_the_others():
    table = [
        {"locale": "en-US", "contributors": 400, "hours": 900},
        {"locale": "hi-IN", "contributors": 300, "hours": 900},
    ]
    result = run("coverage", table, BOTH, COV_REQ)
    assert result.score == 0  # de-DE has nothing; a mean would have given 2.67
    assert "de-DE has 0 of 100 committed contributors" in result.explanation


def test_coverage_sums_rows_and_normalises_locales():
    table = [
        {"locale": "en_us", "contributors": 100},
        {"locale": "EN-US", "contributors": 100},
        {"locale": "de-de", "contributors": 75},
        {"locale": "fr-FR", "contributors": 999},
    ]
    assert run("coverage", table).score == pytest.approx(4 * 0.5)


def test_coverage_by_hours_leaves_out_locales_without_an_hours_target():
    table = [{"lang": "en-US", "hours": 12.5}, {"lang": "de-DE", "hours": 0}]
    result = run("coverage", table, {"locale_column": "lang", "count_column": "hours", "target": "min_hours"})
    assert result.score == pytest.approx(1.0)
    assert result.details["skipped"] == ["de-DE"]
    assert result.explanation.endswith(
        "Short: en-US 12.5 of 50 hours (25%). No volume target set, so left out: de-DE: score 1.00"
    )


def test_coverage_with_every_locale_met_says_so():
    table = [{"locale": "en-US", "contributors": 200}, {"locale": "de-DE", "contributors": 150}]
    result = run("coverage", table)
    assert result.score == 4
    assert result.explanation == ("Every required locale reaches its required volume: en-US, de-DE: score 4.00")


def test_coverage_of_a_non_table_scores_zero_and_says_why():
    result = run("coverage", "lots of contributors")
    assert result.score == 0 and result.explanation == "The answer is not a table of rows: score 0.00"


def test_coverage_param_errors():
    with pytest.raises(ValueError, match="min_contributors or min_hours"):
        run("coverage", [], {"target": "min_people"})
    with pytest.raises(ValueError, match="already holds the hours"):
        validate_params("coverage", {"target": "min_hours", "hours_column": "hours"})


@settings(max_examples=80, deadline=None)
@given(
    committed=st.lists(st.tuples(st.integers(0, 400), st.floats(0, 800)), min_size=3, max_size=3),
    locale=st.integers(0, 2),
)
def test_property_coverage_is_the_weakest_locale_and_never_above_it(committed, locale):
    table = [
        {"locale": t.locale, "contributors": c, "hours": h}
        for t, (c, h) in zip(COV_REQ.locales, committed, strict=True)
    ]
    result = run("coverage", table, BOTH, COV_REQ)
    t, (c, h) = COV_REQ.locales[locale], committed[locale]
    assert result.score <= 4 * min(1, c / t.min_contributors, h / t.min_hours) + 1e-9
    # Emptying any one locale brings the score to 0, however well the others are covered.
    table[locale] = {"locale": t.locale, "contributors": 0, "hours": 0}
    assert run("coverage", table, BOTH, COV_REQ).score == 0


# --- required_fraction ------------------------------------------------------------------------


def test_required_fraction_on_a_multi_choice_lists_missing_items():
    result = run("required_fraction", ["Smartphone", "tablet"], {"of": "devices"})
    assert result.score == pytest.approx(4 / 3)
    assert result.details["missing"] == ["headset", "far-field mic"]
    assert result.explanation == ("1 of 3 required devices offered (33%); missing: headset, far-field mic: score 1.33")


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


MUST_HAVE = {"of": "locales", "column": "locale", "count_column": "contributors", "volume": "contributors"}


def test_must_have_share_of_the_required_volume_per_mandatory_locale():
    table = [
        {"locale": "en-US", "contributors": 100},  # half of 200: reaches
        {"locale": "hi-IN", "contributors": 60},  # 60 of 100: reaches
        {"locale": "de-DE", "contributors": 40},  # 40 of 100: short
    ]
    result = run("required_fraction", table, MUST_HAVE, COV_REQ)
    assert result.score == pytest.approx(4 * 2 / 3)
    assert result.explanation == (
        "2 of 3 required locales reach half their required contributors; de-DE has 40 of 100 contributors: score 2.67"
    )
    assert result.details["missing"] == ["de-DE"]
    stricter = Requirements(locales=COV_REQ.locales, must_have_share=0.6)
    strict = run("required_fraction", table, MUST_HAVE, stricter)
    assert strict.details["missing"] == ["en-US", "de-DE"]
    assert strict.explanation.startswith("1 of 3 required locales reach 60% their required contributors")


def test_a_mandatory_locale_with_a_few_contributors_no_longer_passes_the_must_have():
    table = [{"locale": "en-US", "contributors": 1}, {"locale": "de-DE", "contributors": 1}]
    old_rule = {"of": "locales", "column": "locale", "count_column": "contributors"}
    assert run("required_fraction", table, old_rule).score == 4
    assert run("required_fraction", table, MUST_HAVE).score == 0


def test_required_fraction_param_errors():
    with pytest.raises(ValueError, match="'of' must be one of"):
        run("required_fraction", [], {"of": "colours"})
    with pytest.raises(ValueError, match="needs a 'column'"):
        run("required_fraction", [{"locale": "en-US"}], {"of": "locales"})
    with pytest.raises(ValueError, match="volume needs of: locales"):
        validate_params("required_fraction", {"of": "devices", "volume": "hours"})


# --- distribution_match -----------------------------------------------------------------------

MIX = {"attribute": "gender", "category_column": "gender", "value_column": "n"}


def test_distribution_match_is_four_times_one_minus_tvd():
    table = [{"gender": "Female", "n": 45}, {"gender": "male", "n": 55}]
    result = run("distribution_match", table, MIX)
    assert result.score == pytest.approx(4 * (1 - 0.05))
    assert result.explanation == (
        "Gender mix against the target: female 45% (target 50%), male 55% (target 50%), match 95%: score 3.80"
    )


def test_distribution_match_counts_missing_categories_as_zero():
    requirements = Requirements(demographics={"age": {"18-29": 0.5, "30-49": 0.3, "50+": 0.2}})
    table = [{"age": "18-29", "share": 60.0}, {"age": "65+", "share": 40.0}]
    params = {"attribute": "age", "category_column": "age", "value_column": "share"}
    # |0.6-0.5| + 0.3 + 0.2 + 0.4 = 1.0 -> distance 0.5
    assert run("distribution_match", table, params, requirements).score == pytest.approx(2.0)


def test_distribution_match_averages_over_every_required_locale():
    table = [
        {"locale": "en-US", "gender": "female", "n": 50},
        {"locale": "en-US", "gender": "male", "n": 50},
    ]
    result = run("distribution_match", table, {**MIX, "group_column": "locale"})
    # de-DE is required but left out: complete mismatch.
    assert result.score == pytest.approx((4 + 0) / 2)
    assert [g["group"] for g in result.details["per_group"]] == ["en-US", "de-DE"]
    assert "de-DE: not given, counts as complete mismatch, match 0%" in result.explanation
    assert result.explanation.endswith("Average match 50%: score 2.00")


def test_undisclosed_is_reported_apart_and_not_a_mismatch():
    table = [
        {"locale": "en-US", "gender": "female", "n": 45},
        {"locale": "en-US", "gender": "male", "n": 45},
        {"locale": "en-US", "gender": "undisclosed", "n": 10},
        {"locale": "de-de", "gender": "female", "n": 5},
        {"locale": "de-de", "gender": "male", "n": 5},
    ]
    result = run("distribution_match", table, {**MIX, "group_column": "locale"})
    assert result.score == 4
    assert (
        "en-US: female 50% (target 50%), male 50% (target 50%); 10 undisclosed (10%, left out of "
        "the shares), match 100%" in result.explanation
    )
    assert result.details["undisclosed"] == 10
    nothing_disclosed = [{"locale": "en-US", "gender": "undisclosed", "n": 10}]
    assert run("distribution_match", nothing_disclosed, MIX).score == 0


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
    assert run("threshold_bands", 96.5, AT_LEAST).explanation == "96.5 is at least 95: score 3.00"
    assert run("threshold_bands", 12, AT_MOST).explanation == (
        "12 meets no band (the easiest needs at most 10): score 0.00"
    )


def test_threshold_bands_rejects_bad_params_and_answers():
    with pytest.raises(ValueError, match="within 0..4"):
        run("threshold_bands", 1, {"direction": "at_least", "bands": [[1, 5]]})
    with pytest.raises(ValueError, match="at_least or at_most"):
        run("threshold_bands", 1, {"direction": "above", "bands": [[1, 4]]})
    assert run("threshold_bands", True, AT_LEAST).explanation == "The answer is not a number: score 0.00"
    assert run("threshold_bands", "95", AT_LEAST).score == 0


# --- choice_map -------------------------------------------------------------------------------


def test_choice_map_yes_no_and_single_choice():
    yes_no = {"map": {True: 4, False: 0}}  # what PyYAML makes of `yes: 4`
    assert run("choice_map", True, yes_no).explanation == "Answer: yes: score 4.00"
    assert run("choice_map", False, {"map": {"yes": 4, "no": 1}}).score == 1
    result = run("choice_map", "free_pilot", {"map": {"free_pilot": 4, "paid_pilot": 3}})
    assert (result.score, result.explanation) == (4, "Answer: free pilot: score 4.00")
    assert run("choice_map", "never", {"map": {"daily": 4}}).score == 0


def test_choice_map_multi_choice_sum_is_capped_and_max_takes_the_best():
    params = {"map": {"iso27001": 2, "soc2": 2, "iso42001": 1.5}}
    result = run("choice_map", ["iso27001", "soc2", "iso42001"], params)
    assert result.score == 4
    assert result.explanation == (
        "Chosen: iso27001 (2), soc2 (2), iso42001 (1.5); points add up to 5.5, capped at 4: score 4.00"
    )
    assert run("choice_map", ["soc2", "iso42001"], {**params, "combine": "max"}).score == 2
    assert run("choice_map", [], params).score == 0


# --- date_validity ----------------------------------------------------------------------------


def test_date_validity_single_date():
    assert run("date_validity", "2025-09-01").score == 4
    result = run("date_validity", "2025-08-31")
    assert result.score == 0
    assert result.explanation == "2025-08-31 is before 2025-09-01 (the award date): not valid: score 0.00"
    later = run("date_validity", "2025-12-01", {"min_days_after_award": 180})
    assert later.score == 0 and "(180 days after the award date 2025-09-01)" in later.explanation
    earlier = run("date_validity", "2024-12-01", {"min_days_after_award": -365})
    assert earlier.score == 4 and "(365 days before the award date 2025-09-01)" in earlier.explanation
    assert "+ -" not in earlier.explanation


CERTS = {
    "date_column": "expiry",
    "min_days_after_award": 90,
    "category_column": "standard",
    "category_scores": {"iso_27001": 4, "soc2_type2": 4, "other": 2},
}


def test_the_best_valid_certificate_counts_and_an_extra_expired_one_does_not_halve_it():
    valid = [{"standard": "iso_27001", "expiry": "2026-06-30"}]
    assert run("date_validity", valid, CERTS).score == 4
    with_expired = [*valid, {"standard": "soc2_type2", "expiry": "2024-01-01"}]
    result = run("date_validity", with_expired, CERTS)
    assert result.score == 4
    assert result.explanation == (
        "Best valid on 2025-11-30 (90 days after the award date 2025-09-01): iso 27001, until "
        "2026-06-30 (worth 4); not valid then: soc2 type2 (until 2024-01-01): score 4.00"
    )
    assert run("date_validity", [{"standard": "other", "expiry": "2030-01-01"}], CERTS).score == 2


def test_date_validity_table_without_categories_scores_its_best_row():
    table = [
        {"cert": "ISO 27001", "expires": "2026-03-01"},
        {"cert": "SOC 2", "expires": "2024-01-01"},
        {"cert": "ISO 42001", "expires": "soon"},
    ]
    result = run("date_validity", table, {"date_column": "expires"})
    assert result.score == 4
    assert "row 2 (until 2024-01-01), row 3 (no readable date)" in result.explanation
    assert run("date_validity", table[1:], {"date_column": "expires"}).score == 0


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "standard": st.sampled_from(["iso_27001", "soc2_type2", "other", "unknown"]),
                "expiry": st.sampled_from(["2024-01-01", "2025-12-01", "2027-01-01", "bad", None]),
            }
        ),
        min_size=1,
        max_size=5,
    ),
    extra=st.fixed_dictionaries(
        {
            "standard": st.sampled_from(["iso_27001", "other", "unknown"]),
            "expiry": st.sampled_from(["2024-01-01", "2027-01-01", None]),
        }
    ),
)
def test_property_disclosing_another_certificate_never_lowers_the_score(rows, extra):
    before = run("date_validity", rows, CERTS).score
    assert run("date_validity", [*rows, extra], CERTS).score >= before
    assert run("date_validity", [extra, *rows], CERTS).score >= before


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "locale": st.sampled_from(["en-US", "hi-IN", "de-DE", "fr-FR"]),
                "contributors": st.integers(0, 300),
                "hours": st.floats(0, 600),
            }
        ),
        max_size=5,
    ),
    extra=st.fixed_dictionaries(
        {
            "locale": st.sampled_from(["en-US", "de-DE", "fr-FR"]),
            "contributors": st.integers(0, 300),
            "hours": st.floats(0, 600),
        }
    ),
)
def test_property_committing_more_never_lowers_coverage_or_the_must_have(rows, extra):
    for name, params in (("coverage", BOTH), ("required_fraction", MUST_HAVE)):
        before = run(name, rows, params, COV_REQ).score
        assert run(name, [*rows, extra], params, COV_REQ).score >= before - 1e-9


# --- reviewed_since_change (DPIA) ---------------------------------------------------------------

DPIA = {"reviewed_column": "reviewed", "changed_column": "changed"}


def test_a_dpia_is_current_when_reviewed_since_the_processing_last_changed():
    old_but_current = [{"reviewed": "2021-05-01", "changed": "2020-11-01"}]
    result = run("reviewed_since_change", old_but_current, DPIA, Requirements())
    assert result.score == 4  # five years old, but nothing changed since: no 365-day clock
    assert result.explanation == (
        "The assessment was reviewed on 2021-05-01, on or after the last change to the processing on "
        "2020-11-01: current: score 4.00"
    )
    recent_but_stale = [{"reviewed": "2025-08-01", "changed": "2025-08-20"}]
    stale = run("reviewed_since_change", recent_but_stale, DPIA)
    assert stale.score == 0 and "before the processing last changed on 2025-08-20: out of date" in stale.explanation
    missing = run("reviewed_since_change", [{"reviewed": "2025-08-01", "changed": None}], DPIA)
    assert missing.score == 0 and "no date of the last change given" in missing.explanation


# --- contributor_concentration ------------------------------------------------------------------

SPREAD = {"multiples": [[2, 4], [5, 3], [10, 2], [20, 1]]}


def test_concentration_is_measured_against_the_even_share():
    requirements = Requirements(locales=(LocaleTarget("en-US", 150), LocaleTarget("de-DE", 50)))
    # 200 contributors: an even share is 0.5%; 1.5% is 3 times that.
    result = run("contributor_concentration", 1.5, SPREAD, requirements)
    assert result.score == 3
    assert result.explanation == (
        "The largest contributor delivered 1.5% of the data. With the 200 contributors required, an "
        "even share is 0.5%, so this is 3 times the even share (at most 5 times scores 3): score 3.00"
    )
    # The same 1.5% from a project of 20 contributors (even share 5%) is well balanced.
    small = Requirements(locales=(LocaleTarget("en-US", 20),))
    assert run("contributor_concentration", 1.5, SPREAD, small).score == 4
    assert run("contributor_concentration", 50, SPREAD, requirements).score == 0


@settings(max_examples=80, deadline=None)
@given(people=st.integers(1, 5000))
def test_property_n_balanced_contributors_score_4(people):
    requirements = Requirements(locales=(LocaleTarget("en-US", people),))
    assert run("contributor_concentration", 100 / people, SPREAD, requirements).score == 4


# --- plain language -----------------------------------------------------------------------------

FORBIDDEN = ("True", "False", "None", "+ -", "->", "'", "min_contributors", "min_hours", "_")


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(sorted(SCORERS)), value=st.deferred(lambda: answers))
def test_property_explanations_use_no_internal_words(name, value):
    params = {**PARAMS[name]}
    if name == "required_fraction":
        params = MUST_HAVE
    if name == "distribution_match":
        params = {
            "attribute": "gender",
            "category_column": "gender",
            "value_column": "contributors",
            "group_column": "locale",
        }
    if name == "choice_map":
        params = {"map": {"self_reported": 3, "b": 2}}
    requirements = Requirements(
        locales=(LocaleTarget("en-US", 200, 50.0), LocaleTarget("de-DE", 150)),
        demographics={"gender": {"female": 0.5, "male": 0.5}},
        devices=("smartphone", "far_field"),
        award_date=datetime.date(2025, 9, 1),
    )
    explanation = run(name, value, params, requirements).explanation
    for word in FORBIDDEN:
        assert word not in explanation, (word, explanation)


# --- properties -------------------------------------------------------------------------------

cells = st.one_of(st.none(), st.integers(-10, 10_000), st.floats(allow_nan=True), st.text(max_size=4))
rows = st.lists(
    st.fixed_dictionaries(
        {
            "locale": st.sampled_from(["en-US", "en_us", "de-DE", "fr-FR", "", None]),
            "contributors": cells,
            "hours": cells,
            "gender": st.sampled_from(["female", "male", "other", "undisclosed"]),
            "expires": st.sampled_from(["2025-01-01", "2026-01-01", "bad", None]),
            "reviewed": st.sampled_from(["2025-01-01", "2026-01-01", "bad", None]),
            "changed": st.sampled_from(["2025-06-01", None]),
        }
    ),
    max_size=8,
)
answers = st.one_of(
    st.none(),
    rows,
    cells,
    st.booleans(),
    st.lists(st.sampled_from(["self_reported", "b", "smartphone", "other"]), max_size=4),
)
PARAMS = {
    "coverage": {"hours_column": "hours"},
    "required_fraction": {"of": "locales", "column": "locale", "count_column": "contributors"},
    "distribution_match": {"attribute": "gender", "category_column": "gender", "value_column": "contributors"},
    "threshold_bands": AT_LEAST,
    "choice_map": {"map": {"a": 3, "b": 2}},
    "date_validity": {"date_column": "expires"},
    "reviewed_since_change": DPIA,
    "contributor_concentration": SPREAD,
}


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(PARAMS)), value=answers)
def test_every_scorer_stays_in_range_and_explains(name, value):
    result = run(name, value, PARAMS[name])
    assert result.score is None or 0 <= result.score <= 4
    assert result.explanation
