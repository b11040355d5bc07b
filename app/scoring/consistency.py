"""Consistency checks on the numbers a vendor gives, shown to evaluators beside the answers.

Checks are declared in the questionnaire (a question's ``checks:`` list), e.g.::

    checks:
      - {kind: percent_sum, column: share, group_by: locale, tolerance: 0.5}
      - {kind: total_matches, column: contributors, total_question: COV-02}
      - {kind: range, column: contributors, min: 0}

A finding never changes a score; it tells the evaluator where the evidence does not add up. Every check
accepts an optional ``severity`` ("warning" or "error") to override its default.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.scoring.answer_values import UnusableAnswer, fmt_number, is_number, table_rows

SEVERITIES = ("warning", "error")


@dataclass(frozen=True)
class Finding:
    """Something an evaluator should look at in one question's answer."""

    question_id: str
    message: str
    severity: str


CheckRun = Callable[[str, Any, Mapping[str, Any], Mapping[str, Any]], list[str]]


@dataclass(frozen=True)
class _CheckKind:
    run: CheckRun
    required: frozenset[str]
    allowed: frozenset[str]
    default_severity: str


_CHECKS: dict[str, _CheckKind] = {}


def _check_kind(
    name: str, *, required: tuple[str, ...], optional: tuple[str, ...], severity: str
) -> Callable[[CheckRun], CheckRun]:
    def decorate(run: CheckRun) -> CheckRun:
        base = {"kind", "severity"}
        _CHECKS[name] = _CheckKind(run, frozenset(required), frozenset(required) | frozenset(optional) | base, severity)
        return run

    return decorate


def known_check_kinds() -> tuple[str, ...]:
    """Names accepted as ``kind`` in a question's ``checks:`` list."""
    return tuple(sorted(_CHECKS))


def validate_check(spec: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` for an unknown kind, unknown or missing keys, or a bad severity."""
    kind = spec.get("kind")
    if kind not in _CHECKS:
        raise ValueError(f"unknown check kind {kind!r}; known kinds: {', '.join(known_check_kinds())}")
    check = _CHECKS[kind]
    unknown = set(spec) - check.allowed
    if unknown:
        raise ValueError(f"check {kind!r} does not take {', '.join(sorted(unknown))}")
    missing = check.required - set(spec)
    if missing:
        raise ValueError(f"check {kind!r} needs {', '.join(sorted(missing))}")
    if spec.get("severity", check.default_severity) not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
    for key in ("tolerance", "min", "max"):
        if key in spec and not is_number(spec[key]):
            raise ValueError(f"check {kind!r}: {key} must be a number, got {spec[key]!r}")
    if spec.get("tolerance", 0) < 0:
        raise ValueError(f"check {kind!r}: tolerance must not be negative")


def _numbers(rows: Sequence[Mapping[str, Any]], column: str) -> list[tuple[int, Any, float]]:
    """(row number from 1, the row, the numeric cell) for rows whose ``column`` holds a number."""
    return [(i, row, float(row[column])) for i, row in enumerate(rows, 1) if is_number(row.get(column))]


@_check_kind("percent_sum", required=("column",), optional=("group_by", "tolerance"), severity="warning")
def _percent_sum(question_id: str, value: Any, spec: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """Percentages in ``column`` must add up to 100 (per ``group_by`` group), within ``tolerance``."""
    column, group_by = spec["column"], spec.get("group_by")
    tolerance = float(spec.get("tolerance", 0.5))
    groups: dict[Any, list[float]] = {}
    for _, row, number in _numbers(table_rows(value), column):
        groups.setdefault(row.get(group_by) if group_by else None, []).append(number)
    messages = []
    for group, numbers in groups.items():
        total = math.fsum(numbers)
        if abs(total - 100.0) > tolerance:
            where = f" for {group_by} {group}" if group_by else ""
            messages.append(f"{column} adds up to {fmt_number(total)}%{where}, not 100%")
    return messages


@_check_kind(
    "total_matches",
    required=("column", "total_question"),
    optional=("tolerance",),
    severity="warning",
)
def _total_matches(question_id: str, value: Any, spec: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """The number answered in ``total_question`` must equal the sum of ``column`` in this table."""
    column, other = spec["column"], spec["total_question"]
    stated = answers.get(other)
    if not is_number(stated):
        return []  # nothing to compare with yet; an unanswered total is not an inconsistency
    total = math.fsum(number for _, _, number in _numbers(table_rows(value), column))
    if abs(total - stated) > float(spec.get("tolerance", 0)):
        return [f"{column} in this table adds up to {fmt_number(total)}, but {other} states {fmt_number(stated)}"]
    return []


@_check_kind("range", required=(), optional=("column", "min", "max"), severity="error")
def _range(question_id: str, value: Any, spec: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """Values in ``column`` (or a number answer, without ``column``) must lie within ``min``..``max``."""
    low, high = spec.get("min"), spec.get("max")
    column = spec.get("column")
    cells: list[tuple[int | None, float]]
    if column is None:
        if not is_number(value):
            raise UnusableAnswer(f"expected a number, got {value!r}")
        cells = [(None, float(value))]
    else:
        cells = [(index, number) for index, _, number in _numbers(table_rows(value), column)]
    label = column or "the answer"
    messages = []
    for bound, word, broken in (
        (low, "below the minimum", operator.lt),
        (high, "above the maximum", operator.gt),
    ):
        if bound is None:
            continue
        bad = [(index, number) for index, number in cells if broken(number, bound)]
        if not bad:
            continue
        if column is None:
            messages.append(f"{label} {fmt_number(bad[0][1])} is {word} {fmt_number(bound)}")
        else:
            listed = ", ".join(f"row {index} ({fmt_number(number)})" for index, number in bad)
            messages.append(f"{label} {word} {fmt_number(bound)} in {listed}")
    return messages


def run_check(
    question_id: str,
    value: Any,
    spec: Mapping[str, Any],
    answers: Mapping[str, Any],
) -> tuple[Finding, ...]:
    """Run one check spec on one answer. An unanswered question gives no findings.

    An answer of the wrong shape (e.g. not a table) gives one finding saying so; a bad spec raises
    ``ValueError`` (see :func:`validate_check`).
    """
    validate_check(spec)
    if value is None:
        return ()
    check = _CHECKS[spec["kind"]]
    severity = spec.get("severity", check.default_severity)
    try:
        messages = check.run(question_id, value, spec, answers)
    except UnusableAnswer as exc:
        return (Finding(question_id, f"cannot run the {spec['kind']} check: {exc}", "warning"),)
    return tuple(Finding(question_id, message, severity) for message in messages)


def check_answers(
    checks_by_question: Mapping[str, Sequence[Mapping[str, Any]]],
    answers: Mapping[str, Any],
) -> tuple[Finding, ...]:
    """Run every question's checks against the answers, in the order given.

    Raises ``ValueError`` for an unknown check kind or a malformed spec.
    """
    findings: list[Finding] = []
    for question_id, specs in checks_by_question.items():
        for spec in specs:
            findings.extend(run_check(question_id, answers.get(question_id), spec, answers))
    return tuple(findings)
