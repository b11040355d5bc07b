"""The registry of answer types: for each question type and table column type, parse + validate.

``parse(raw, spec)`` turns what a form, JSON or a spreadsheet gave (already known not to be empty) into
the canonical JSON value, raising :class:`Invalid`; ``validate(value, spec)`` checks that value against
the question's or column's constraints (range, options, length) and returns messages. ``spec`` is the
:class:`~app.questionnaires.model.Question` or :class:`~app.questionnaires.model.Column`.

The registries are checked against the type names of the schema when this module is imported, so a
type the schema accepts but nothing can parse fails at start-up, not on a vendor's submission.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.questionnaires.codes import CodeError, check_country, check_language, check_locale
from app.questionnaires.model import COLUMN_TYPES, QUESTION_TYPES, Column, Question

YES = frozenset({"yes", "y", "true", "1", "on"})
NO = frozenset({"no", "n", "false", "0", "off"})
MAX_MAGNITUDE = 1e15  # beyond 15 significant digits a spreadsheet silently rounds the number
DEFAULT_TEXT_LENGTH = 5000
DEFAULT_CELL_LENGTH = 500
DEFAULT_MAX_ROWS = 1000
MIN_YEAR, MAX_YEAR = 1900, 2199
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Characters XML 1.0 (and so .xlsx) cannot hold, plus lone surrogates that cannot be encoded at all.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Invalid(ValueError):
    """A raw value could not be read; ``problems`` are ``(path suffix, message)`` pairs."""

    def __init__(self, message: str | None = None, problems: list[tuple[tuple[Any, ...], str]] | None = None):
        self.problems = problems if problems is not None else [((), message or "invalid value")]
        super().__init__("; ".join(m for _, m in self.problems))


@dataclass(frozen=True)
class FieldType:
    """How one type of answer or cell is read and checked."""

    name: str
    parse: Callable[[Any, Any], Any]
    validate: Callable[[Any, Any], list[str]]


def is_empty(raw: Any) -> bool:
    """True for "no answer": None, blank text, an empty list or mapping."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, (list, tuple, dict)):
        return len(raw) == 0
    return False


