"""The plain data of a one-page vendor scorecard."""

from __future__ import annotations

from dataclasses import dataclass

from app.reports.comparison import Comparison
from app.reports.coverage import CoverageCell, VendorCoverage
from app.reports.ranking import EvaluationResults, QuestionResult, VendorResult

# Beyond this many required locales the card lists the least covered ones, so it stays on one page.
CARD_LOCALES = 8


@dataclass(frozen=True)
class MustHaveStatus:
    question_id: str
    text: str
    reason: str
    status: str  # "met", "not asked", or "failed: <what was wrong>"

    @property
    def failed(self) -> bool:
        return self.status.startswith("failed")


@dataclass(frozen=True)
class Scorecard:
    evaluation: str
    buyer: str
    questionnaire: str
    vendor: VendorResult
    vendors_ranked: int
    strengths: tuple[QuestionResult, ...]
    risks: tuple[QuestionResult, ...]
    coverage: tuple[QuestionResult, ...]
    must_haves: tuple[MustHaveStatus, ...] = ()
    coverage_summary: VendorCoverage | None = None
    coverage_locales: tuple[tuple[str, CoverageCell | None], ...] = ()
    coverage_unit: str = "contributors"
    coverage_more: int = 0  # required locales not listed (all better covered than those listed)
    sections_chart: str | None = None  # an SVG data: URI, filled in when the PDF is rendered
    samples: object | None = None  # app.sample_batches.findings.SampleSummary, when the vendor sent a batch
    price: str | None = None  # "EUR 100.00 per hour of speech; EUR 104.17 per accepted hour of speech; 1.16 × budget"
    price_budget: str | None = None  # the budget it is compared with


def price_lines(results: EvaluationResults, vendor: VendorResult) -> tuple[str | None, str | None]:
    """The vendor's price in one line, and the budget it is compared with."""
    settings = results.price
    if settings is None or settings.price_question is None or vendor.price is None:
        return None, None
    # Kept to one short line: the card must stay on one page (the ranking explains an unscored price).
    budget = f"(budget {settings.money(settings.budget)})" if settings.budget else "(no budget set)"
    return settings.describe(vendor.price.cost), budget


def build_scorecard(
    results: EvaluationResults, vendor: VendorResult, *, top: int = 3, comparison: Comparison | None = None
) -> Scorecard:
    """Strengths and risks are the highest- and lowest-scored criteria that carry weight.

    With ``comparison`` the card also lists every must-have with its status and the vendor's
    coverage per required locale.
    """
    scored = [q for q in vendor.questions if q.weight > 0 and (q.points > 0 or q.score is not None)]
    by_score = sorted(scored, key=lambda q: (-(q.score or 0), q.question_id))
    strengths = tuple(q for q in by_score if (q.score or 0) >= 3)[:top]
    risks = tuple(q for q in reversed(by_score) if (q.score or 0) <= 2)[:top]
    coverage = tuple(q for q in vendor.questions if q.scorer == "coverage")
    price, price_budget = price_lines(results, vendor)
    card = Scorecard(
        results.title,
        results.buyer,
        results.questionnaire,
        vendor,
        len(results.ranked),
        strengths,
        risks,
        coverage,
        price=price,
        price_budget=price_budget,
    )
    if comparison is None:
        return card
    column = next(i for i, v in enumerate(comparison.vendors) if v.response_id == vendor.response_id)
    must_haves = tuple(
        MustHaveStatus(row.question_id, row.text, row.reason, row.statuses[column]) for row in comparison.must_haves
    )
    summary, locales = comparison.coverage.for_vendor(vendor.response_id)
    more = 0
    if len(locales) > CARD_LOCALES:
        locales = tuple(sorted(locales, key=lambda item: item[1].ratio if item[1] else -1.0)[:CARD_LOCALES])
        more = len(comparison.coverage.rows) - CARD_LOCALES
    return Scorecard(
        card.evaluation,
        card.buyer,
        card.questionnaire,
        vendor,
        card.vendors_ranked,
        strengths,
        risks,
        coverage,
        must_haves,
        summary,
        locales,
        comparison.coverage.unit,
        coverage_more=more,
        price=price,
        price_budget=price_budget,
    )
