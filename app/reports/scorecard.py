"""The plain data of a one-page vendor scorecard."""
from __future__ import annotations

from dataclasses import dataclass

from app.reports.ranking import EvaluationResults, QuestionResult, VendorResult


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


def build_scorecard(results: EvaluationResults, vendor: VendorResult, *, top: int = 3) -> Scorecard:
    """Strengths and risks are the highest- and lowest-scored criteria that carry weight."""
    scored = [q for q in vendor.questions if q.points > 0 or q.score is not None]
    by_score = sorted(scored, key=lambda q: (-(q.score or 0), q.question_id))
    strengths = tuple(q for q in by_score if (q.score or 0) >= 3)[:top]
    risks = tuple(q for q in reversed(by_score) if (q.score or 0) <= 2)[:top]
    coverage = tuple(q for q in vendor.questions if q.method == "auto: coverage")
    return Scorecard(results.title, results.buyer, results.questionnaire, vendor, len(results.ranked),
                     strengths, risks, coverage)
