"""Leadership documents speak the buyer's words: no internal key, code expression or raw id reaches a reader."""

from __future__ import annotations

import html
import io
import re

import pytest
from pypdf import PdfReader

from app.reports.pack import render_pack

# Scorer names, option keys, Python literals and code expressions that once leaked into reports.
INTERNAL = [
    r"\brequired_fraction\b",
    r"\bdistribution_match\b",
    r"\bthreshold_bands\b",
    r"\bchoice_map\b",
    r"\bdate_validity\b",
    r"\bcoverage_ratio\b",
    r"\bcontributor_concentration\b",
    r"\breviewed_since_change\b",
    r"\bauto:",
    r"\bmap \(\{",
    r"\b18_24\b",
    r"\b25_34\b",
    r"\bas_offered\b",
    r"\bwith_changes\b",
    r"\bself_attested\b",
    r"\bTrue\b",
    r"\bFalse\b",
    r"\bNone\b",
    r"\+ -",
    r"\bevaluator: \d",
    r"\brank 1\.0\b",
]


def _words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _leaks(text: str) -> list[str]:
    return [pattern for pattern in INTERNAL if re.search(pattern, text)]


@pytest.mark.parametrize("page", ["ranking", "comparison"])
def test_the_pages_leadership_reads(client, demo, demo_user, page):
    demo_user("buyer@acme.example")
    answer = client.get(f"/evaluations/{demo.id}/{page}")
    assert answer.status_code == 200
    assert _leaks(_words(answer.get_data(as_text=True))) == []


@pytest.mark.slow  # renders every scorecard and the whole pack
def test_the_scorecards_and_the_pack(client, demo, demo_user):
    demo_user("buyer@acme.example")
    ranking = client.get(f"/evaluations/{demo.id}/ranking").get_data(as_text=True)
    for response_id in sorted(set(re.findall(r"/vendors/(\d+)/scorecard\.pdf", ranking))):
        pdf = client.get(f"/evaluations/{demo.id}/vendors/{response_id}/scorecard.pdf").data
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert _leaks(text) == [], f"scorecard {response_id}"
    pack = render_pack(demo, requested_by="Bea Buyer")
    assert _leaks(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pack)).pages)) == []
