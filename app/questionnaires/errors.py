"""Problems found in a questionnaire definition, and small helpers that read untrusted YAML data.

Validation never stops at the first mistake: every check appends a :class:`Problem` to a
:class:`Collector`, and the loader raises one :class:`QuestionnaireError` carrying all of them, so an
author fixes a file in one pass instead of one error per run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard


@dataclass(frozen=True)
class Problem:
    """One mistake in a definition: where (file or stored version, question id if any) and what."""

    source: str
    question_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.question_id}" if self.question_id else self.source
        return f"{where}: {self.message}"


class QuestionnaireError(ValueError):
    """A questionnaire definition was refused; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid questionnaire")


@dataclass
class Collector:
    """Accumulates problems for one source while a definition is read."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, question_id: str | None, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.source, question_id, message))

    def __len__(self) -> int:
        return len(self.problems)


def describe(value: Any) -> str:
    """A short rendering of an offending value for messages (long values are cut)."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def at(where: str, message: str) -> str:
    """Prefix ``message`` with a location such as ``column 'share'`` when there is one."""
    return f"{where}: {message}" if where else message


def is_number(value: Any) -> TypeGuard[float]:
    """A finite int or float; booleans are not numbers although Python says they are."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class Reader:
    """Typed access to one mapping of a definition, reporting each mistake to a collector.

    Every getter returns ``None`` (after recording why) when the value is missing or unusable, so the
    caller goes on checking the rest of the mapping.
    """

    def __init__(
        self,
        collector: Collector,
        data: Mapping[Any, Any],
        *,
        question_id: str | None = None,
        where: str = "",
    ):
        self.collector = collector
        self.data = data
        self.question_id = question_id
        self.where = where

    def problem(self, message: str) -> None:
        """Record a problem located at this mapping."""
        self.collector.add(self.question_id, at(self.where, message))

    def has(self, key: str) -> bool:
        """True when ``key`` is present (even with a null value)."""
        return key in self.data

    def check_keys(self, allowed: Collection[str], *, not_here: Mapping[str, str] | None = None) -> None:
        """Report keys outside ``allowed``; ``not_here`` explains known keys misplaced here."""
        for key in self.data:
            if not isinstance(key, str):
                self.problem(f"key {describe(key)} must be a string")
            elif not_here and key in not_here:
                self.problem(not_here[key])
            elif key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.problem(f"unknown key '{key}' (expected one of: {expected})")

    def _missing(self, key: str, required: bool) -> bool:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(f"missing required key '{key}'")
            return True
        return False

    def text(
        self, key: str, *, required: bool = False, pattern: re.Pattern[str] | None = None, hint: str = ""
    ) -> str | None:
        """A non-empty string, optionally matching ``pattern`` (``hint`` describes it)."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            # A bare 12 or true in YAML is not text; quoting is the usual fix.
            hint = " (put it in quotes)" if isinstance(value, (bool, int, float)) else ""
            self.problem(f"'{key}' must be a non-empty text, got {describe(value)}{hint}")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.problem(f"'{key}' {describe(value)} does not match {hint or pattern.pattern}")
            return None
        return value.strip() if pattern is None else value

    def flag(self, key: str, default: bool = False) -> bool:
        """A boolean (``true``/``false``)."""
        if self._missing(key, False):
            return default
        value = self.data[key]
        if not isinstance(value, bool):
            self.problem(f"'{key}' must be true or false, got {describe(value)}")
            return default
        return value

    def number(
        self,
        key: str,
        *,
        required: bool = False,
        minimum: float | None = None,
        positive: bool = False,
        maximum: float | None = None,
    ) -> float | int | None:
        """A finite number within the given bounds."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if not is_number(value):
            self.problem(f"'{key}' must be a number, got {describe(value)}")
            return None
        if positive and value <= 0:
            self.problem(f"'{key}' must be greater than 0, got {value}")
            return None
        if minimum is not None and value < minimum:
            self.problem(f"'{key}' must be at least {minimum}, got {value}")
            return None
        if maximum is not None and value > maximum:
            self.problem(f"'{key}' must be at most {maximum}, got {value}")
            return None
        return value

    def whole(self, key: str, *, required: bool = False, minimum: int = 0) -> int | None:
        """A whole number ≥ ``minimum``."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"'{key}' must be a whole number, got {describe(value)}")
            return None
        if value < minimum:
            self.problem(f"'{key}' must be at least {minimum}, got {value}")
            return None
        return value

    def items(self, key: str, *, required: bool = False, non_empty: bool = True) -> list[Any] | None:
        """A list (non-empty unless told otherwise)."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if not isinstance(value, list):
            self.problem(f"'{key}' must be a list, got {describe(value)}")
            return None
        if non_empty and not value:
            self.problem(f"'{key}' must not be empty")
            return None
        return value

    def mapping(self, key: str, *, required: bool = False) -> Mapping[Any, Any] | None:
        """A mapping (``key: value`` pairs)."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if not isinstance(value, Mapping):
            self.problem(f"'{key}' must be a mapping of keys to values, got {describe(value)}")
            return None
        return value


_MAX_DEPTH = 20


def plain_json(value: Any, depth: int = 0) -> bool:
    """True when ``value`` is JSON data (str keys, finite numbers), so it can be stored and hashed."""
    if depth > _MAX_DEPTH:
        return False
    if value is None or isinstance(value, (str, bool)) or is_number(value):
        return True
    if isinstance(value, list):
        return all(plain_json(item, depth + 1) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and plain_json(v, depth + 1) for k, v in value.items())
    return False
