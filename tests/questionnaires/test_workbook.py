"""Spreadsheets: exported answers read back identically; bad cells reported by sheet, row and column."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import Workbook, load_workbook

from app.questionnaires import parse_answer
from app.questionnaires.model import MODALITIES
from app.questionnaires.workbook import (
    ANSWERS_SHEET,
    CellError,
    answers_from_xlsx,
    neutralise,
    offline_questions,
    questionnaire_to_xlsx,
    response_to_xlsx,
    unneutralise,
)

ALL = list(MODALITIES)
SAMPLE = {
    "COV-01": [
        {"locale": "en-US", "language": "eng", "country": "US", "contributors": 120, "native_verified": None},
        {"locale": "de-DE", "language": "deu", "country": "DE", "contributors": 30, "native_verified": 12},
    ],
    "COV-05": "self_reported",
    "COV-08": 2.5,
    "COV-10": ["own_panel", "social_ads"],
    "COV-12": '=HYPERLINK("http://evil")\n+second line',
    "PRO-03": "free_pilot",
    "PRO-04": 14,
    "PRV-03": True,
    "PRV-04": False,
    "PRV-10": [{"standard": "iso_27001", "issuer": "-BSI", "scope": "@all", "expiry": "2027-01-31"}],
    "PRV-11": [{"reviewed": "2025-06-01", "changed": "2025-03-01"}],
    "QA-06": 0.82,
    "PRICE-01": 12.75,
    "SPC-01": ["clipping", "snr"],
}


def _book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def _row_of(sheet, qid: str) -> int:
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == qid:
            return row[0].row
    raise KeyError(qid)


def test_sample_answers_round_trip(vendor):
    data = response_to_xlsx(vendor, SAMPLE, ["speech"])
    result = answers_from_xlsx(vendor, data, ["speech"])
    assert result.errors == []
    assert result.answers == SAMPLE


def test_formula_like_text_is_never_a_formula(vendor):
    book = _book(response_to_xlsx(vendor, SAMPLE, ["speech"]))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
    answers = book[ANSWERS_SHEET]
    assert answers.cell(_row_of(answers, "COV-12"), 8).value.startswith("'=HYPERLINK")
    assert book["PRV-10"]["B3"].value == "'-BSI"


@pytest.mark.parametrize("text", ["=1+1", "+x", "-", "@a", "\tx", "'", "''", "'=x", "'quoted'", "plain", ""])
def test_neutralise_is_undone_exactly(text):
    assert unneutralise(neutralise(text)) == text
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_template_lists_every_question_and_table(vendor):
    book = _book(questionnaire_to_xlsx(vendor))
    overview = book["Questions"]
    assert [c.value for c in overview[1]][:7] == ["ID", "Section", "Question", "Type", "Required", "References", "Help"]
    assert [overview.cell(r, 1).value for r in range(2, overview.max_row + 1)] == [q.id for q in vendor.questions]
    tables = [q for q in vendor.questions if q.type == "table"]
    for question in tables:
        assert [c.value for c in book[question.id][2]] == [c.label for c in question.columns]


def test_response_sheets_follow_modalities(vendor):
    book = _book(response_to_xlsx(vendor, {}, ["text"]))
    answers = book[ANSWERS_SHEET]
    ids = {answers.cell(r, 1).value for r in range(2, answers.max_row + 1)}
    assert "TXT-01" in ids and "SPC-01" not in ids and "PRV-05" not in ids  # file questions are uploaded
    assert "COV-07" not in book.sheetnames and "COV-01" in book.sheetnames


def test_invalid_cells_are_reported_and_nothing_is_imported(vendor):
    book = _book(response_to_xlsx(vendor, SAMPLE, ["speech"]))
    pool = book["COV-01"]
    pool["A5"], pool["B5"], pool["C5"], pool["D5"] = "english", "eng", "US", "many"
    pool["A6"], pool["B6"], pool["C6"], pool["D6"] = "fr-FR", "fra", "XX", 3
    answers = book[ANSWERS_SHEET]
    answers.cell(_row_of(answers, "COV-08"), 8).value = 150
    book["PRV-11"]["A3"] = "31/12/2025"
    answers.cell(_row_of(answers, "COV-09"), 8).value = "=A1*2"
    answers.cell(answers.max_row + 1, 1).value = "XYZ-99"
    buffer = io.BytesIO()
    book.save(buffer)
    result = answers_from_xlsx(vendor, buffer.getvalue(), ["speech"])
    assert result.answers == {}
    found = {(e.sheet, e.row, e.column) for e in result.errors}
    assert ("COV-01", 5, "A") in found and ("COV-01", 5, "D") in found and ("COV-01", 6, "C") in found
    assert (ANSWERS_SHEET, _row_of(answers, "COV-08"), "H") in found
    assert ("PRV-11", 3, "A") in found
    assert (ANSWERS_SHEET, _row_of(answers, "COV-09"), "H") in found
    assert (ANSWERS_SHEET, answers.max_row, "A") in found
    messages = {(e.sheet, e.row, e.column): e.message for e in result.errors}
    assert messages[("COV-01", 5, "A")] == "Locale (BCP 47): 'english' is not a BCP 47 language tag (e.g. en-GB)"
    assert "formula" in messages[(ANSWERS_SHEET, _row_of(answers, "COV-09"), "H")]


def test_headers_are_checked(vendor):
    book = _book(response_to_xlsx(vendor, SAMPLE, []))
    book["COV-01"]["C2"] = "Nation"
    buffer = io.BytesIO()
    book.save(buffer)
    errors = answers_from_xlsx(vendor, buffer.getvalue(), []).errors
    assert CellError("COV-01", 2, "C", "unknown or repeated column header 'Nation'") in errors
    assert any(e.sheet == "COV-01" and "'Country (ISO 3166-1)' is missing" in e.message for e in errors)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a workbook",
        b"PK\x03\x04broken",
        _zip({"hello.txt": b"hi"}),
        _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not-xml"}),
    ],
)
def test_malformed_files_give_one_clear_error(vendor, data):
    result = answers_from_xlsx(vendor, data, [])
    assert result.answers == {} and len(result.errors) == 1
    assert "not an Excel workbook" in result.errors[0].message or "damaged" in result.errors[0].message


def test_an_empty_workbook_misses_the_answers_sheet(vendor):
    buffer = io.BytesIO()
    Workbook().save(buffer)
    result = answers_from_xlsx(vendor, buffer.getvalue(), [])
    assert result.errors == [CellError(ANSWERS_SHEET, None, None, "the sheet 'Answers' is missing")]


# --- round trip of generated answers ------------------------------------------------------------

LOCALES = ["en-US", "de-DE", "yue-HK", "es-419", "zh-Hant-TW", "pt-BR"]
LANGUAGES = ["eng", "deu", "yue", "cmn", "por"]
COUNTRIES = ["US", "DE", "HK", "BR", "IN"]
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**9),
    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
)


def _cell(column):
    kind = column.type
    if kind == "locale":
        return st.sampled_from(LOCALES)
    if kind == "language":
        return st.sampled_from(LANGUAGES)
    if kind == "country":
        return st.sampled_from(COUNTRIES)
    if kind == "choice":
        return st.sampled_from(column.option_keys)
    if kind == "yes_no":
        return st.booleans()
    if kind == "date":
        return st.dates().map(lambda d: d.isoformat())
    if kind == "percentage":
        return st.floats(min_value=0, max_value=100)
    if kind == "integer":
        return st.integers(min_value=0, max_value=10**6)
    return numbers if kind == "decimal" else text


def _raw_answer(question):
    kind = question.type
    if kind == "yes_no":
        return st.booleans()
    if kind == "single_choice":
        return st.sampled_from(question.option_keys)
    if kind == "multi_choice":
        return st.lists(st.sampled_from(question.option_keys), min_size=1)
    if kind in ("number", "percentage"):
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else (100 if kind == "percentage" else 1e9)
        whole = st.integers(min_value=int(low), max_value=int(high))
        return whole if question.integer else st.one_of(whole, st.floats(min_value=low, max_value=high))
    if kind == "date":
        return st.dates().map(lambda d: d.isoformat())
    if kind == "text":
        return text
    row = st.fixed_dictionaries(
        {c.id: (_cell(c) if c.required else st.one_of(st.none(), _cell(c))) for c in question.columns}
    )
    return st.lists(row, min_size=max(1, question.min_rows), max_size=4)


@st.composite
def answer_sets(draw, questionnaire):
    modalities = draw(st.lists(st.sampled_from(ALL), unique=True))
    answers = {}
    for question in offline_questions(questionnaire, modalities):
        if question.type == "file" or not draw(st.booleans()):
            continue
        parsed = parse_answer(question, draw(_raw_answer(question)))
        if parsed.value is not None:
            answers[question.id] = parsed.value
    return modalities, answers


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_answers_round_trip_exactly(vendor, data):
    modalities, answers = data.draw(answer_sets(vendor))
    result = answers_from_xlsx(vendor, response_to_xlsx(vendor, answers, modalities), modalities)
    assert result.errors == []
    assert result.answers == answers
