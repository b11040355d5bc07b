"""The pure scoring engine at size: ranking plus robustness for m vendors × 60 criteria.

No database and no Flask: the same functions the reports call, on synthetic scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.inprocess import timed

CRITERIA = 60
SECTIONS = 6
DRAWS = 10_000


@dataclass(frozen=True)
class EngineMeasure:
    vendors: int
    criteria: int
    ranking_seconds: float  # CPU: score_response per vendor + rank
    critical_seconds: float  # critical weight change per criterion
    acceptability_seconds: float  # rank acceptability over DRAWS weight draws

    @property
    def total(self) -> float:
        return self.ranking_seconds + self.critical_seconds + self.acceptability_seconds


def measure_engine(vendors: int, criteria: int = CRITERIA, seed: int = 9) -> EngineMeasure:
    from app.scoring.aggregate import QuestionSpec, SectionSpec, rank, score_response
    from app.scoring.robustness import critical_weight_changes, rank_acceptability

    rng = np.random.default_rng(seed)
    scores = np.round(rng.uniform(0, 4, size=(vendors, criteria)) * 4) / 4  # 0..4 in quarter steps
    sections = [SectionSpec(f"s{k}", f"Section {k}", float(k + 1)) for k in range(SECTIONS)]
    questions = [QuestionSpec(f"q{c:02d}", f"s{c % SECTIONS}", float(1 + c % 3)) for c in range(criteria)]
    per_vendor = [{q.id: float(scores[v, c]) for c, q in enumerate(questions)} for v in range(vendors)]
    names = [f"vendor {v:03d}" for v in range(vendors)]
    criteria_ids = [q.id for q in questions]

    def ranking():
        return rank({names[v]: score_response(sections, questions, per_vendor[v], {}) for v in range(vendors)})

    # Criterion weights as the reports use them: section share × question share within the section.
    section_share = np.array([s.weight for s in sections]) / sum(s.weight for s in sections)
    question_weight = np.array([q.weight for q in questions])
    section_of = np.array([c % SECTIONS for c in range(criteria)])
    mass = np.bincount(section_of, weights=question_weight)
    weights = section_share[section_of] * question_weight / mass[section_of]
    unit = scores / 4.0

    return EngineMeasure(
        vendors,
        criteria,
        ranking_seconds=timed(ranking, repeat=7, budget=3.0).cpu,
        critical_seconds=timed(
            lambda: critical_weight_changes(unit, weights, names, criteria_ids), repeat=7, budget=3.0
        ).cpu,
        acceptability_seconds=timed(
            lambda: rank_acceptability(unit, weights, names, criteria_ids, seed=seed, n=DRAWS), repeat=7, budget=3.0
        ).cpu,
    )
