"""Evaluator agreement: Krippendorff's alpha, the questions evaluators disagree on, and a plain label.

Alpha is computed with the coincidence-matrix method of Krippendorff (2011), "Computing Krippendorff's
Alpha-Reliability": ``alpha = 1 − (n − 1) · Σ o_ck δ²_ck / Σ n_c n_k δ²_ck``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LEVELS = ("nominal", "ordinal", "interval")
RELIABLE_ALPHA = 0.80
TENTATIVE_ALPHA = 0.667


@dataclass(frozen=True)
class Disagreement:
    """A question on which evaluators' scores are ``gap`` or more apart.

    ``evaluators`` lists ``(evaluator, score)`` for everyone who scored the question, lowest score first.
    """

    question_id: Hashable
    low: int
    high: int
    evaluators: tuple[tuple[Hashable, int], ...]


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _values_by_unit(reliability_data: Sequence[Sequence[Any]] | np.ndarray, level: str) -> tuple[list[Any], np.ndarray]:
    """Sorted value domain and the units × values count matrix (only units with 2+ values)."""
    rows = [list(row) for row in reliability_data]
    if not rows:
        raise ValueError("reliability data needs at least one coder")
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("every coder needs one entry per unit (use None for missing)")
    present = [v for row in rows for v in row if not _is_missing(v)]
    if level != "nominal" and not all(
        isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in present
    ):
        raise ValueError(f"{level} alpha needs numeric values")
    domain = sorted(set(present))
    position = {v: i for i, v in enumerate(domain)}
    counts = np.zeros((width, len(domain)))
    for row in rows:
        for unit, value in enumerate(row):
            if not _is_missing(value):
                counts[unit, position[value]] += 1
    # A value nobody else rated in the same unit cannot be paired, so it carries no information.
    return domain, counts[counts.sum(axis=1) >= 2]


def _squared_distances(domain: list[Any], totals: np.ndarray, level: str) -> np.ndarray:
    size = len(domain)
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "interval":
        values = np.asarray(domain, dtype=float)
        # Indexing with None loses the array type in numpy's stubs; the result is a size × size array.
        squared: np.ndarray = (values[:, None] - values[None, :]) ** 2
        return squared
    # Ordinal: distance counts how many pairable values lie between c and k (Krippendorff 2011, eq. for
    # ordinal metric), i.e. (Σ_{g=c..k} n_g − (n_c + n_k) / 2)².
    cumulative = np.concatenate(([0.0], np.cumsum(totals)))
    low = np.minimum.outer(np.arange(size), np.arange(size))
    high = np.maximum.outer(np.arange(size), np.arange(size))
    between = cumulative[high + 1] - cumulative[low]
    ordinal: np.ndarray = (between - (totals[:, None] + totals[None, :]) / 2.0) ** 2
    return ordinal


def krippendorff_alpha(reliability_data: Sequence[Sequence[Any]] | np.ndarray, level: str = "nominal") -> float:
    """Krippendorff's alpha for ``reliability_data`` (coders × units; None or NaN where missing).

    ``level`` is ``nominal``, ``ordinal`` (use it for 0..4 rubric scores) or ``interval``. Returns NaN
    when alpha is undefined: fewer than two pairable values, or no variation at all (everyone gave the
    same value everywhere, so agreement cannot be told apart from chance).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    domain, counts = _values_by_unit(reliability_data, level)
    if counts.size == 0:
        return float("nan")
    pairable = counts.sum(axis=1)
    # Coincidences: o_ck = Σ_u (n_uc · n_uk − [c = k] · n_uc) / (m_u − 1).
    scaled = counts / (pairable - 1.0)[:, None]
    coincidences = scaled.T @ counts - np.diag(scaled.sum(axis=0))
    totals = coincidences.sum(axis=1)
    n = float(totals.sum())
    delta = _squared_distances(domain, totals, level)
    expected = float(np.sum(np.outer(totals, totals) * delta))
    if expected == 0:
        return float("nan")
    observed = float(np.sum(coincidences * delta))
    return 1.0 - (n - 1.0) * observed / expected


def agreement_label(alpha: float) -> str:
    """Krippendorff's reading of alpha: ``reliable`` (≥ 0.80), ``tentative`` (0.667–0.80), ``unreliable``.

    NaN (alpha undefined) reads ``not assessable``.
    """
    if math.isnan(alpha):
        return "not assessable"
    if alpha >= RELIABLE_ALPHA:
        return "reliable"
    if alpha >= TENTATIVE_ALPHA:
        return "tentative"
    return "unreliable"


def disagreements(
    scores_by_evaluator: Mapping[Hashable, Mapping[Hashable, int | None]], gap: int = 2
) -> tuple[Disagreement, ...]:
    """Questions where the highest and lowest evaluator scores are at least ``gap`` apart.

    These are the ones to discuss before a consensus score. Unscored (None) entries are ignored. The
    widest disagreements come first, then by question id.
    """
    if gap < 1:
        raise ValueError(f"gap must be at least 1, got {gap!r}")
    by_question: dict[Hashable, list[tuple[Hashable, int]]] = {}
    for evaluator, scores in scores_by_evaluator.items():
        for question, score in scores.items():
            if score is not None:
                by_question.setdefault(question, []).append((evaluator, score))
    found = []
    for question, given in by_question.items():
        low = min(score for _, score in given)
        high = max(score for _, score in given)
        if high - low >= gap:
            ordered = tuple(sorted(given, key=lambda item: (item[1], str(item[0]))))
            found.append(Disagreement(question, low, high, ordered))
    found.sort(key=lambda d: (-(d.high - d.low), str(d.question_id)))
    return tuple(found)
