"""Between the questionnaire editor's HTML form and answer values.

Field names: ``q.<QID>`` for a single value, repeated for multi-choice,
``q.<QID>.<row>.<column>`` for table cells, and ``rev.<QID>`` carrying the revision
the editor started from (its presence also says the question was on the page).
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

BLANK_TABLE_ROWS = 3


def raw_answers(form: MultiDict, questions) -> tuple[dict[str, Any], dict[str, int]]:
    """Collect the raw values and starting revisions of the questions present in the form."""
    raw: dict[str, Any] = {}
    revisions: dict[str, int] = {}
    for question in questions:
        marker = form.get(f"rev.{question.id}")
        if marker is None:
            continue
        try:
            revisions[question.id] = int(marker)
        except ValueError:
            revisions[question.id] = -1
        if question.type == "table":
            raw[question.id] = _table_rows(form, question)
        elif question.type == "multi_choice":
            raw[question.id] = form.getlist(f"q.{question.id}")
        elif question.type != "file":
            raw[question.id] = form.get(f"q.{question.id}", "")
    return raw, revisions


def _table_rows(form: MultiDict, question) -> list[dict[str, str]]:
    prefix = f"q.{question.id}."
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        if not key.startswith(prefix):
            continue
        row_part, _, column = key[len(prefix) :].partition(".")
        if row_part.isdigit() and column:
            rows.setdefault(int(row_part), {})[column] = form.get(key, "")
    return [rows[index] for index in sorted(rows)]


def display_value(question, value: Any) -> Any:
    """A stored answer as the editor shows it (strings, lists of strings, table rows of strings)."""
    if value is None:
        return [] if question.type in ("multi_choice", "table") else ""
    if question.type == "yes_no":
        return "yes" if value is True else "no" if value is False else str(value)
    if question.type == "multi_choice":
        return [str(v) for v in value]
    if question.type == "table":
        return [{k: "" if v is None else _plain(v) for k, v in row.items()} for row in value]
    if question.type == "file":
        return value
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table_rows_for_display(question, rows: list[dict]) -> list[dict]:
    """Rows shown in a table editor: the answer's rows and a few blank ones to add more."""
    return list(rows) + [{} for _ in range(BLANK_TABLE_ROWS)]


def answer_summary(question, value: Any) -> str:
    """A stored or typed answer as one line of text, for conflict messages."""
    if value in (None, "", []):
        return "(no answer)"
    labels = {option.key: option.label for option in question.options}
    if question.type == "yes_no":
        return "Yes" if value in (True, "yes") else "No" if value in (False, "no") else str(value)
    if question.type == "single_choice":
        return labels.get(value, str(value))
    if question.type == "multi_choice":
        return ", ".join(labels.get(v, str(v)) for v in value)
    if question.type == "table":
        columns = [column.id for column in question.columns]
        rows = [
            " · ".join("" if row.get(c) in (None, "") else _plain(row.get(c)) for c in columns)
            for row in value
            if any(row.get(c) not in (None, "") for c in columns)
        ]
        return " | ".join(rows) or "(no rows)"
    if question.type == "file":
        return ", ".join(item.get("name", "?") for item in value)
    return _plain(value)
