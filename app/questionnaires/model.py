"""The parsed form of a questionnaire: frozen dataclasses the app, the forms and the scorers read.

Instances are built only by :func:`app.questionnaires.schema.parse_questionnaire`, which has already
checked every rule, so code holding a :class:`Questionnaire` can trust it (ids unique, references
resolvable, scorer params pointing at real columns). Mappings inside (rubric anchors, scorer and sample-check params)
are plain dicts excluded from hashing; treat them as read-only.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

QUESTION_TYPES = (
    "yes_no",
    "single_choice",
    "multi_choice",
    "number",
    "percentage",
    "date",
    "text",
    "file",
    "table",
)
COLUMN_TYPES = (
    "locale",
    "language",
    "country",
    "integer",
    "decimal",
    "percentage",
    "date",
    "yes_no",
    "choice",
    "text",
)
# The evaluation's modalities, as the app's evaluation form names them.
MODALITIES = ("speech", "vision", "text")
CHOICE_TYPES = ("single_choice", "multi_choice")
NUMERIC_TYPES = ("number", "percentage")

# DOMAIN.md's generic rubric for evidence read by people; a question's own anchors override these.
DEFAULT_RUBRIC: Mapping[int, str] = {
    0: "Nothing, or the answer contradicts the requirement.",
    1: "An assertion only.",
    2: "A documented process, but partial, or no artefact.",
    3: "Documented, with an artefact covering everything in scope.",
    4: "As 3, plus independent verification (audit, certificate, reference, metrics from several engagements).",
}
RUBRIC_LEVELS = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Option:
    """One choice of a single/multi-choice question or of a ``choice`` column."""

    key: str
    label: str
    help: str | None = None


@dataclass(frozen=True)
class Column:
    """One column of a table question; ``type`` is one of :data:`COLUMN_TYPES`."""

    id: str
    type: str
    label: str
    required: bool = False
    help: str | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    options: tuple[Option, ...] = ()
    max_length: int | None = None

    @property
    def option_keys(self) -> tuple[str, ...]:
        """The keys of a ``choice`` column's options, in order."""
        return tuple(option.key for option in self.options)


@dataclass(frozen=True)
class FileSpec:
    """What a ``file`` question accepts: file extensions and a size limit per file."""

    types: tuple[str, ...]
    max_mb: float


@dataclass(frozen=True)
class AnswerCondition:
    """Show a question only when an earlier answer matches: ``op`` is ``equals`` or ``in``.

    A multi-choice answer matches when any chosen option is among ``values``.
    """

    question: str
    op: str
    values: tuple[Any, ...]

    def matches(self, answer: Any) -> bool:
        """True when ``answer`` (a canonical answer value, None when unanswered) meets the condition."""
        if answer is None:
            return False
        if isinstance(answer, list):
            return any(_same(item, value) for item in answer for value in self.values)
        return any(_same(answer, value) for value in self.values)


def _same(left: Any, right: Any) -> bool:
    # True == 1 in Python; a yes/no condition must not match a numeric answer of 1.
    return type(left) is type(right) and left == right


@dataclass(frozen=True)
class Visibility:
    """When a section or question is shown: any of ``modalities`` and/or an answer condition (both must hold)."""

    modalities: tuple[str, ...] = ()
    answer: AnswerCondition | None = None

    def modality_ok(self, modalities: Collection[str]) -> bool:
        """True when no modality is named or the evaluation covers at least one of them."""
        return not self.modalities or any(m in modalities for m in self.modalities)


