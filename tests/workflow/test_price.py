"""Price as a criterion: cost per accepted unit, the absolute formula by default, the relative one warned about."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.reports.ranking import compute_results
from app.scoring.price import RELATIVE_FORMULA_WARNING
from tests.workflow.conftest import add_vendor

SECTIONS = ("coverage", "protocol", "privacy", "quality", "speech", "text")


def set_price_weight(client, evaluation, weight: str = "20") -> None:
    data = {f"weight.{s}": str(w) for s, w in zip(SECTIONS, (30, 20, 30, 20, 10, 10), strict=True)} | {
        "weight._price": weight
    }
    assert client.post(f"/evaluations/{evaluation.id}/weights", data=data).status_code == 302


def ranking_totals(client, world) -> dict[str, str]:
    page = client.get(f"/evaluations/{world.evaluation.id}/ranking").get_data(as_text=True)
    return dict(
        re.findall(r'<a href="#vendor-\d+">([^<]+)</a></td>\s*<td class="text-end fw-semibold">([\d.]+)</td>', page)
    )


def test_without_a_budget_price_is_not_scored_and_says_so(client, login, world):
    world.evaluation.sealed = False
    db.session.commit()
    login(world.buyer)
    set_price_weight(client, world.evaluation)
    page = client.get(f"/evaluations/{world.evaluation.id}/price").get_data(as_text=True)
    assert "Price is not scored: no budget per accepted unit is set" in html.unescape(page)
    results = compute_results(world.evaluation)
    assert "_price" not in {s.id for s in results.sections}
    assert not results.price.scored


def test_price_is_a_weighted_criterion_scored_against_the_budget(client, login, scored_world):
    world = scored_world
    login(world.buyer)
    set_price_weight(client, world.evaluation, "20")
    page = html.unescape(client.get(f"/evaluations/{world.evaluation.id}/ranking").get_data(as_text=True))
    assert re.search(r'<th scope="col" class="text-end">Price</th>', page), "price is a column of the ranking"
    prices = re.search(r'id="price-explained">(.*?)</section>', page, re.S).group(1)
    # Vendor A: 100 per hour, 4 % rejected -> 104.17 per accepted hour; budget 90 -> 4 x (180 - 104.17) / 180.
    assert "price EUR 100.00 ÷ (1 − 4 % rejected, QA-05) = EUR 104.17 per accepted hour of speech" in prices
    assert "= 1.69" in prices
    # Vendor B: 80 per hour but 20 % rejected -> 100.00 per accepted hour, cheaper than A after all.
    assert "= EUR 100.00 per accepted hour" in prices and "= 1.78" in prices
    assert "Absolute (budget-based)" in prices
    results = compute_results(world.evaluation)
    a = results.vendor(world.response_a.id)
    price_row = next(q for q in a.questions if q.section_id == "_price")
    assert price_row.question_id == "PRICE-01" and price_row.score == pytest.approx(4 * (180 - 100 / 0.96) / 180)
    share = next(s.weight_share for s in a.sections if s.id == "_price")
    assert share == pytest.approx(20 / 140)
    assert price_row.points == pytest.approx(100 * share * price_row.score / 4)
    assert a.total == pytest.approx(sum(q.points for q in a.questions))


def test_absolute_price_scores_do_not_move_when_a_cheap_vendor_enters(client, login, scored_world):
    world = scored_world
    login(world.buyer)
    set_price_weight(client, world.evaluation, "40")
    before = ranking_totals(client, world)
    assert set(before) == {"Vendor A", "Vendor B"}
    add_vendor(world.evaluation, "Bargain Bids", overrides={"PRICE-01": "5", "PRICE-02": "hour", "QA-05": "1"})
    after = ranking_totals(client, world)
    assert "Bargain Bids" in after
    assert {v: after[v] for v in before} == before


def test_relative_formula_shows_its_warning_and_depends_on_other_bids(client, login, scored_world):
    world = scored_world
    login(world.buyer)
    set_price_weight(client, world.evaluation, "40")
    url = f"/evaluations/{world.evaluation.id}/price"
    assert "Warning: this formula can reorder two vendors" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"formula": "relative", "rejection_question": "QA-05"}).status_code == 302
    settings_page = html.unescape(client.get(url).get_data(as_text=True))
    assert RELATIVE_FORMULA_WARNING in settings_page
    ranking = html.unescape(client.get(f"/evaluations/{world.evaluation.id}/ranking").get_data(as_text=True))
    assert 'id="relative-warning"' in ranking and RELATIVE_FORMULA_WARNING in ranking
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evaluation.price_settings_changed"))
    assert event.details["to"] == {"formula": "relative", "rejection_question": "QA-05"}

    before = ranking_totals(client, world)
    add_vendor(world.evaluation, "Bargain Bids", overrides={"PRICE-01": "5", "PRICE-02": "hour", "QA-05": "1"})
    after = ranking_totals(client, world)
    assert after["Vendor A"] != before["Vendor A"], "under the relative formula another bid moves A's score"


def test_price_settings_refuse_unknown_choices_and_keep_them(client, login, scored_world):
    login(scored_world.buyer)
    page = client.post(
        f"/evaluations/{scored_world.evaluation.id}/price",
        data={"formula": "cheapest-wins", "rejection_question": "QA-99"},
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Choose the absolute or the relative formula." in text
    assert "Choose the question that holds the vendor&#39;s rejection rate." in text


def test_a_bid_priced_before_the_unit_changed_is_not_comparable_and_counts_zero(client, login, scored_world):
    # Vendors can only save prices in the evaluation's unit; a bid left from before the buyer changed
    # the unit is shown as not comparable rather than compared.
    world = scored_world
    login(world.buyer)
    set_price_weight(client, world.evaluation, "20")
    world.evaluation.requirements = {**world.evaluation.requirements, "unit": "image"}
    db.session.commit()
    vendor = compute_results(world.evaluation).vendor(world.response_b.id)
    price_row = next(q for q in vendor.questions if q.section_id == "_price")
    assert price_row.score is None and price_row.points == 0
    assert "per hour of speech, the budget is per image: not comparable; price counts 0" in price_row.explanation
