"""Price reaches leadership: price per unit, cost per accepted unit and its ratio to the budget, with the
currency, in the executive summary, every scorecard, the comparison pack and the exports."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from pypdf import PdfReader

from app.demo import VENDOR_PROFILES, demo_answer, demo_requirements
from app.questionnaires import store
from app.reports.comparison import build_comparison
from app.reports.pack import render_pack, vendor_scorecard
from app.reports.pdf import render_pdf
from app.reports.ranking import compute_results
from app.reports.summary import executive_summary


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _lines(results) -> dict[str, str]:
    return {v.vendor: results.price.describe(v.price.cost) for v in results.ranked + results.disqualified}


def test_every_demo_vendor_prices_in_the_evaluations_unit_and_one_bid_is_above_budget(demo):
    results = compute_results(demo)
    vendors = results.ranked + results.disqualified
    assert results.price.unit == "hour" and results.price.currency == "EUR" and results.price.budget == 90
    assert all(v.price.cost.unit == "hour" and v.price.cost.cost is not None for v in vendors), "all comparable"
    ratios = {v.vendor: results.price.budget_ratio(v.price.cost) for v in vendors}
    assert sum(ratio > 1 for ratio in ratios.values()) == 1, ratios
    assert all(0.5 < ratio < 1.5 for ratio in ratios.values()), "believable bids around the budget"


def test_demo_answers_follow_the_requirements_unit(demo):
    unit = store.parsed(demo.questionnaire).question("PRICE-02")
    for wanted, answered in (("hour", "hour"), ("image", "image"), ("item", "text_item")):
        requirements = demo_requirements(None, unit=wanted)
        assert demo_answer(unit, VENDOR_PROFILES[2], requirements, None) == answered


def test_executive_summary_gives_each_price_with_currency_and_budget_ratio(demo):
    results = compute_results(demo)
    summary = executive_summary(build_comparison(demo, results))
    assert "Prices in EUR per hour of speech, against a budget of EUR 90.00 per accepted hour of speech." in summary
    for vendor, line in _lines(results).items():
        assert f"{vendor}: {line}." in summary
        assert line.startswith("EUR ") and "per accepted hour of speech" in line and "× budget" in line


@pytest.mark.slow  # renders a scorecard and the whole pack
def test_scorecard_and_pack_pdfs_show_the_price(demo):
    results = compute_results(demo)
    lines = _lines(results)
    for vendor in results.ranked + results.disqualified:
        text = _text(render_pdf("reports/scorecard_pdf.html", card=vendor_scorecard(demo, results, vendor)))
        assert lines[vendor.vendor] in text, vendor.vendor
        assert "(budget EUR 90.00)" in text
    pack = _text(render_pack(demo))
    assert all(line in pack for line in lines.values())
    assert "Prices in EUR per hour of speech" in pack


def test_exports_carry_price_cost_and_budget_ratio(client, demo, demo_user):
    demo_user("buyer@acme.example")
    results = compute_results(demo)
    ranking = pd.read_excel(io.BytesIO(client.get(f"/evaluations/{demo.id}/export.xlsx").data), sheet_name="Ranking")
    with zipfile.ZipFile(io.BytesIO(client.get(f"/evaluations/{demo.id}/export.zip").data)) as archive:
        csv = pd.read_csv(archive.open("ranking.csv"), encoding="utf-8-sig")
    for table in (ranking, csv):
        for vendor in results.ranked + results.disqualified:
            row = table[table["Vendor"] == vendor.vendor].iloc[0]
            cost = vendor.price.cost
            assert row["Currency"] == "EUR" and row["Price unit"] == "hour of speech"
            assert row["Price per unit"] == pytest.approx(cost.price)
            assert row["Cost per accepted unit"] == pytest.approx(cost.cost, abs=1e-4)
            assert row["Cost ÷ budget"] == pytest.approx(cost.cost / 90, abs=1e-4)
            assert row["Price"] == results.price.describe(cost)