@dataclass(frozen=True)
class MustHaveRule:
    """A knock-out: exactly one of ``equals``, ``one_of`` or ``min_score`` (on the auto score) is set.

    ``reason`` is shown to the buyer when a vendor fails the rule.
    """

    reason: str
    equals: Any = None
    one_of: tuple[Any, ...] | None = None
    min_score: float | None = None

    @property
    def kind(self) -> str:
        """``"equals"``, ``"one_of"`` or ``"min_score"``."""
        if self.min_score is not None:
            return "min_score"
        return "one_of" if self.one_of is not None else "equals"

    def is_met(self, answer: Any, auto_score: float | None = None) -> bool:
        """Whether a canonical answer (and, for ``min_score``, its 0..4 auto score) passes the rule.

        Unanswered never passes. For a multi-choice answer ``equals`` means "was chosen" and
        ``one_of`` means "at least one of them was chosen".
        """
        if self.kind == "min_score":
            return (
                auto_score is not None
                and self.min_score is not None
                and not math.isnan(auto_score)
                and auto_score >= self.min_score - 1e-9
            )
        if answer is None:
            return False
        wanted = self.one_of if self.one_of is not None else (self.equals,)
        if isinstance(answer, list):
            return any(_same(item, value) for item in answer for value in wanted)
        return any(_same(answer, value) for value in wanted)


@dataclass(frozen=True)
class Scoring:
    """How a question is scored: by people against ``rubric`` anchors (always 0..4, defaults filled),
    and, when ``auto`` names a registered scorer, automatically with ``params``."""

    rubric: Mapping[int, str] = field(default_factory=lambda: dict(DEFAULT_RUBRIC), hash=False)
    auto: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Check:
    """A consistency check on a table answer (run by ``app.scoring.consistency``)."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class SampleCheck:
    """Which measurement of a sample batch can confirm the answer (``app.sample_batches.claims``
    reads it), with its params; the measurements are listed in ``app.questionnaires.sample_checks``."""

    measurement: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Question:
    """One question. Fields not relevant to ``type`` keep their defaults.

    ``weight`` is relative within the section; 0 means the answer is collected but not scored (the
    commercial ``PRICE-xx`` questions, which the app prices separately).
    """

    id: str
    type: str
    text: str
    section_id: str
    references: tuple[str, ...]
    help: str | None = None
    required: bool = False
    weight: float = 1.0
    visible_if: Visibility | None = None
    must_have: MustHaveRule | None = None
    scoring: Scoring = field(default_factory=Scoring)
    options: tuple[Option, ...] = ()
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    max_length: int | None = None
    file: FileSpec | None = None
    columns: tuple[Column, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None
    checks: tuple[Check, ...] = ()
    sample_check: SampleCheck | None = None

    @property
    def option_keys(self) -> tuple[str, ...]:
        """The keys of a choice question's options, in order."""
        return tuple(option.key for option in self.options)

    @property
    def is_auto_scored(self) -> bool:
        """True when a registered scorer computes this question's score."""
        return self.scoring.auto is not None

    def column(self, column_id: str) -> Column:
        """The table column ``column_id``; ``KeyError`` if the question has none by that id."""
        for column in self.columns:
            if column.id == column_id:
                return column
        raise KeyError(f"{self.id} has no column {column_id!r}")


@dataclass(frozen=True)
class Section:
    """A group of questions with a default weight the buyer may change per evaluation."""

    id: str
    title: str
    weight: float
    questions: tuple[Question, ...]
    description: str | None = None
    visible_if: Visibility | None = None


@dataclass(frozen=True)
class Questionnaire:
    """A validated questionnaire; ``(id, version)`` names one immutable stored version."""

    id: str
    title: str
    version: int
    language: str
    sections: tuple[Section, ...]
    description: str | None = None

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in document order."""
        return tuple(q for section in self.sections for q in section.questions)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def question(self, question_id: str) -> Question:
        """The question ``question_id``; ``KeyError`` if there is none."""
        try:
            return self._by_id[question_id]
        except (KeyError, TypeError):
            raise KeyError(f"questionnaire {self.id!r} has no question {question_id!r}") from None

    def section(self, section_id: str) -> Section:
        """The section ``section_id``; ``KeyError`` if there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(f"questionnaire {self.id!r} has no section {section_id!r}")

    def section_of(self, question: Question) -> Section:
        """The section holding ``question``."""
        return self.section(question.section_id)