def shown(raw: Any) -> str:
    """A raw value quoted for a message, cut when long."""
    text = "a list" if isinstance(raw, (list, tuple)) else "a mapping" if isinstance(raw, Mapping) else repr(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def _no_checks(value: Any, spec: Any) -> list[str]:
    return []


def _parse_yes_no(raw: Any, spec: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in YES:
            return True
        if word in NO:
            return False
    raise Invalid(f"{shown(raw)} is not yes or no")


def _match_option(raw: Any, spec: Question | Column) -> str:
    if isinstance(raw, str):
        wanted = raw.strip().casefold()
        for option in spec.options:
            if wanted in (option.key.casefold(), option.label.casefold()):
                return option.key
    choices = ", ".join(o.label for o in spec.options)
    raise Invalid(f"{shown(raw)} is not one of the options ({choices})")


def _parse_multi(raw: Any, spec: Any) -> list[str]:
    if isinstance(raw, str):
        items: list[Any] = [part for part in re.split(r"[;\n]", raw) if part.strip()]
    elif isinstance(raw, (list, tuple)):
        items = [item for item in raw if not is_empty(item)]
    else:
        raise Invalid(f"{shown(raw)} is not a list of options")
    chosen: set[str] = set()
    problems: list[tuple[tuple[Any, ...], str]] = []
    for item in items:
        try:
            chosen.add(_match_option(item, spec))
        except Invalid as exc:
            problems.extend(exc.problems)
    if problems:
        raise Invalid(problems=problems)
    # Canonical order is the options' order, so equal selections compare equal.
    return [key for key in (o.key for o in spec.options) if key in chosen]


def _to_number(raw: Any) -> float | int:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise Invalid(f"{shown(raw)} is not a number")
    number: float | int
    if isinstance(raw, str):
        text = raw.strip().replace("\u2212", "-")
        if len(text) > 40:
            raise Invalid(f"{shown(raw)} is not a number (or far too long)")
        if not _NUMBER.fullmatch(text):
            if re.fullmatch(r"[+-]?\d+,\d+", text):
                raise Invalid(f"{shown(raw)} is not a number: use a dot for decimals (e.g. 12.5)")
            raise Invalid(f"{shown(raw)} is not a number")
        number = float(text) if any(c in text for c in ".eE") else int(text)
    else:
        number = raw
    if isinstance(number, float) and not math.isfinite(number):
        raise Invalid(f"{shown(number)} is not a number")
    if abs(number) > MAX_MAGNITUDE:
        raise Invalid(f"{shown(number)} is too large")
    return number


def _canonical_number(value: float | int) -> float | int:
    # Whole numbers are ints: 12, 12.0 and "12" are the same answer, in JSON and in a spreadsheet.
    if float(value).is_integer():
        return int(value)
    # Spreadsheets keep 15 significant digits; rounding here means an exported answer reads back equal.
    return float(f"{value:.15g}")


def _parse_number(raw: Any, spec: Any) -> float | int:
    return _canonical_number(_to_number(raw))


def _parse_integer(raw: Any, spec: Any) -> int:
    value = _to_number(raw)
    if not float(value).is_integer():
        raise Invalid(f"{shown(raw)} is not a whole number")
    return int(value)


def _parse_percentage(raw: Any, spec: Any) -> float:
    if isinstance(raw, str) and raw.strip().endswith("%"):
        raw = raw.strip()[:-1]
    value = float(f"{_to_number(raw):.15g}")
    if not 0 <= value <= 100:
        raise Invalid(f"{shown(raw)} is not a percentage between 0 and 100")
    return value + 0.0  # turns -0.0 into 0.0


def _check_range(value: Any, spec: Any) -> list[str]:
    messages = []
    if getattr(spec, "integer", False) and not float(value).is_integer():
        messages.append(f"{value} is not a whole number")
    if spec.min is not None and value < spec.min:
        messages.append(f"{value} is below the minimum of {spec.min}")
    if spec.max is not None and value > spec.max:
        messages.append(f"{value} is above the maximum of {spec.max}")
    return messages


def _parse_date(raw: Any, spec: Any) -> str:
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, datetime.date):
        when = raw
    elif isinstance(raw, str) and _DATE.fullmatch(raw.strip()):
        try:
            when = datetime.date.fromisoformat(raw.strip())
        except ValueError:
            raise Invalid(f"{shown(raw)} is not a calendar date") from None
    else:
        raise Invalid(f"{shown(raw)} is not a date in the form YYYY-MM-DD (e.g. 2026-03-01)")
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise Invalid(f"{shown(raw)} is not a plausible date (years {MIN_YEAR} to {MAX_YEAR})")
    return when.isoformat()


def _parse_text(raw: Any, spec: Any) -> str:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # A spreadsheet turns "12" typed in a text cell into a number; the vendor meant the text.
        raw = str(_canonical_number(raw)) if math.isfinite(raw) else str(raw)
    if not isinstance(raw, str):
        raise Invalid(f"{shown(raw)} is not text")
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if _UNSTORABLE.search(text):
        raise Invalid("contains control characters that cannot be stored; remove them")
    return text


def _check_length(value: str, spec: Any, default: int) -> list[str]:
    limit = spec.max_length or default
    return [f"is {len(value)} characters long; at most {limit} are allowed"] if len(value) > limit else []


def _parse_files(raw: Any, spec: Any) -> list[dict[str, Any]]:
    # Attachments are stored by the app; here a file answer is only its list of descriptions.
    if isinstance(raw, (list, tuple)) and all(isinstance(item, Mapping) for item in raw):
        return [dict(item) for item in raw]
    raise Invalid("expected a list of uploaded files")


def _code(check: Callable[[str], str]) -> Callable[[Any, Any], str]:
    def parse(raw: Any, spec: Any) -> str:
        if not isinstance(raw, str):
            raise Invalid(f"{shown(raw)} is not a code")
        try:
            return check(raw)
        except CodeError as exc:
            raise Invalid(str(exc)) from None

    return parse


def _parse_table(raw: Any, spec: Any) -> list[dict[str, Any]]:
    """Rows as mappings of column id (or label) -> raw cell; fully empty rows are dropped."""
    if not isinstance(raw, (list, tuple)):
        raise Invalid(f"expected a table (a list of rows), got {shown(raw)}")
    by_name = {}
    for column in spec.columns:
        by_name[column.id] = column
        by_name.setdefault(column.label.casefold(), column)
    rows: list[dict[str, Any]] = []
    problems: list[tuple[tuple[Any, ...], str]] = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping):
            problems.append(((number,), f"Row {number}: expected a row of cells, got {shown(entry)}"))
            continue
        cells: dict[str, Any] = {}
        for name, cell in entry.items():
            column = by_name.get(name) or (by_name.get(name.casefold()) if isinstance(name, str) else None)
            if column is None:
                if not is_empty(cell):
                    problems.append(((number,), f"Row {number}: unknown column {shown(name)}"))
                continue
            cells[column.id] = cell
        if all(is_empty(cell) for cell in cells.values()):
            continue
        row: dict[str, Any] = {}
        for column in spec.columns:
            cell = cells.get(column.id)
            row[column.id] = None
            if is_empty(cell):
                if column.required:
                    problems.append(((number, column.id), f"Row {number}, {column.label}: required"))
                continue
            try:
                value = COLUMN_REGISTRY[column.type].parse(cell, column)
            except Invalid as exc:
                problems.extend(((number, column.id), f"Row {number}, {column.label}: {m}") for _, m in exc.problems)
                continue
            messages = COLUMN_REGISTRY[column.type].validate(value, column)
            problems.extend(((number, column.id), f"Row {number}, {column.label}: {m}") for m in messages)
            row[column.id] = value
        rows.append(row)
    if problems:
        raise Invalid(problems=problems)
    return rows


