"""Reading a vendor's answers: raw form/JSON/spreadsheet input -> canonical JSON values, with errors.

Canonical values (what the app stores and the scorers read):

=============  ===========================================================
yes_no         ``True`` / ``False``
single_choice  option key (``str``)
multi_choice   option keys (``list[str]``) in the options' order
number         ``int`` when whole, else ``float``
percentage     ``float`` within 0..100
date           ``"YYYY-MM-DD"``
text           ``str`` (line breaks as ``\\n``, trimmed)
file           list of attachment descriptions (dicts), kept as given
table          ``list[dict]``: one dict per non-empty row, every column id present (``None`` if empty)
=============  ===========================================================

An empty input is ``None`` without error; whether a required question was answered is checked when
the vendor submits (:func:`missing_required`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.questionnaires.fieldtypes import QUESTION_REGISTRY, Invalid, is_empty
from app.questionnaires.model import Question, Questionnaire, Section, Visibility


@dataclass(frozen=True)
class FieldError:
    """One invalid input. ``path`` is ``(question_id,)`` or, for a table cell, ``(question_id, row, column_id)``
    with ``row`` counted from 1 in the rows as given (empty rows included)."""

    path: tuple[str, *tuple[Any, ...]]
    message: str

    @property
    def question_id(self) -> str:
        """The question the error belongs to."""
        return self.path[0]

    @property
    def row(self) -> int | None:
        """The 1-based row of a table error, if the error is about a row or cell."""
        return self.path[1] if len(self.path) > 1 else None

    @property
    def column(self) -> str | None:
        """The column id of a table cell error."""
        return self.path[2] if len(self.path) > 2 else None


@dataclass(frozen=True)
class ParsedAnswer:
    """The canonical value (``None`` when empty or invalid) and every error found."""

    value: Any
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was wrong with the input."""
        return not self.errors


def parse_answer(question: Question, raw: Any) -> ParsedAnswer:
    """Read one raw answer for ``question``; never raises for bad input, reports it in ``errors``.

    Strings from forms (``"yes"``, ``"12.5"``, ``"2026-03-01"``), lists of strings for multi-choice,
    lists of row dicts for tables (keys: column ids or labels) and already-typed JSON values are all
    accepted. A choice may be given by option key or label.
    """
    if is_empty(raw):
        return ParsedAnswer(None)
    field_type = QUESTION_REGISTRY[question.type]
    try:
        value = field_type.parse(raw, question)
    except Invalid as exc:
        return ParsedAnswer(None, [FieldError((question.id, *path), message) for path, message in exc.problems])
    if is_empty(value):
        return ParsedAnswer(None)  # e.g. a table whose rows were all blank
    errors = [FieldError((question.id,), message) for message in field_type.validate(value, question)]
    return ParsedAnswer(None if errors else value, errors)


def parse_answers(questionnaire: Questionnaire, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """Parse a whole set of raw answers keyed by question id; empty answers are left out.

    Unknown question ids are errors. Returns ``(answers, errors)``; answers with errors are left out.
    """
    answers: dict[str, Any] = {}
    errors: list[FieldError] = []
    for question_id, value in raw.items():
        try:
            question = questionnaire.question(question_id)
        except KeyError:
            errors.append(FieldError((str(question_id),), f"there is no question {question_id!r}"))
            continue
        parsed = parse_answer(question, value)
        errors.extend(parsed.errors)
        if parsed.value is not None:
            answers[question.id] = parsed.value
    return answers, errors


def _shown(
    visibility: Visibility | None, modalities: Collection[str], answers: Mapping[str, Any], visible: set[str]
) -> bool:
    if visibility is None:
        return True
    if not visibility.modality_ok(modalities):
        return False
    condition = visibility.answer
    # A question that depends on a hidden one is hidden too, whatever was stored for the hidden one.
    return condition is None or (condition.question in visible and condition.matches(answers.get(condition.question)))


def visible_questions(
    questionnaire: Questionnaire, modalities: Collection[str], answers: Mapping[str, Any]
) -> list[Question]:
    """The questions shown for an evaluation covering ``modalities``, given the answers so far.

    A section's ``visible_if`` applies to all its questions; a condition on an answer holds only when
    the question it depends on is itself shown.
    """
    visible: list[Question] = []
    visible_ids: set[str] = set()
    for section in questionnaire.sections:
        if not _shown(section.visible_if, modalities, answers, visible_ids):
            continue
        for question in section.questions:
            if _shown(question.visible_if, modalities, answers, visible_ids):
                visible.append(question)
                visible_ids.add(question.id)
    return visible


def visible_sections(
    questionnaire: Questionnaire, modalities: Collection[str], answers: Mapping[str, Any]
) -> list[Section]:
    """The sections with at least one visible question."""
    shown = {q.section_id for q in visible_questions(questionnaire, modalities, answers)}
    return [section for section in questionnaire.sections if section.id in shown]


def missing_required(
    questionnaire: Questionnaire, answers: Mapping[str, Any], modalities: Collection[str]
) -> list[str]:
    """Ids of the visible required questions without an answer, in questionnaire order."""
    return [
        q.id
        for q in visible_questions(questionnaire, modalities, answers)
        if q.required and is_empty(answers.get(q.id))
    ]


def without_hidden(
    questionnaire: Questionnaire, answers: Mapping[str, Any], modalities: Collection[str]
) -> dict[str, Any]:
    """The answers to visible questions only (e.g. after the vendor changed the answer a branch hangs on)."""
    shown = {q.id for q in visible_questions(questionnaire, modalities, answers)}
    return {qid: value for qid, value in answers.items() if qid in shown}
