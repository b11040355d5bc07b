"""Raw answers from forms, JSON and spreadsheets become canonical values or precise errors."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, strategies as st

from app.questionnaires import (
    FieldError,
    missing_required,
    parse_answer,
    parse_answers,
    parse_questionnaire,
    visible_questions,
)
from app.questionnaires.answers import without_hidden
from app.questionnaires.fieldtypes import COLUMN_REGISTRY, QUESTION_REGISTRY, check_registries


def value(question, raw):
    parsed = parse_answer(question, raw)
    assert parsed.ok, parsed.errors
    return parsed.value


def errors(question, raw) -> list[str]:
    parsed = parse_answer(question, raw)
    assert parsed.value is None
    return [e.message for e in parsed.errors]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("yes", True),
        ("No", False),
        ("true", True),
        ("0", False),
        (True, True),
        (False, False),
        (1, True),
    ],
)
def test_yes_no(vendor, raw, expected):
    assert value(vendor.question("PRV-03"), raw) is expected


@pytest.mark.parametrize("raw", [None, "", "   ", [], {}])
def test_empty_input_is_no_answer_without_error(vendor, raw):
    for question in vendor.questions:
        parsed = parse_answer(question, raw)
        assert parsed.value is None and parsed.ok


def test_choices_by_key_or_label(vendor):
    question = vendor.question("PRV-01")
    assert value(question, "consent") == "consent"
    assert value(question, " Performance of a contract with the contributor ") == "contract"
    assert "is not one of the options" in errors(question, "maybe")[0]
    multi = vendor.question("COV-10")
    assert value(multi, ["universities", "own_panel", "own_panel"]) == ["own_panel", "universities"]
    assert value(multi, "Universities; own_panel") == ["own_panel", "universities"]
    assert len(errors(multi, ["own_panel", "x", "y"])) == 2


@pytest.mark.parametrize("raw, expected", [("12", 12), ("12.5", 12.5), (12.0, 12), (" 3e2 ", 300), ("-0", 0)])
def test_numbers(vendor, raw, expected):
    number = value(vendor.question("PRICE-01"), raw)
    assert number == expected and type(number) is type(expected)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("12,5", "use a dot for decimals"),
        ("twelve", "is not a number"),
        (True, "is not a number"),
        (float("nan"), "is not a number"),
        ("1e400", "is not a number"),
        (1e16, "too large"),
        ("-3", "below the minimum of 0"),
    ],
)
def test_bad_numbers(vendor, raw, message):
    assert message in errors(vendor.question("PRICE-01"), raw)[0]


def test_integer_and_bounds(vendor):
    pilot_days = vendor.question("PRO-04")
    assert "is not a whole number" in errors(pilot_days, "2.5")[0]
    agreement = vendor.question("QA-06")
    assert "above the maximum of 1" in errors(agreement, 1.5)[0]


def test_percentages(vendor):
    share = vendor.question("COV-08")
    assert value(share, "12.5%") == 12.5
    assert value(share, 3) == 3.0 and isinstance(value(share, 3), float)
    assert "between 0 and 100" in errors(share, "101")[0]


def test_dates():
    # The shipped questionnaires ask dates inside tables (PRV-10, PRV-11); a date question on its own:
    dpia = parse_questionnaire(
        {
            "id": "dates",
            "title": "Dates",
            "version": 1,
            "sections": [
                {
                    "id": "privacy",
                    "title": "Privacy",
                    "weight": 1,
                    "questions": [
                        {"id": "PRV-11", "type": "date", "text": "Last assessment?", "references": ["GDPR Art. 35"]}
                    ],
                }
            ],
        }
    ).question("PRV-11")
    assert value(dpia, "2026-03-01") == "2026-03-01"
    assert value(dpia, datetime.date(2026, 3, 1)) == "2026-03-01"
    assert value(dpia, datetime.datetime(2026, 3, 1, 12, 0)) == "2026-03-01"
    assert "YYYY-MM-DD" in errors(dpia, "01/03/2026")[0]
    assert "not a calendar date" in errors(dpia, "2026-02-30")[0]
    assert "plausible" in errors(dpia, "0202-01-01")[0]


def test_text(vendor):
    gaps = vendor.question("COV-12")
    assert value(gaps, "  line one\r\nline two \r") == "line one\nline two"
    assert value(gaps, 42) == "42"
    assert "control characters" in errors(gaps, "bad\x00text")[0]
    assert "at most 5000" in errors(gaps, "x" * 5001)[0]


def test_files_are_kept_as_given(vendor):
    consent = vendor.question("PRV-05")
    files = [{"name": "consent-de.pdf", "id": 7}]
    assert value(consent, files) == files
    assert errors(consent, "consent.pdf") == ["expected a list of uploaded files"]


def test_table_rows_are_canonical(vendor):
    pool = vendor.question("COV-01")
    rows = [
        {"locale": "en_us", "language": "en", "country": "USA", "contributors": "120", "native_verified": ""},
        {"locale": "", "language": None},
        {"Locale (BCP 47)": "de-de", "language": "deu", "country": "de", "contributors": 40.0},
        {},
    ]
    assert value(pool, rows) == [
        {"locale": "en-US", "language": "eng", "country": "US", "contributors": 120, "native_verified": None},
        {"locale": "de-DE", "language": "deu", "country": "DE", "contributors": 40, "native_verified": None},
    ]
    assert parse_answer(pool, [{}, {"locale": " "}]).value is None


def test_table_errors_name_row_column_and_problem(vendor):
    pool = vendor.question("COV-01")
    parsed = parse_answer(
        pool,
        [
            {"locale": "en-US", "language": "eng", "country": "US", "contributors": 5},
            {},
            {"locale": "english", "language": "xx", "country": "US", "contributors": "-1", "colour": "red"},
            "not a row",
        ],
    )
    messages = [e.message for e in parsed.errors]
    assert parsed.value is None
    assert "Row 3, Locale (BCP 47): 'english' is not a BCP 47 language tag (e.g. en-GB)" in messages
    assert any(m.startswith("Row 3, Language (ISO 639-3): 'xx' is not a known ISO 639-3") for m in messages)
    assert "Row 3, Active contributors: -1 is below the minimum of 0" in messages
    assert "Row 3: unknown column 'colour'" in messages
    assert "Row 4: expected a row of cells, got 'not a row'" in messages
    located = [e for e in parsed.errors if e.column == "locale"]
    assert located[0].path == ("COV-01", 3, "locale") and located[0].row == 3


def test_required_cells_and_min_rows(vendor, small):
    pool = vendor.question("COV-01")
    assert "Row 1, Country (ISO 3166-1): required" in errors(
        pool, [{"locale": "en-US", "language": "eng", "contributors": 1}]
    )
    definition = parse_questionnaire(small)
    table = definition.question("COV-01")
    assert table.min_rows == 0
    assert "is not a table" not in str(errors(table, "text"))


def test_parse_answers_collects_per_question(vendor):
    answers, problems = parse_answers(vendor, {"PRV-03": "yes", "COV-08": "200", "NOPE-01": 1, "COV-12": ""})
    assert answers == {"PRV-03": True}
    assert {e.question_id for e in problems} == {"COV-08", "NOPE-01"}


def test_visibility_follows_modalities_and_answers(vendor):
    ids = lambda answers, modalities=(): {q.id for q in visible_questions(vendor, modalities, answers)}  # noqa: E731
    assert "PRO-04" not in ids({})
    assert "PRO-04" in ids({"PRO-03": "free_pilot"})
    assert "PRO-04" not in ids({"PRO-03": "no_pilot"})
    assert "SPC-01" in ids({}, ["speech"]) and "SPC-01" not in ids({}, ["vision"])


def test_conditions_do_not_confuse_true_with_one(small):
    definition = parse_questionnaire(small)
    ids = lambda answers: {q.id for q in visible_questions(definition, [], answers)}  # noqa: E731
    assert "PRV-02" in ids({"COV-02": True})
    assert "PRV-02" not in ids({"COV-02": 1})


def test_missing_required_lists_visible_unanswered(vendor):
    missing = missing_required(vendor, {"PRO-03": "no_pilot", "PRV-03": False}, ["text"])
    assert "PRV-03" not in missing and "PRO-04" not in missing and "TXT-01" in missing
    assert "SPC-01" not in missing and "PRV-10" not in missing  # other modality; optional
    assert "PRO-04" in missing_required(vendor, {"PRO-03": "paid_pilot"}, [])


def test_without_hidden_drops_answers_of_closed_branches(vendor):
    kept = without_hidden(vendor, {"PRO-03": "no_pilot", "PRO-04": 12, "SPC-01": ["snr"]}, ["text"])
    assert kept == {"PRO-03": "no_pilot"}


def test_registries_match_the_schema():
    check_registries()
    assert set(QUESTION_REGISTRY) >= {"table", "file"} and "locale" in COLUMN_REGISTRY


junk = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.dates(),
        st.datetimes(),
        st.binary(max_size=5),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=15), st.integers()), children, max_size=5),
    ),
    max_leaves=15,
)


@given(st.data())
def test_any_raw_answer_gives_a_value_or_field_errors(vendor, data):
    question = data.draw(st.sampled_from(vendor.questions))
    raw = data.draw(junk)
    parsed = parse_answer(question, raw)
    assert all(isinstance(e, FieldError) and e.path[0] == question.id and e.message for e in parsed.errors)
    if parsed.errors:
        assert parsed.value is None
    elif parsed.value is not None:
        # Canonical values read back as themselves.
        assert parse_answer(question, parsed.value).value == parsed.value


@given(st.data())
def test_table_rows_of_strings_never_break(vendor, data):
    question = data.draw(st.sampled_from([q for q in vendor.questions if q.type == "table"]))
    keys = st.sampled_from([c.id for c in question.columns] + [c.label for c in question.columns] + ["other"])
    rows = data.draw(st.lists(st.dictionaries(keys, st.one_of(st.text(max_size=12), junk), max_size=6), max_size=5))
    parsed = parse_answer(question, rows)
    assert parsed.value is None or len(parsed.value) <= len(rows)