def _check_rows(rows: list[dict[str, Any]], spec: Any) -> list[str]:
    messages = []
    if rows and len(rows) < spec.min_rows:
        messages.append(f"needs at least {spec.min_rows} rows, got {len(rows)}")
    limit = spec.max_rows or DEFAULT_MAX_ROWS
    if len(rows) > limit:
        messages.append(f"has {len(rows)} rows; at most {limit} are allowed")
    return messages


def _check_options(value: Any, spec: Any) -> list[str]:
    keys = set(spec.option_keys)
    chosen = value if isinstance(value, list) else [value]
    return [f"{v!r} is not one of the options" for v in chosen if v not in keys]


QUESTION_REGISTRY: dict[str, FieldType] = {
    "yes_no": FieldType("yes_no", _parse_yes_no, _no_checks),
    "single_choice": FieldType("single_choice", _match_option, _check_options),
    "multi_choice": FieldType("multi_choice", _parse_multi, _check_options),
    "number": FieldType("number", _parse_number, _check_range),
    "percentage": FieldType("percentage", _parse_percentage, _check_range),
    "date": FieldType("date", _parse_date, _no_checks),
    "text": FieldType("text", _parse_text, lambda v, s: _check_length(v, s, DEFAULT_TEXT_LENGTH)),
    "file": FieldType("file", _parse_files, _no_checks),
    "table": FieldType("table", _parse_table, _check_rows),
}
COLUMN_REGISTRY: dict[str, FieldType] = {
    "locale": FieldType("locale", _code(check_locale), _no_checks),
    "language": FieldType("language", _code(check_language), _no_checks),
    "country": FieldType("country", _code(check_country), _no_checks),
    "integer": FieldType("integer", _parse_integer, _check_range),
    "decimal": FieldType("decimal", _parse_number, _check_range),
    "percentage": FieldType("percentage", _parse_percentage, _check_range),
    "date": FieldType("date", _parse_date, _no_checks),
    "yes_no": FieldType("yes_no", _parse_yes_no, _no_checks),
    "choice": FieldType("choice", _match_option, _check_options),
    "text": FieldType("text", _parse_text, lambda v, s: _check_length(v, s, DEFAULT_CELL_LENGTH)),
}


def check_registries() -> None:
    """Raise ``RuntimeError`` unless every schema type has exactly one complete registry entry."""
    for label, registry, names in (
        ("question", QUESTION_REGISTRY, QUESTION_TYPES),
        ("column", COLUMN_REGISTRY, COLUMN_TYPES),
    ):
        if set(registry) != set(names):
            missing, extra = set(names) - set(registry), set(registry) - set(names)
            raise RuntimeError(
                f"{label} type registry out of step with the schema: missing {sorted(missing)}, unknown {sorted(extra)}"
            )
        for name, field_type in registry.items():
            if field_type.name != name or not callable(field_type.parse) or not callable(field_type.validate):
                raise RuntimeError(f"{label} type {name!r} is registered incompletely")


check_registries()
