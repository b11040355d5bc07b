"""The ranking through the API: the web's numbers plus how sure the winner is."""

from __future__ import annotations

import math

from app.demo import VENDOR_PROFILES
from app.extensions import db
from app.reports.ranking import compute_results
from tests.api.answering import answer_everything


def test_ranking_carries_robustness_figures_that_do_not_change_between_calls(api_as, world):
    for user, response, profile in (
        (world.vendor_a, world.response_a, VENDOR_PROFILES[0]),
        (world.vendor_b, world.response_b, VENDOR_PROFILES[1]),
    ):
        vendor = api_as(user)
        answer_everything(vendor, response.id, seed=response.id, profile=profile)
        assert vendor.post(f"/responses/{response.id}/submit").status_code == 200
    world.evaluation.sealed = False
    db.session.commit()
    viewer = api_as(world.viewer)

    ranking = viewer.get(f"/evaluations/{world.evaluation.id}/ranking").get_json()
    expected = compute_results(world.evaluation)
    assert [(v["response_id"], v["rank"]) for v in ranking["ranked"]] == [
        (v.response_id, v.rank) for v in expected.ranked
    ]
    assert [v["total"] for v in ranking["ranked"]] == [v.total for v in expected.ranked]
    assert ranking["ranked"][0]["vendor"] == "Vendor A", "the stronger profile wins"

    robustness = ranking["robustness"]
    assert robustness["available"] and robustness["winner_response_id"] == world.response_a.id
    assert {c["section_id"] for c in robustness["critical_weight_changes"]} == {
        s["id"] for s in ranking["ranked"][0]["sections"]
    }
    shares = robustness["rank_acceptability"]
    assert math.isclose(sum(s["first_place_share"] for s in shares), 1.0)
    assert all(math.isclose(sum(s["rank_shares"]), 1.0) for s in shares)
    assert (robustness["seed"], robustness["draws"]) == (2026, 10_000)
    assert viewer.get(f"/evaluations/{world.evaluation.id}/ranking").get_json()["robustness"] == robustness, (
        "a fixed seed: the same ranking always shows the same figures"
    )
