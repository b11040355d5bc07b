"""How sure are we of the winner? The robustness figures of a ranking, as plain data.

Works on the section level of the ranking: each ranked vendor's section scores (0..100, read as
0..1) and the sections' weight shares, handed to :mod:`app.scoring.robustness`. Vendors that failed
a must-have are left out: they cannot win whatever the weights.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.reports.ranking import EvaluationResults
from app.scoring.robustness import DEFAULT_CONCENTRATION, critical_weight_changes, rank_acceptability

# Fixed so that the page, the PDF and the spreadsheet show the same shares every time.
ACCEPTABILITY_SEED = 2026
ACCEPTABILITY_DRAWS = 10_000


@dataclass(frozen=True)
class WeightSensitivity:
    """The smallest change of one section's weight share that hands the win to ``new_winner``."""

    section_id: str
    title: str
    weight_share: float
    new_share: float | None
    change: float | None  # signed, in shares (0.05 = five percentage points)
    new_winner: str | None


@dataclass(frozen=True)
class VendorAcceptability:
    """How often a vendor took each rank (``rank_shares[0]`` is first place) under redrawn weights."""

    response_id: int
    vendor: str
    rank_shares: tuple[float, ...]

    @property
    def first_place(self) -> float:
        return self.rank_shares[0]


@dataclass(frozen=True)
class Robustness:
    """Critical weight changes per section and rank acceptability; ``note`` says why something is missing."""

    winner: str | None
    sections: tuple[WeightSensitivity, ...]
    acceptability: tuple[VendorAcceptability, ...]
    draws: int
    seed: int
    concentration: float
    note: str

    @property
    def available(self) -> bool:
        return bool(self.acceptability)

    @property
    def closest(self) -> WeightSensitivity | None:
        """The section whose weight needs the smallest change to change the winner."""
        changing = [s for s in self.sections if s.change is not None]
        return min(changing, key=lambda s: abs(s.change)) if changing else None


def assess(
    results: EvaluationResults, *, seed: int = ACCEPTABILITY_SEED, draws: int = ACCEPTABILITY_DRAWS
) -> Robustness:
    """Critical weight change per section and rank acceptability over ``draws`` seeded weight draws."""
    ranked = results.ranked
    empty = Robustness(None, (), (), draws, seed, DEFAULT_CONCENTRATION, "")
    if len(ranked) < 2:
        return replace(empty, note="Fewer than two vendors are ranked, so there is no winner to challenge.")
    section_ids = [s.id for s in ranked[0].sections]
    shares = np.array([s.weight_share for s in ranked[0].sections], dtype=float)
    if not section_ids or shares.sum() <= 0:
        return replace(empty, note="No section carries weight.")
    shares = shares / shares.sum()  # guard against round-off in the stored shares
    scores = np.array([[min(1.0, max(0.0, s.score / 100.0)) for s in v.sections] for v in ranked])
    keys = [v.response_id for v in ranked]
    names = {v.response_id: v.vendor for v in ranked}
    changes = critical_weight_changes(scores, shares, keys, section_ids)
    titles = {s.id: s.title for s in ranked[0].sections}
    sections = tuple(
        WeightSensitivity(
            c.criterion,
            titles[c.criterion],
            c.current_weight,
            c.new_weight,
            c.delta,
            names.get(c.new_winner) if c.new_winner is not None else None,
        )
        for c in changes
    )
    shares_by_rank = rank_acceptability(scores, shares, keys, section_ids, seed=seed, n=draws)
    acceptability = tuple(
        VendorAcceptability(key, names[key], tuple(float(x) for x in shares_by_rank.rank_shares[i]))
        for i, key in enumerate(shares_by_rank.vendors)
    )
    winner_index = int(np.flatnonzero(scores @ shares >= (scores @ shares).max() - 1e-12)[0])
    return Robustness(names[keys[winner_index]], sections, acceptability, draws, seed, shares_by_rank.concentration, "")
