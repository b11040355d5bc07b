"""Small helpers shared by the per-modality aggregates: JSON-safe summaries of numbers."""

from __future__ import annotations

import math
from collections.abc import Iterable


def describe(values: Iterable[float | None]) -> dict[str, float | int | None]:
    """Count, mean, min, median and max of the finite values (``None`` and NaN skipped).

    Every figure is a plain ``float``/``int`` or ``None`` so the result can go straight into JSON.
    """
    finite = sorted(float(v) for v in values if v is not None and math.isfinite(float(v)))
    if not finite:
        return {"count": 0, "mean": None, "min": None, "median": None, "max": None}
    n = len(finite)
    middle = finite[n // 2] if n % 2 else (finite[n // 2 - 1] + finite[n // 2]) / 2
    return {"count": n, "mean": sum(finite) / n, "min": finite[0], "median": middle, "max": finite[-1]}


def share(part: int, whole: int) -> float | None:
    """``part / whole`` as a fraction, or ``None`` when there is nothing to divide by."""
    return float(part) / whole if whole else None


def finite_or_none(value: float | None, digits: int | None = None) -> float | None:
    """A plain float (optionally rounded), or ``None`` for missing, NaN and infinite values."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return round(value, digits) if digits is not None else value
