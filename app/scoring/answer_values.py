"""Reading stored answer values (JSON-compatible) and writing the numbers back into sentences.

Shared by the auto-scorers and the consistency checks so both read a table, a locale or a number the
same way.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeGuard


class UnusableAnswer(ValueError):
    """The answer exists but has the wrong shape for the scorer or check (e.g. text where a table is due)."""


def is_number(value: Any) -> TypeGuard[float]:
    """True for a finite int or float; booleans are not numbers here although Python says they are."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def locale_key(locale: str) -> str:
    """Comparable form of a BCP 47 tag: ``en_us``, ``EN-US`` and ``en-US`` are the same locale."""
    return locale.strip().replace("_", "-").casefold()


def item_key(item: str) -> str:
    """Comparable form of a device, environment, modality or category name."""
    return item.strip().casefold()


def table_rows(value: Any) -> list[Mapping[str, Any]]:
    """Return the rows of a table answer, or raise :class:`UnusableAnswer` if it is not a table."""
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise UnusableAnswer("the answer is not a table of rows")
    for index, row in enumerate(value, start=1):
        if not isinstance(row, Mapping):
            raise UnusableAnswer(f"row {index} of the answer is not a table row")
    return list(value)


def column_sums(
    rows: list[Mapping[str, Any]], key_column: str, count_column: str | None, key: Callable[[str], str]
) -> tuple[dict[str, float], dict[str, str]]:
    """Sum ``count_column`` per key, normalised by ``key``; each row counts 1 without a count column.

    Rows without a usable label or a numeric count are skipped. Also returns a display name per key
    (the first spelling seen).
    """
    sums: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for row in rows:
        label = row.get(key_column)
        if not isinstance(label, str) or not label.strip():
            continue
        count = 1.0 if count_column is None else row.get(count_column)
        if not is_number(count):
            continue
        # Negative counts are impossible; the consistency checks report them, scoring ignores them.
        sums[key(label)] += max(0.0, float(count))
        names.setdefault(key(label), label.strip())
    return dict(sums), names


def parse_date(value: Any) -> datetime.date | None:
    """Read a ``YYYY-MM-DD`` string (or a date); None when it cannot be read."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def fmt_number(value: float) -> str:
    """A count or amount for a sentence: ``120``, ``12.5``, ``0.33`` (at most two decimals)."""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def fmt_percent(ratio: float) -> str:
    """A 0..1 ratio as a whole percentage, ``0.6`` -> ``60%``."""
    return f"{ratio * 100:.0f}%"


def fmt_score(score: float) -> str:
    """A 0..4 score as the app shows it, always with two decimals."""
    return f"{score:.2f}"


def fmt_small_percent(percent: float) -> str:
    """A percentage (0..100) that may be tiny: ``12%``, ``1.5%``, ``0.175%`` (three significant digits)."""
    if percent >= 10:
        return f"{percent:.0f}%"
    return f"{percent:.3g}%"


def fmt_option(key: str) -> str:
    """An option key in words: ``self_reported_checked`` -> ``self reported checked``, ``18_24`` -> ``18-24``."""
    text = str(key).strip()
    parts = text.split("_")
    if len(parts) == 2 and all(part.isdigit() for part in parts):
        return "-".join(parts)
    return " ".join(part for part in parts if part)


def with_score(sentence: str, score: float) -> str:
    """A scorer's sentence ending in the score it gave: ``"...: score 3.20"``."""
    return f"{sentence}: score {fmt_score(score)}"
