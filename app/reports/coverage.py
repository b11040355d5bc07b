"""The coverage heatmap: each required locale against what each vendor commits there.

The numbers come from the coverage-scored table answer (the question whose ``scoring.auto`` is
``coverage``, e.g. COV-02), read by the same scorer that scores it, so the heatmap and the score
can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.questionnaires.model import Question, Questionnaire
from app.scoring.autoscorers import get_scorer
from app.scoring.model import Requirements

HEAT_STEPS = 10  # CSS classes .heat-0 … .heat-10


@dataclass(frozen=True)
class CoverageCell:
    """One vendor in one locale: ``offered`` against ``required``; ``heat`` is 0..10 for the CSS class."""

    offered: float
    required: float
    ratio: float
    heat: int


@dataclass(frozen=True)
class CoverageRow:
    """A required locale and one cell per vendor column (None: the vendor gave no usable table)."""

    locale: str
    required: float
    cells: tuple[CoverageCell | None, ...]


@dataclass(frozen=True)
class VendorCoverage:
    """One vendor's coverage in a sentence: score 0..4 (None: not scored), the weakest locale's share,
    locales fully met."""

    response_id: int
    vendor: str
    score: float | None
    weakest_ratio: float | None
    locales_met: int
    locales_required: int
    explanation: str


@dataclass(frozen=True)
class CoverageHeatmap:
    """Required locales × vendors. ``question_id`` is None when the questionnaire scores no coverage."""

    question_id: str | None
    question_text: str
    unit: str  # "contributors", "hours" or "contributors and hours"
    vendors: tuple[VendorCoverage, ...]
    rows: tuple[CoverageRow, ...]
    skipped_locales: tuple[str, ...]  # required locales without a volume target

    @property
    def available(self) -> bool:
        return self.question_id is not None and bool(self.rows)

    def for_vendor(self, response_id: int) -> tuple[VendorCoverage | None, tuple[tuple[str, CoverageCell | None], ...]]:
        """A vendor's summary and its (locale, cell) pairs, for the one-page scorecard."""
        column = next((i for i, v in enumerate(self.vendors) if v.response_id == response_id), None)
        if column is None:
            return None, ()
        return self.vendors[column], tuple((row.locale, row.cells[column]) for row in self.rows)


def heat_class(ratio: float) -> int:
    """0..10: a tenth of the requirement per step, 10 only when it is fully met."""
    if not math.isfinite(ratio) or ratio <= 0:
        return 0
    return min(HEAT_STEPS, int(math.floor(ratio * HEAT_STEPS + 1e-9)))


def coverage_question(questionnaire: Questionnaire, applicable_sections: set[str]) -> Question | None:
    """The first question scored by the ``coverage`` auto-scorer in a section that applies."""
    return next(
        (q for q in questionnaire.questions if q.scoring.auto == "coverage" and q.section_id in applicable_sections),
        None,
    )


def build_heatmap(
    question: Question | None,
    requirements: Requirements,
    vendors: Sequence[tuple[int, str]],
    answers: Mapping[int, Any],
) -> CoverageHeatmap:
    """Build the heatmap for ``vendors`` (response id, name) in column order from their answers to ``question``."""
    if question is None:
        return CoverageHeatmap(None, "", "contributors", (), (), ())
    scorer = get_scorer("coverage")
    target = question.scoring.params.get("target", "min_contributors")
    unit = "contributors" if target == "min_contributors" else "hours"
    volumes = (target,)
    if question.scoring.params.get("hours_column"):
        unit, volumes = "contributors and hours", ("min_contributors", "min_hours")
    per_vendor: list[dict[str, dict]] = []
    summaries = []
    skipped: tuple[str, ...] = ()
    for response_id, name in vendors:
        outcome = scorer(answers.get(response_id), question.scoring.params, requirements)
        cells = {item["locale"]: item for item in outcome.details.get("per_locale", [])}
        skipped = tuple(outcome.details.get("skipped", skipped))
        per_vendor.append(cells)
        summaries.append(
            VendorCoverage(
                response_id,
                name,
                outcome.score,
                outcome.details.get("ratio"),
                sum(1 for c in cells.values() if c["ratio"] >= 1),
                len(cells) if cells else _required_count(requirements, volumes),
                outcome.explanation,
            )
        )
    rows = []
    for locale_target in requirements.locales:
        # A row shows the locale's first volume target; a cell the vendor's weakest volume there.
        needed = next((getattr(locale_target, v) for v in volumes if getattr(locale_target, v)), None)
        if not needed:
            continue
        cells = []
        for found in per_vendor:
            item = found.get(locale_target.locale)
            cells.append(
                None
                if item is None
                else CoverageCell(
                    float(item["offered"]), float(item["required"]), float(item["ratio"]), heat_class(item["ratio"])
                )
            )
        rows.append(CoverageRow(locale_target.locale, float(needed), tuple(cells)))
    if not skipped:
        skipped = tuple(t.locale for t in requirements.locales if not any(getattr(t, v) for v in volumes))
    return CoverageHeatmap(question.id, question.text, unit, tuple(summaries), tuple(rows), skipped)


def _required_count(requirements: Requirements, volumes: tuple[str, ...]) -> int:
    return sum(1 for t in requirements.locales if any(getattr(t, v) for v in volumes))
