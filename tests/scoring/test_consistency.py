import pytest

from app.scoring.consistency import (
    Finding,
    check_answers,
    known_check_kinds,
    run_check,
    validate_check,
)

MIX = [
    {"locale": "en-US", "gender": "female", "share": 48.0},
    {"locale": "en-US", "gender": "male", "share": 52.0},
    {"locale": "de-DE", "gender": "female", "share": 40.0},
    {"locale": "de-DE", "gender": "male", "share": 50.0},
]
COVERAGE = [
    {"locale": "en-US", "contributors": 120},
    {"locale": "de-DE", "contributors": -5},
    {"locale": "fr-FR", "contributors": None},
]


def test_known_kinds():
    assert known_check_kinds() == ("percent_sum", "range", "total_matches")


def test_percent_sum_per_group():
    spec = {"kind": "percent_sum", "column": "share", "group_by": "locale"}
    assert run_check("DEM-01", MIX, spec, {}) == (
        Finding("DEM-01", "share adds up to 90% for locale de-DE, not 100%", "warning"),
    )


def test_percent_sum_overall_with_tolerance():
    rows = [{"share": 33.3}, {"share": 33.3}, {"share": 33.3}]
    assert run_check("Q", rows, {"kind": "percent_sum", "column": "share"}, {}) == ()
    strict = {"kind": "percent_sum", "column": "share", "tolerance": 0.05, "severity": "error"}
    (finding,) = run_check("Q", rows, strict, {})
    assert finding.severity == "error" and "99.9%" in finding.message


def test_total_matches():
    spec = {"kind": "total_matches", "column": "contributors", "total_question": "COV-02"}
    (finding,) = run_check("COV-01", COVERAGE, spec, {"COV-02": 200})
    assert finding.message == "contributors in this table adds up to 115, but COV-02 states 200"
    assert run_check("COV-01", COVERAGE, spec, {"COV-02": 115}) == ()
    assert run_check("COV-01", COVERAGE, spec, {}) == ()


def test_range_on_a_table_and_on_a_number():
    spec = {"kind": "range", "column": "contributors", "min": 0}
    assert run_check("COV-01", COVERAGE, spec, {}) == (
        Finding("COV-01", "contributors below the minimum 0 in row 2 (-5)", "error"),
    )
    share = {"kind": "range", "min": 0, "max": 100}
    assert run_check("QA-03", 120.5, share, {}) == (
        Finding("QA-03", "the answer 120.5 is above the maximum 100", "error"),
    )
    assert run_check("QA-03", 12, share, {}) == ()


def test_wrong_shape_is_a_finding_not_a_crash():
    spec = {"kind": "percent_sum", "column": "share"}
    (finding,) = run_check("DEM-01", "about half and half", spec, {})
    assert "cannot run the percent_sum check" in finding.message


def test_check_answers_runs_everything_and_skips_unanswered():
    checks = {
        "COV-01": [
            {"kind": "range", "column": "contributors", "min": 0},
            {"kind": "total_matches", "column": "contributors", "total_question": "COV-02"},
        ],
        "DEM-01": [{"kind": "percent_sum", "column": "share", "group_by": "locale"}],
        "QA-01": [{"kind": "range", "min": 0, "max": 100}],
    }
    answers = {"COV-01": COVERAGE, "COV-02": 100, "DEM-01": MIX}
    findings = check_answers(checks, answers)
    assert [(f.question_id, f.severity) for f in findings] == [
        ("COV-01", "error"),
        ("COV-01", "warning"),
        ("DEM-01", "warning"),
    ]


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"kind": "sum_to_100", "column": "x"}, "unknown check kind 'sum_to_100'"),
        ({"kind": "percent_sum"}, "needs column"),
        ({"kind": "percent_sum", "column": "x", "group": "y"}, "does not take group"),
        ({"kind": "range", "min": "0"}, "min must be a number"),
        ({"kind": "range", "severity": "fatal"}, "severity"),
        ({"kind": "percent_sum", "column": "x", "tolerance": -1}, "must not be negative"),
    ],
)
def test_bad_specs_raise(spec, message):
    with pytest.raises(ValueError, match=message):
        validate_check(spec)
    with pytest.raises(ValueError, match=message):
        check_answers({"Q": [spec]}, {})
