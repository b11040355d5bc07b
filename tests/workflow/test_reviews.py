"""Blind scoring, consensus and evaluator agreement, through the evaluators' and buyers' pages."""

from __future__ import annotations

import html
import math
import re

import pytest

from app.reports.ranking import compute_results
from app.reviews.agreement import evaluation_agreement
from app.scoring.agreement import krippendorff_alpha


def rubric_questions(client, response) -> list[str]:
    page = client.get(f"/reviews/{response.id}").get_data(as_text=True)
    return sorted(set(re.findall(r'name="score\.([A-Z]+-\d+)"', page)))


def score(client, response, values: dict[str, int], comment: str = "") -> None:
    client.post(f"/reviews/{response.id}", data={"declaration": "no_conflict"})
    data = {f"score.{q}": str(v) for q, v in values.items()} | {f"comment.{q}": comment for q in values}
    answer = client.post(f"/reviews/{response.id}", data=data | {"action": "submit"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]


def text_of(page) -> str:
    """The page's HTML with entities decoded and runs of white space made one space."""
    return " ".join(html.unescape(page.get_data(as_text=True)).split())


def words(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def alpha_shown(text: str, element_id: str) -> str:
    block = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|section)>', text, re.S).group(1)
    return re.search(r"α = ([\d.−-]+)|α not assessable", block).group(0)


def test_blind_scoring_consensus_and_agreement_figures(client, login, scored_world):
    world = scored_world
    a, b = world.response_a, world.response_b
    login(world.evaluator)
    client.post(f"/reviews/{a.id}", data={"declaration": "no_conflict"})
    questions = rubric_questions(client, a)
    assert len(questions) >= 4
    evaluator = {"a": {q: 3 for q in questions}, "b": {q: 2 for q in questions}}
    half = len(questions) // 2
    lead = {"a": {q: (1 if i < half else 3) for i, q in enumerate(questions)}, "b": {q: 2 for q in questions}}
    score(client, a, evaluator["a"], "zebra-evidence-note")
    score(client, b, evaluator["b"])
    client.post("/logout")

    login(world.lead)
    client.post(f"/reviews/{a.id}", data={"declaration": "no_conflict"})
    blocked = client.get(f"/reviews/{a.id}/consensus").get_data(as_text=True)
    assert "Submit your own review of this vendor first" in blocked
    assert "zebra-evidence-note" not in blocked and "zebra-evidence-note" not in client.get(
        f"/reviews/{a.id}"
    ).get_data(as_text=True)
    score(client, a, lead["a"])
    score(client, b, lead["b"])
    page = text_of(client.get(f"/reviews/{a.id}/consensus"))
    assert "zebra-evidence-note" in page

    units = [(r, q) for r in ("a", "b") for q in questions]
    expected = krippendorff_alpha([[evaluator[r][q] for r, q in units], [lead[r][q] for r, q in units]], "ordinal")
    assert alpha_shown(page, "agreement-summary") == f"α = {expected:.2f}"
    assert f"{half} answers with evaluators 2+ points apart" in page
    headings = dict(re.findall(r'id="c-([A-Z]+-\d+)">\s*<p[^>]*>(.*?)</p>', page, re.S))
    assert {q for q, heading in headings.items() if "evaluators 2 points apart" in heading} == set(questions[:half])
    # Per criterion: the two vendors are the units. A disputed question: (3, 1) and (2, 2).
    disputed = questions[0]
    per_criterion = krippendorff_alpha([[3, 2], [1, 2]], "ordinal")
    assert not math.isnan(per_criterion)
    block = re.search(rf'id="c-{disputed}">(.*?)</form>', page, re.S).group(1)
    assert f"over 2 vendors: α = {per_criterion:.2f}" in words(block)
    summary = evaluation_agreement(world.evaluation)
    assert summary.alpha == pytest.approx(expected)
    assert summary.criterion(disputed).alpha == pytest.approx(per_criterion)
    assert set(summary.gaps_for(a.id)) == set(questions[:half]) and not summary.gaps_for(b.id)

    answer = client.post(
        f"/reviews/{a.id}/consensus",
        data={"question_id": disputed, "value": "2", "rationale": "Process documented, no artefact"},
    )
    assert answer.status_code == 302
    client.post("/logout")

    login(world.viewer)
    agreement = text_of(client.get(f"/reviews/evaluations/{world.evaluation.id}/agreement"))
    assert alpha_shown(agreement, "overall-agreement") == f"α = {expected:.2f}"
    label = "reliable" if expected >= 0.8 else "tentative" if expected >= 0.667 else "unreliable"
    assert re.search(rf'id="overall-agreement">.*?{label}', agreement, re.S)
    gaps = re.search(r'id="score-gaps">(.*?)</ul>', agreement, re.S).group(1)
    assert f"Vendor A · {disputed}" in words(gaps) and "consensus 2" in words(gaps)
    explained = compute_results(world.evaluation).vendor(a.id)
    row = next(q for q in explained.questions if q.question_id == disputed)
    assert row.method == "consensus" and row.score == 2.0 and "consensus score" in row.rule


def test_agreement_page_is_for_results_readers(client, login, scored_world):
    url = f"/reviews/evaluations/{scored_world.evaluation.id}/agreement"
    login(scored_world.evaluator)
    assert client.get(url).status_code == 403
    login(scored_world.other_buyer)
    assert client.get(url).status_code == 404
