"""Criterion weights: plain normalisation and the Analytic Hierarchy Process (pairwise comparisons).

AHP follows Saaty (1980): weights are the principal eigenvector of the reciprocal comparison matrix,
consistency index CI = (λmax − n) / (n − 1), consistency ratio CR = CI / RI(n), accepted when CR ≤ 0.10.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

RANDOM_INDEX_TABLE = "Saaty (1980), The Analytic Hierarchy Process, random index for n = 1..10"
RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
MAX_CONSISTENCY_RATIO = 0.10

# Saaty's fundamental scale runs from 1/9 to 9; a small tolerance lets 1/9 typed as 0.1111 through.
_SCALE_MIN, _SCALE_MAX = 1 / 9, 9.0
_SCALE_TOLERANCE = 1e-3


def normalise(weights: Mapping[str, float]) -> dict[str, float]:
    """Scale weights so they sum to 1, keeping their order.

    Raises ``ValueError`` naming the culprit for a negative or non-finite weight, and when every
    weight is zero (there is nothing to share out).
    """
    for label, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
            raise ValueError(f"weight of {label!r} must be a number, got {weight!r}")
        if not math.isfinite(weight):
            raise ValueError(f"weight of {label!r} must be a finite number, got {weight!r}")
        if weight < 0:
            raise ValueError(f"weight of {label!r} must not be negative, got {weight!r}")
    total = math.fsum(weights.values())
    if total <= 0:
        raise ValueError("at least one weight must be above zero; all weights are zero")
    return {label: float(weight) / total for label, weight in weights.items()}


def pairwise_matrix(labels: Sequence[str], judgements: Mapping[tuple[str, str], float]) -> np.ndarray:
    """Build the reciprocal comparison matrix from judgements ``{(a, b): how much more a matters than b}``.

    Each unordered pair needs one judgement (giving both directions is allowed if they are
    reciprocal). The diagonal is 1 and the other triangle is filled with reciprocals. Raises
    ``ValueError`` for a missing pair, an unknown label, or a value outside Saaty's 1/9..9 scale.
    """
    index = {label: i for i, label in enumerate(labels)}
    if len(index) != len(labels):
        raise ValueError("labels must be unique")
    n = len(labels)
    matrix = np.full((n, n), np.nan)
    np.fill_diagonal(matrix, 1.0)
    for (a, b), value in judgements.items():
        for label in (a, b):
            if label not in index:
                raise ValueError(f"judgement ({a!r}, {b!r}) names unknown label {label!r}")
        if a == b:
            raise ValueError(f"judgement ({a!r}, {b!r}) compares a criterion with itself")
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not (_SCALE_MIN * (1 - _SCALE_TOLERANCE) <= value <= _SCALE_MAX)
        ):
            raise ValueError(f"judgement ({a!r}, {b!r}) = {value!r} is outside Saaty's scale 1/9..9")
        i, j = index[a], index[b]
        if not np.isnan(matrix[i, j]) and not math.isclose(matrix[i, j], value, rel_tol=1e-6):
            raise ValueError(f"judgements ({a!r}, {b!r}) and ({b!r}, {a!r}) are not reciprocal")
        matrix[i, j], matrix[j, i] = float(value), 1.0 / float(value)
    missing = [(labels[i], labels[j]) for i in range(n) for j in range(i + 1, n) if np.isnan(matrix[i, j])]
    if missing:
        pairs = ", ".join(f"{a} vs {b}" for a, b in missing)
        raise ValueError(f"missing judgements: {pairs}")
    return matrix


@dataclass(frozen=True)
class AhpResult:
    """Weights from a pairwise comparison matrix and how consistent the judgements were.

    ``most_inconsistent`` is ``(label_i, label_j, given, implied_by_weights)``: the judgement that is
    furthest (in ratio) from w_i / w_j, oriented so that ``given`` ≥ 1; None with fewer than 2 labels.
    """

    weights: dict[str, float]
    lambda_max: float
    ci: float
    cr: float
    random_index: float
    random_index_table: str
    most_inconsistent: tuple[str, str, float, float] | None


class InconsistentJudgements(ValueError):
    """The comparisons contradict each other too much (CR above the accepted limit)."""

    def __init__(self, result: AhpResult, max_cr: float = MAX_CONSISTENCY_RATIO) -> None:
        self.result = result
        message = f"consistency ratio {result.cr:.3f} is above {max_cr:.2f}"
        if result.most_inconsistent is not None:
            a, b, given, implied = result.most_inconsistent
            message += (
                f"; the most inconsistent judgement is {a} over {b} = {given:.3g}, "
                f"while the other judgements imply {implied:.3g}"
            )
        super().__init__(message)


def _check_matrix(labels: Sequence[str], matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=float)
    n = len(labels)
    if len(set(labels)) != n:
        raise ValueError("labels must be unique")
    if matrix.shape != (n, n):
        raise ValueError(f"matrix must be {n}x{n} for {n} labels, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)) or np.any(matrix <= 0):
        raise ValueError("matrix entries must be positive finite numbers")
    if not np.allclose(np.diag(matrix), 1.0):
        raise ValueError("matrix diagonal must be 1")
    if not np.allclose(matrix * matrix.T, 1.0, rtol=1e-6):
        raise ValueError("matrix must be reciprocal: m[j, i] = 1 / m[i, j]")
    if n > len(RANDOM_INDEX):
        raise ValueError(
            f"{n} criteria are more than the random index table covers ({len(RANDOM_INDEX)}); "
            "group them into a hierarchy"
        )
    return matrix


def ahp(labels: Sequence[str], matrix: np.ndarray) -> AhpResult:
    """Weights (principal eigenvector), λmax, CI and CR for a reciprocal comparison matrix.

    The random index comes from :data:`RANDOM_INDEX` (Saaty 1980); for n ≤ 2 every matrix is
    consistent and CR is 0.
    """
    labels = list(labels)
    matrix = _check_matrix(labels, matrix)
    n = len(labels)
    if n == 0:
        raise ValueError("at least one label is needed")
    eigenvalues, eigenvectors = np.linalg.eig(matrix)
    # Perron–Frobenius: a positive matrix has one real dominant eigenvalue with a positive eigenvector.
    top = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[top].real)
    vector = np.abs(eigenvectors[:, top].real)
    vector = vector / vector.sum()
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    ci = max(ci, 0.0)  # λmax ≥ n in theory; round-off can dip just below
    random_index = RANDOM_INDEX[n - 1]
    cr = ci / random_index if random_index > 0 else 0.0
    most = None
    if n >= 2:
        implied = vector[:, None] / vector[None, :]
        misfit = np.abs(np.log(matrix / implied))
        i, j = np.unravel_index(int(np.argmax(np.triu(misfit, k=1))), misfit.shape)
        if matrix[i, j] < 1:
            i, j = j, i
        most = (labels[i], labels[j], float(matrix[i, j]), float(implied[i, j]))
    return AhpResult(
        weights={label: float(w) for label, w in zip(labels, vector, strict=True)},
        lambda_max=lambda_max,
        ci=float(ci),
        cr=float(cr),
        random_index=random_index,
        random_index_table=RANDOM_INDEX_TABLE,
        most_inconsistent=most,
    )


def ahp_weights(labels: Sequence[str], matrix: np.ndarray, max_cr: float = MAX_CONSISTENCY_RATIO) -> dict[str, float]:
    """AHP weights, or :class:`InconsistentJudgements` (carrying the full result) when CR > ``max_cr``."""
    result = ahp(labels, matrix)
    if result.cr > max_cr:
        raise InconsistentJudgements(result, max_cr)
    return result.weights
