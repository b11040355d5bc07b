"""The ranking page explains every number, and costs the same number of queries for 2 or 6 vendors."""

from __future__ import annotations

import html
import re

import pytest

from app.extensions import db
from app.reports.ranking import compute_results
from tests.workflow.conftest import add_vendor
from tests.workflow.test_price import set_price_weight


def ranking_queries(client, evaluation, count_queries) -> int:
    client.get(f"/evaluations/{evaluation.id}/ranking")  # warm the per-process questionnaire cache
    # The test shares the request's session: forget what setup loaded, so every lazy load is counted.
    db.session.expire_all()
    count_queries.clear()
    assert client.get(f"/evaluations/{evaluation.id}/ranking").status_code == 200
    return len(count_queries)


def test_ranking_query_count_does_not_grow_with_vendors(client, login, scored_world, count_queries):
    world = scored_world
    login(world.evaluator)
    for response in (world.response_a, world.response_b):
        client.post(f"/reviews/{response.id}", data={"declaration": "no_conflict"})
        page = client.get(f"/reviews/{response.id}").get_data(as_text=True)
        scores = {f"score.{q}": "3" for q in set(re.findall(r'name="score\.([A-Z]+-\d+)"', page))}
        assert client.post(f"/reviews/{response.id}", data=scores | {"action": "submit"}).status_code == 302
    client.post("/logout")
    login(world.buyer)
    set_price_weight(client, world.evaluation, "20")
    with_two = ranking_queries(client, world.evaluation, count_queries)
    for number in range(4):
        add_vendor(
            world.evaluation,
            f"Extra Vendor {number}",
            seed=10 + number,
            overrides={"PRICE-01": str(60 + number), "PRICE-02": "hour", "QA-05": "2"},
        )
    with_six = ranking_queries(client, world.evaluation, count_queries)
    page = client.get(f"/evaluations/{world.evaluation.id}/ranking").get_data(as_text=True)
    assert all(f"Extra Vendor {n}" in page for n in range(4))
    assert with_six == with_two, f"{with_two} queries for 2 vendors, {with_six} for 6"


def test_every_number_is_explained(client, login, scored_world):
    world = scored_world
    login(world.buyer)
    set_price_weight(client, world.evaluation, "20")
    results = compute_results(world.evaluation)
    for vendor in results.ranked + results.disqualified:
        assert vendor.total == pytest.approx(sum(q.points for q in vendor.questions))
        for q in vendor.questions:
            assert q.rule, f"{q.question_id} has no rule"
            assert q.points == pytest.approx(q.max_points * (q.score or 0) / 4)
        for section in vendor.sections:
            members = [q for q in vendor.questions if q.section_id == section.id]
            assert sum(q.max_points for q in members) == pytest.approx(100 * section.weight_share)
    page = " ".join(
        html.unescape(client.get(f"/evaluations/{world.evaluation.id}/ranking").get_data(as_text=True)).split()
    )
    row = re.search(r'answer-QA-05">QA-05</a>(.*?)</tr>', page).group(1)
    assert (
        "automatic: bands on the number given" in row
        and "bands: ≤ 1 → 4, ≤ 3 → 3, ≤ 5 → 2, ≤ 10 → 1, otherwise 0" in row
    )
    assert "self-attested" in row
    people = re.search(r'answer-PRO-01">PRO-01</a>(.*?)</tr>', page).group(1)
    assert "not scored yet" in people and "rubric 0-4 read by the evaluators" in people
    price = re.search(r'answer-PRICE-01">PRICE-01</a>(.*?)</tr>', page).group(1)
    assert "price: absolute formula" in price and "Absolute (budget-based)" in price
    assert "Entered directly by the buyer" in page and "Can add" in page
