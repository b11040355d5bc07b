"""How sure are we of the winner? Critical weight changes and rank acceptability.

Both work on the additive model ``total_v = Σ_c weight_c · score_vc`` with criterion scores on 0..1
(``scores``: vendors × criteria) and weights summing to 1.

* :func:`critical_weight_changes` — for each criterion, the smallest absolute change of its weight that
  hands the win to another vendor (Triantaphyllou & Sánchez 1997), the other weights rescaled so the sum
  stays 1.
* :func:`rank_acceptability` — how often each vendor takes each rank when the weights are redrawn at
  random around the buyer's (in the spirit of SMAA, Lahdelma, Hokkanen & Salminen 1998).

When two vendors have exactly the same total, the one listed first is taken to be ahead.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

WEIGHT_SUM_TOLERANCE = 1e-6
# Totals live on 0..1; differences below this are floating-point noise (a matrix product can give two
# identical vendors totals that differ in the last bit) and are treated as ties.
TIE_TOLERANCE = 1e-12
DEFAULT_CONCENTRATION = 100.0


@dataclass(frozen=True)
class CriticalChange:
    """The smallest change of one criterion's weight that makes ``new_winner`` win.

    ``delta`` is signed (new weight − current weight); it is the threshold where ``new_winner`` draws
    level, so any change slightly beyond it in the same direction makes it the winner. ``delta``,
    ``new_weight`` and ``new_winner`` are None when no weight in [0, 1] changes the winner.
    """

    criterion: Hashable
    delta: float | None
    new_weight: float | None
    new_winner: Hashable | None
    current_weight: float


@dataclass(frozen=True)
class RankAcceptability:
    """Shares of random weight draws in which each vendor took each rank.

    ``rank_shares[v, r]`` is the share of draws in which ``vendors[v]`` ranked ``r + 1``; every row and
    every column sums to 1. ``first_place_share`` is column 0 keyed by vendor.
    """

    first_place_share: dict[Hashable, float]
    rank_shares: np.ndarray
    vendors: tuple[Hashable, ...]
    n: int
    seed: int
    concentration: float


def _checked(
    scores: np.ndarray,
    weights: np.ndarray,
    vendors: Sequence[Hashable],
    criteria: Sequence[Hashable],
) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if scores.shape != (len(vendors), len(criteria)):
        raise ValueError(f"scores must be vendors × criteria = {len(vendors)}×{len(criteria)}, got {scores.shape}")
    if weights.shape != (len(criteria),):
        raise ValueError(f"weights must have one entry per criterion ({len(criteria)})")
    if len(vendors) < 1:
        raise ValueError("at least one vendor is needed")
    if not np.all(np.isfinite(scores)) or scores.min() < 0 or scores.max() > 1:
        raise ValueError("criterion scores must be within 0..1")
    if not np.all(np.isfinite(weights)) or weights.min() < 0:
        raise ValueError("weights must be zero or more")
    if abs(weights.sum() - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise ValueError(f"weights must sum to 1, they sum to {weights.sum():.6g}")
    return scores, weights


def _first_index(totals: np.ndarray) -> int:
    """The winner: the highest total, the vendor listed first among (near-)equal ones."""
    return int(np.flatnonzero(totals >= totals.max() - TIE_TOLERANCE)[0])


def _nearest_overtake(
    base: np.ndarray, slope: np.ndarray, winner: int, current: float, direction: int
) -> tuple[float, int] | None:
    """Moving the weight from ``current`` in ``direction`` (+1 / −1): where the winner is first caught.

    Returns (new weight, rival index) or None. Rival ``v`` trails by ``D_v(x) = gap + rate · x ≤ 0`` at the
    current weight; it can only catch up where ``direction · rate > 0``, at ``x = −gap / rate``, and must
    then lead strictly somewhere inside [0, 1]. Among rivals caught at the same point the one rising
    fastest leads beyond it (then the one listed first).
    """
    gap = base - base[winner]
    rate = slope - slope[winner]
    rising = direction * rate > TIE_TOLERANCE
    rising[winner] = False
    if not rising.any():
        return None
    crossing = np.full(len(base), np.inf)
    crossing[rising] = -gap[rising] / rate[rising]
    # Round-off can put a crossing a hair behind the current weight; the rival then ties now.
    crossing[rising] = np.maximum(direction * (crossing[rising] - current), 0.0)
    # The rival must draw level strictly inside [0, 1] so that it can lead beyond; a tie only at the
    # bound (to within round-off) never makes it the winner.
    room = 1.0 - current if direction > 0 else current
    reachable = rising & (crossing < room - TIE_TOLERANCE)
    if not reachable.any():
        return None
    distance = crossing[reachable].min()
    tied = np.flatnonzero(reachable & (crossing <= distance + TIE_TOLERANCE))
    v = int(tied[np.argmax(direction * rate[tied])])
    return current + direction * float(distance), v


def critical_weight_changes(
    scores: np.ndarray,
    weights: np.ndarray,
    vendors: Sequence[Hashable],
    criteria: Sequence[Hashable],
) -> tuple[CriticalChange, ...]:
    """For each criterion, the smallest weight change (up or down) that changes the winner.

    When criterion ``c``'s weight moves to ``x``, the others are rescaled by ``(1 − x) / (1 − w_c)``, so
    every vendor's total is linear in ``x``: ``T_v(x) = r_v + x · (s_vc − r_v)`` where ``r_v`` is the
    vendor's weighted average on the other criteria. For each rival the crossing point with the winner's
    line is solved in closed form; the nearest crossing inside [0, 1] beyond which the rival leads is the
    critical change. (If ``w_c`` is 1 the other weights are all 0 and are taken as equal when revived.)
    """
    scores, weights = _checked(scores, weights, vendors, criteria)
    n_criteria = len(criteria)
    winner = _first_index(scores @ weights)
    changes = []
    for c, criterion in enumerate(criteria):
        current = float(weights[c])
        if n_criteria == 1:
            changes.append(CriticalChange(criterion, None, None, None, current))
            continue
        others = np.delete(np.arange(n_criteria), c)
        rest = weights[others]
        rest = rest / rest.sum() if rest.sum() > 0 else np.full(len(others), 1.0 / len(others))
        base = scores[:, others] @ rest  # r_v
        slope = scores[:, c] - base
        attempts = [_nearest_overtake(base, slope, winner, current, direction) for direction in (1, -1)]
        found = [f for f in attempts if f is not None]
        if not found:
            changes.append(CriticalChange(criterion, None, None, None, current))
            continue
        x, v = min(found, key=lambda item: abs(item[0] - current))
        changes.append(CriticalChange(criterion, x - current, x, vendors[v], current))
    return tuple(changes)


def rank_acceptability(
    scores: np.ndarray,
    weights: np.ndarray,
    vendors: Sequence[Hashable],
    criteria: Sequence[Hashable],
    *,
    seed: int,
    n: int = 10_000,
    concentration: float = DEFAULT_CONCENTRATION,
) -> RankAcceptability:
    """Rank shares under ``n`` random weight vectors drawn around the buyer's weights.

    Weights are drawn from a Dirichlet distribution with parameters ``concentration · weights``: its mean
    is exactly the buyer's weights and each weight's standard deviation is
    ``sqrt(w · (1 − w) / (concentration + 1))`` — with the default 100, a weight of 0.30 varies by about
    ±0.046. Smaller concentration means more doubt about the weights. A criterion of weight 0 stays 0.
    The same ``seed`` always gives the same figures.
    """
    scores, weights = _checked(scores, weights, vendors, criteria)
    if not n >= 1:
        raise ValueError(f"n must be at least 1, got {n!r}")
    if not concentration > 0:
        raise ValueError(f"concentration must be above 0, got {concentration!r}")
    rng = np.random.default_rng(seed)
    active = weights > 0
    draws = np.zeros((n, len(criteria)))
    draws[:, active] = rng.dirichlet(concentration * weights[active], size=n)
    totals = np.round(draws @ scores.T, 12)  # n × vendors; rounding turns bit noise into ties
    # A stable sort of the negated totals keeps exact ties in listing order, as the winner rule says.
    order = np.argsort(-totals, axis=1, kind="stable")  # order[d, r] = vendor at rank r in draw d
    m = len(vendors)
    counts = np.bincount((order * m + np.arange(m)[None, :]).ravel(), minlength=m * m).reshape(m, m)
    shares = counts / n
    return RankAcceptability(
        vendors=tuple(vendors),
        first_place_share={vendor: float(shares[i, 0]) for i, vendor in enumerate(vendors)},
        rank_shares=shares,
        n=n,
        seed=seed,
        concentration=float(concentration),
    )
