"""Spreadsheets: a questionnaire for reading offline, and a response a vendor fills in Excel and uploads.

Layout of a response workbook:

* ``Answers``: one row per non-table question shown for the evaluation's modalities (file questions
  are answered in the app), with the answer in the ``Answer`` column. Choices are written as labels;
  several choices are separated by ``;``.
* one sheet per table question, named by question id: row 1 the question, row 2 the column headers,
  rows from 3 on the data.
* ``Lists`` (hidden): option labels behind the drop-downs.

Text that Excel would evaluate (starting with ``= + - @``, tab or CR) is written with a leading ``'``,
which reading removes again. Reading reports every bad cell by sheet, Excel row and column letter,
and returns no answers at all when there is any error, so a half-valid upload is never imported.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.questionnaires.answers import parse_answer
from app.questionnaires.fieldtypes import DEFAULT_MAX_ROWS
from app.questionnaires.model import Column, Question, Questionnaire

ANSWERS_SHEET = "Answers"
SCORED_AGAINST_SHEET = "Scored against"
OVERVIEW_SHEET = "Questions"
LISTS_SHEET = "Lists"
ANSWER_HEADERS = (
    "Question ID",
    "Section",
    "Question",
    "Type",
    "Allowed values / unit",
    "Required",
    "Shown when",
    "Answer",
)
HEADER_ROW, FIRST_DATA_ROW = 2, 3  # of a table sheet
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, before openpyxl inflates it
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class CellError:
    """One bad cell (or sheet, when ``row`` is None): ``row`` as Excel numbers it, ``column`` a letter."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f"!{self.column or ''}{self.row}" if self.row else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class WorkbookImport:
    """Answers read from an uploaded workbook (empty whenever ``errors`` is not)."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula (and to text already starting with one)."""
    if text.startswith(_FORMULA_START) or (len(text) > 1 and text[0] == "'" and text[1] in "'=+-@\t\r"):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise`."""
    if len(text) > 1 and text[0] == "'" and text[1] in "'=+-@\t\r":
        return text[1:]
    return text


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> None:
    sheet.cell(row, column, neutralise(value) if isinstance(value, str) else value)


def offline_questions(questionnaire: Questionnaire, modalities: Collection[str]) -> list[Question]:
    """Questions shown for ``modalities`` whatever the answers (conditions go in "Shown when")."""
    return [
        q
        for s in questionnaire.sections
        if s.visible_if is None or s.visible_if.modality_ok(modalities)
        for q in s.questions
        if q.visible_if is None or q.visible_if.modality_ok(modalities)
    ]


def _allowed(spec: Question | Column) -> str:
    kind = spec.type
    if kind == "yes_no":
        return "yes or no"
    if kind in ("single_choice", "choice"):
        return "one of: " + "; ".join(o.label for o in spec.options)
    if kind == "multi_choice":
        return "any of (separate with ;): " + "; ".join(o.label for o in spec.options)
    if kind in ("number", "integer", "decimal", "percentage"):
        bounds = [
            f"at least {spec.min}" if spec.min is not None else "",
            f"at most {spec.max}" if spec.max is not None else "",
        ]
        word = (
            "whole number"
            if kind == "integer" or getattr(spec, "integer", False)
            else ("percentage, 0 to 100" if kind == "percentage" else "number")
        )
        return ", ".join(p for p in (word, *bounds, spec.unit or "") if p)
    return {
        "date": "date, YYYY-MM-DD",
        "locale": "BCP 47 tag, e.g. en-GB",
        "language": "ISO 639-3 code, e.g. eng",
        "country": "ISO 3166-1 code, e.g. DE",
        "file": "upload in DataVet",
    }.get(kind, "text")


def _condition(questionnaire: Questionnaire, question: Question) -> str:
    condition = question.visible_if.answer if question.visible_if else None
    if condition is None:
        return ""
    control = questionnaire.question(condition.question)
    values = " or ".join(str(_cell_value(control, value)) for value in condition.values)
    return f"{condition.question} is {values}"


def _cell_value(spec: Question | Column, value: Any) -> Any:
    """A canonical answer value as it appears in a cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if spec.type in ("single_choice", "choice"):
        return next((o.label for o in spec.options if o.key == value), value)
    if spec.type == "multi_choice":
        labels = {o.key: o.label for o in spec.options}
        return "; ".join(labels.get(key, key) for key in value)
    return value


class _Lists:
    """The hidden sheet of option labels that drop-downs point at."""

    def __init__(self, book: Workbook):
        self.sheet = book.create_sheet(LISTS_SHEET)
        self.sheet.sheet_state = "hidden"
        self.next_column = 1

    def dropdown(self, sheet: Worksheet, spec: Question | Column, cells: str) -> None:
        labels = ["yes", "no"] if spec.type == "yes_no" else [o.label for o in spec.options]
        column = self.next_column
        self.next_column += 1
        for row, label in enumerate(labels, start=1):
            _put(self.sheet, row, column, label)
        letter = get_column_letter(column)
        source = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(labels)}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True)
        validation.add(cells)
        sheet.add_data_validation(validation)


def _table_sheet(book: Workbook, lists: _Lists, question: Question, rows: list[Mapping[str, Any]]) -> None:
    sheet = book.create_sheet(question.id)
    _put(sheet, 1, 1, f"{question.id}: {question.text}")
    sheet.cell(1, 1).font = _BOLD
    last_row = FIRST_DATA_ROW + max(len(rows), question.max_rows or 200) - 1
    for index, column in enumerate(question.columns, start=1):
        _put(sheet, HEADER_ROW, index, column.label)
        sheet.cell(HEADER_ROW, index).font = _BOLD
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, min(40, len(column.label) + 4))
        if column.type in ("choice", "yes_no"):
            lists.dropdown(sheet, column, f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        for offset, row in enumerate(rows):
            _put(sheet, FIRST_DATA_ROW + offset, index, _cell_value(column, row.get(column.id)))
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 1)


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def questionnaire_to_xlsx(questionnaire: Questionnaire) -> bytes:
    """The questionnaire for reading offline: an overview sheet and one sheet per table question."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one ordinary sheet
    sheet.title = OVERVIEW_SHEET
    headers = (
        "ID",
        "Section",
        "Question",
        "Type",
        "Required",
        "References",
        "Help",
        "Allowed values / unit",
        "Shown when",
    )
    for index, header in enumerate(headers, start=1):
        _put(sheet, 1, index, header)
        sheet.cell(1, index).font = _BOLD
    lists = _Lists(book)
    for row, question in enumerate(questionnaire.questions, start=2):
        section = questionnaire.section_of(question)
        shown = ", ".join(section.visible_if.modalities) if section.visible_if else ""
        values = (
            question.id,
            section.title,
            question.text,
            question.type,
            "yes" if question.required else "no",
            "; ".join(question.references),
            question.help or "",
            _allowed(question),
            "; ".join(p for p in (shown and f"modality {shown}", _condition(questionnaire, question)) if p),
        )
        for index, value in enumerate(values, start=1):
            _put(sheet, row, index, value)
            sheet.cell(row, index).alignment = _WRAP
        if question.type == "table":
            _table_sheet(book, lists, question, [])
    for letter, width in zip("ABCDEFGHI", (10, 22, 60, 14, 9, 40, 40, 30, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    return _save(book)


def response_to_xlsx(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    modalities: Collection[str],
    scored_against: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A workbook the vendor fills offline, pre-filled with ``answers`` (canonical values).

    ``scored_against`` rows (topic, text) become a read-only sheet of what the response is scored
    against; the import ignores it.
    """
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook starts with one ordinary sheet
    sheet.title = ANSWERS_SHEET
    for index, header in enumerate(ANSWER_HEADERS, start=1):
        _put(sheet, 1, index, header)
        sheet.cell(1, index).font = _BOLD
    lists = _Lists(book)
    row = 2
    answer_column = len(ANSWER_HEADERS)
    for question in offline_questions(questionnaire, modalities):
        if question.type == "table":
            _table_sheet(book, lists, question, answers.get(question.id) or [])
            continue
        if question.type == "file":
            continue
        values = (
            question.id,
            questionnaire.section_of(question).title,
            question.text,
            question.type,
            _allowed(question),
            "yes" if question.required else "no",
            _condition(questionnaire, question),
            _cell_value(question, answers.get(question.id)),
        )
        for index, value in enumerate(values, start=1):
            _put(sheet, row, index, value)
            sheet.cell(row, index).alignment = _WRAP
        if question.type in ("yes_no", "single_choice"):
            lists.dropdown(sheet, question, f"{get_column_letter(answer_column)}{row}")
        row += 1
    for letter, width in zip("ABCDEFGH", (10, 20, 60, 14, 36, 9, 18, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    if scored_against:
        brief = book.create_sheet(SCORED_AGAINST_SHEET)
        _put(brief, 1, 1, "What your response is scored against")
        brief.cell(1, 1).font = _BOLD
        for row_number, (topic, text) in enumerate(scored_against, start=2):
            _put(brief, row_number, 1, topic)
            _put(brief, row_number, 2, text)
        brief.column_dimensions["A"].width, brief.column_dimensions["B"].width = 18, 100
        brief.protection.sheet = True
    return _save(book)


def _raw(cell: Any) -> Any:
    """A cell's value as parse_answer expects it: text un-neutralised, date-times as dates."""
    value = cell.value
    if isinstance(value, str):
        return unneutralise(value)
    if isinstance(value, datetime):
        return value.date()
    return value


def _open(data: bytes) -> tuple[Any, CellError | None]:
    refusal = CellError(
        "(file)",
        None,
        None,
        "this is not an Excel workbook (.xlsx); download the template from DataVet and fill that in",
    )
    if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_UPLOAD_BYTES:
        return None, CellError(
            "(file)", None, None, f"the file must be an .xlsx of at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
                return None, CellError("(file)", None, None, "the workbook is too large once unpacked")
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it ignores (extensions, styles); they do not matter here.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=True, data_only=False), None
    except Exception:  # noqa: BLE001 - any failure to read an uploaded file is the same answer to the vendor
        return None, refusal


def answers_from_xlsx(questionnaire: Questionnaire, data: bytes, modalities: Collection[str]) -> WorkbookImport:
    """Read a filled response workbook; every invalid cell is reported and then nothing is imported."""
    book, refusal = _open(data)
    if refusal is not None:
        return WorkbookImport({}, [refusal])
    try:
        answers, errors = _read_book(book, questionnaire, modalities)
    except Exception:  # noqa: BLE001 - a corrupt part may only fail while rows are streamed
        answers, errors = {}, [CellError("(file)", None, None, "the workbook is damaged and cannot be read")]
    finally:
        book.close()
    return WorkbookImport({} if errors else answers, errors)


def _formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f"


def _read_book(
    book: Any, questionnaire: Questionnaire, modalities: Collection[str]
) -> tuple[dict[str, Any], list[CellError]]:
    questions = {q.id: q for q in offline_questions(questionnaire, modalities)}
    answers: dict[str, Any] = {}
    errors: list[CellError] = []
    if ANSWERS_SHEET in book.sheetnames:
        _read_answers(book[ANSWERS_SHEET], questions, answers, errors)
    elif any(q.type not in ("table", "file") for q in questions.values()):
        errors.append(CellError(ANSWERS_SHEET, None, None, "the sheet 'Answers' is missing"))
    for question in questions.values():
        if question.type == "table" and question.id in book.sheetnames:
            _read_table(book[question.id], question, answers, errors)
    return answers, errors


def _read_answers(
    sheet: Any, questions: Mapping[str, Question], answers: dict[str, Any], errors: list[CellError]
) -> None:
    rows = sheet.iter_rows()
    header = [str(c.value).strip() if c.value is not None else "" for c in next(rows, ())]
    if "Question ID" not in header or "Answer" not in header:
        errors.append(CellError(ANSWERS_SHEET, 1, None, "the header row needs 'Question ID' and 'Answer' columns"))
        return
    id_index, answer_index = header.index("Question ID"), header.index("Answer")
    letter = get_column_letter(answer_index + 1)
    seen: set[str] = set()
    for number, cells in enumerate(rows, start=2):
        cells = tuple(cells)
        qid_cell = cells[id_index] if id_index < len(cells) else None
        qid = _raw(qid_cell) if qid_cell is not None else None
        if qid is None or (isinstance(qid, str) and not qid.strip()):
            continue
        qid = str(qid).strip()
        question = questions.get(qid)
        cell = cells[answer_index] if answer_index < len(cells) else None
        if question is None or question.type in ("table", "file"):
            why = (
                "is not a question of this evaluation"
                if question is None
                else f"is answered on its own sheet '{qid}'"
                if question.type == "table"
                else "is answered by upload in DataVet"
            )
            errors.append(CellError(ANSWERS_SHEET, number, get_column_letter(id_index + 1), f"{qid} {why}"))
            continue
        if qid in seen:
            errors.append(CellError(ANSWERS_SHEET, number, get_column_letter(id_index + 1), f"{qid} appears twice"))
            continue
        seen.add(qid)
        if cell is not None and _formula(cell):
            errors.append(CellError(ANSWERS_SHEET, number, letter, f"{qid}: a formula; type the value itself"))
            continue
        parsed = parse_answer(question, _raw(cell) if cell is not None else None)
        errors.extend(CellError(ANSWERS_SHEET, number, letter, f"{qid}: {e.message}") for e in parsed.errors)
        if parsed.value is not None:
            answers[qid] = parsed.value


def _without_row(message: str, row: int | None) -> str:
    """Drop parse_answer's "Row N, " prefix: the cell reference already says where."""
    for prefix in (f"Row {row}, ", f"Row {row}: "):
        if row is not None and message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _read_table(sheet: Any, question: Question, answers: dict[str, Any], errors: list[CellError]) -> None:
    by_name = {}
    for column in question.columns:
        by_name[column.label.casefold()] = column
        by_name.setdefault(column.id, column)
    positions: dict[int, Column] = {}
    letters: dict[str, str] = {}
    raw_rows: list[dict[str, Any]] = []
    for number, cells in enumerate(sheet.iter_rows(min_row=HEADER_ROW), start=HEADER_ROW):
        if number == HEADER_ROW:
            for index, cell in enumerate(cells):
                header = _raw(cell)
                if header is None or (isinstance(header, str) and not header.strip()):
                    continue
                named = by_name.get(str(header).strip().casefold())
                if named is None or named.id in letters:
                    errors.append(
                        CellError(
                            question.id,
                            number,
                            get_column_letter(index + 1),
                            f"unknown or repeated column header '{header}'",
                        )
                    )
                    continue
                positions[index] = named
                letters[named.id] = get_column_letter(index + 1)
            for column in question.columns:
                if column.required and column.id not in letters:
                    errors.append(CellError(question.id, HEADER_ROW, None, f"the column '{column.label}' is missing"))
            continue
        row: dict[str, Any] = {}
        for index, cell in enumerate(cells):
            if index in positions and cell.value is not None:
                if _formula(cell):
                    errors.append(
                        CellError(
                            question.id,
                            number,
                            get_column_letter(index + 1),
                            f"{positions[index].label}: a formula; type the value itself",
                        )
                    )
                    continue
                row[positions[index].id] = _raw(cell)
        raw_rows.append(row)
        if len(raw_rows) > 10 * DEFAULT_MAX_ROWS:
            errors.append(CellError(question.id, number, None, "too many rows"))
            return
    parsed = parse_answer(question, raw_rows)
    for error in parsed.errors:
        row_number = error.row + FIRST_DATA_ROW - 1 if error.row is not None else None
        message = _without_row(error.message, error.row)
        errors.append(CellError(question.id, row_number, letters.get(error.column or ""), message))
    if parsed.value is not None:
        answers[question.id] = parsed.value
