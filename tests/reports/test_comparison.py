"""The comparison page and the figures behind it (coverage heatmap, robustness, agreement)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Job, Score
from app.models.base import utcnow
from app.reports.comparison import build_comparison
from app.reports.coverage import heat_class
from app.reports.ranking import EvaluationResults, VendorResult, compute_results
from app.reports.sensitivity import assess
from app.scoring.aggregate import SectionScore, SectionSpec
from app.scoring.robustness import critical_weight_changes


def test_comparison_page_shows_ranking_sections_coverage_musthaves_confidence_and_links(client, demo, demo_user):
    demo_user("viewer@acme.example")
    page = client.get(f"/evaluations/{demo.id}/comparison")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    results = compute_results(demo)
    for vendor in results.ranked + results.disqualified:
        assert vendor.vendor in html
        assert f"{vendor.total:.1f}" in html
    set_apart = html.split('id="comparison-set-apart"')[1].split("</table>")[0]
    assert "QuickData Collect" in set_apart and "Polyglot Voices Ltd" not in set_apart
    heatmap = html.split('id="coverage-heatmap"')[1].split("</table>")[0]
    for locale in ("en-US", "hi-IN", "ja-JP", "de-DE"):
        assert locale in heatmap
    assert re.search(r'class="heat heat-10"', heatmap) and re.search(r'class="heat heat-[0-5]"', heatmap)
    first = results.ranked[0].response_id
    assert f"/responses/{first}/view#answer-COV-02" in heatmap, "coverage cells lead to the answer"
    assert f"/responses/{first}/view#answer-PRV-05" in html, "every criterion links down to its answer"
    assert "📎" in html, "evidence files are counted beside the answer link"
    assert 'id="critical-weights"' in html and 'id="rank-acceptability"' in html
    assert "Krippendorff" in html and "PRV-05" in html.split('id="score-gaps"')[1]
    assert "failed: the answer is none, which is none of: consent" in html.split('id="must-haves"')[1]
    assert "style=" not in html, "the CSP forbids inline styles"


def test_comparison_respects_sealing(client, demo, demo_user):
    demo.sealed = True
    demo.deadline = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    demo_user("buyer@acme.example")
    assert "sealed until the deadline" in client.get(f"/evaluations/{demo.id}/comparison").get_data(as_text=True)
    assert client.get(f"/evaluations/{demo.id}/export.xlsx").status_code == 403
    started = client.post(f"/evaluations/{demo.id}/comparison/pack")
    assert started.status_code == 403 and "sealed until the deadline" in started.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_evaluator_agreement_is_perfect_when_evaluators_give_the_same_scores(demo):
    before = build_comparison(demo).agreement
    assert before.alpha is not None and before.alpha < 0.8 and before.gaps
    scores = db.session.scalars(sa.select(Score).order_by(Score.evaluator_id)).all()
    first = scores[0].evaluator_id
    mine = {(s.response_id, s.question_id): s.value for s in scores if s.evaluator_id == first}
    for score in scores:
        score.value = mine[(score.response_id, score.question_id)]
    db.session.commit()
    after = build_comparison(demo).agreement
    assert after.alpha == pytest.approx(1.0) and after.label == "reliable" and after.gaps == ()
    assert after.scored_answers == before.scored_answers and after.evaluators == 2


def test_heat_classes_step_by_tenths():
    assert [heat_class(r) for r in (0, 0.05, 0.1, 0.55, 0.999, 1.0, 3.0)] == [0, 0, 1, 5, 9, 10, 10]
    assert heat_class(float("nan")) == 0


def _results(*vendors: tuple[str, tuple[float, ...]], shares=(0.5, 0.5)) -> EvaluationResults:
    specs = tuple(SectionSpec(f"s{i}", f"Section {i}", share) for i, share in enumerate(shares))
    ranked = []
    for position, (name, scores) in enumerate(vendors, start=1):
        sections = tuple(
            SectionScore(spec.id, spec.title, score, spec.weight, score * spec.weight)
            for spec, score in zip(specs, scores, strict=True)
        )
        ranked.append(
            VendorResult(
                response_id=position,
                vendor=name,
                total=sum(s.points for s in sections),
                rank=position,
                sections=sections,
                questions=(),
                failures=(),
                scored_by_people=0,
                awaiting_people=0,
            )
        )
    return EvaluationResults(
        evaluation_id=1,
        title="t",
        buyer="b",
        questionnaire="q",
        sections=specs,
        ranked=tuple(ranked),
        disqualified=(),
        not_submitted=(),
    )


def test_robustness_finds_the_weight_change_that_hands_over_the_win():
    results = _results(("Alpha", (90.0, 50.0)), ("Beta", (60.0, 75.0)))  # 70 against 67.5
    robustness = assess(results)
    assert robustness.winner == "Alpha"
    expected = critical_weight_changes(np.array([[0.9, 0.5], [0.6, 0.75]]), np.array([0.5, 0.5]), [1, 2], ["s0", "s1"])
    first = robustness.sections[0]
    assert first.change == pytest.approx(expected[0].delta) and first.new_winner == "Beta"
    assert first.new_share == pytest.approx(0.5 + expected[0].delta) and first.new_share < 0.5
    assert robustness.closest is not None
    assert robustness.draws == 10_000 and robustness.seed == 2026
    shares = np.array([a.rank_shares for a in robustness.acceptability])
    assert np.allclose(shares.sum(axis=0), 1) and np.allclose(shares.sum(axis=1), 1)
    assert 0 < robustness.acceptability[1].first_place < robustness.acceptability[0].first_place
    assert assess(results).acceptability == robustness.acceptability, "a fixed seed gives the same shares"


def test_robustness_needs_two_ranked_vendors():
    robustness = assess(_results(("Alone", (80.0, 80.0))))
    assert not robustness.available and "Fewer than two" in robustness.note
