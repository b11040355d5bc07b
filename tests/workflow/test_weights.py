"""Weights entered directly and derived by AHP, through the buyer's pages."""

from __future__ import annotations

import html
import re
from fractions import Fraction

import numpy as np
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, SectionWeight
from app.scoring.weights import ahp, pairwise_matrix

SECTIONS = ("coverage", "protocol", "privacy", "quality", "speech", "text")  # the world's speech + text evaluation
TITLES = {
    "coverage": "Contributor coverage",
    "protocol": "Protocol design",
    "privacy": "Privacy and consent",
    "quality": "Quality review",
    "speech": "Speech and audio",
    "text": "Text",
    "_price": "Price",
}


def stored_weights(evaluation) -> dict[str, float]:
    return dict(
        db.session.execute(
            sa.select(SectionWeight.section_id, SectionWeight.weight).where(
                SectionWeight.evaluation_id == evaluation.id
            )
        ).all()
    )


def weight_events(evaluation) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.evaluation_id == evaluation.id, AuditEvent.action == "evaluation.weights_changed"
            )
        )
    )


def ratio_text(ratio: float) -> str:
    return str(int(ratio)) if ratio >= 1 else f"1/{int(round(1 / ratio))}"


def ahp_post(criteria: list[str], judge, action: str) -> dict[str, str]:
    data = {"action": action}
    for i, a in enumerate(criteria):
        for b in criteria[i + 1 :]:
            data[f"pair.{a}|{b}"] = judge(a, b)
    return data


def test_direct_weights_are_normalised_and_audited(client, login, world):
    login(world.buyer)
    url = f"/evaluations/{world.evaluation.id}/weights"
    data = {f"weight.{s}": "0" for s in SECTIONS} | {
        "weight.coverage": "3",
        "weight.privacy": "1",
        "weight._price": "0",
    }
    assert client.post(url, data=data).status_code == 302
    page = client.get(url).get_data(as_text=True)
    shares = dict(re.findall(r'id="w-(\w+)".*?<td class="text-end">\s*([\d.]+) %', page, re.S))
    assert shares["coverage"] == "75.0" and shares["privacy"] == "25.0" and shares["protocol"] == "0.0"
    assert stored_weights(world.evaluation)["coverage"] == 3.0
    event = weight_events(world.evaluation)[-1]
    assert event.details["method"] == "direct"
    assert event.details["changes"]["coverage"] == {"from": 30.0, "to": 3.0}


def test_invalid_direct_weight_keeps_what_was_typed(client, login, world):
    login(world.buyer)
    before = stored_weights(world.evaluation)
    data = {f"weight.{s}": "10" for s in SECTIONS} | {"weight.coverage": "lots", "weight._price": "5"}
    page = client.post(f"/evaluations/{world.evaluation.id}/weights", data=data)
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'value="lots"' in text and "Enter a weight" in text
    assert stored_weights(world.evaluation) == before and not weight_events(world.evaluation)


def test_all_zero_weights_are_refused(client, login, world):
    login(world.buyer)
    data = {f"weight.{s}": "0" for s in SECTIONS} | {"weight._price": "0"}
    page = client.post(f"/evaluations/{world.evaluation.id}/weights", data=data)
    assert page.status_code == 422 and "needs a weight above zero" in page.get_data(as_text=True)


def test_consistent_ahp_judgements_become_the_weights(client, login, scored_world):
    world = scored_world  # a budget is set, so price is one of the criteria compared
    login(world.buyer)
    target = {"coverage": 8, "protocol": 4, "privacy": 8, "quality": 4, "speech": 2, "text": 1, "_price": 2}
    criteria = list(target)
    url = f"/evaluations/{world.evaluation.id}/weights/ahp"
    form = client.get(url).get_data(as_text=True)
    assert "Saaty (1980)" in form and "random index" in form.lower()
    assert all(f'name="pair.{a}|{b}"' in form for a, b in (("coverage", "protocol"), ("text", "_price")))

    preview = client.post(url, data=ahp_post(criteria, lambda a, b: ratio_text(target[a] / target[b]), "calculate"))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert re.search(r'id="ahp-cr">0\.000<', text), "perfectly consistent judgements give CR 0"
    assert stored_weights(world.evaluation)["coverage"] == 30.0, "calculating alone changes nothing"

    applied = client.post(url, data=ahp_post(criteria, lambda a, b: ratio_text(target[a] / target[b]), "apply"))
    assert applied.status_code == 302
    weights = stored_weights(world.evaluation)
    total = sum(target.values())
    for criterion, value in target.items():
        assert weights[criterion] == pytest.approx(100 * value / total, abs=1e-3)
    event = weight_events(world.evaluation)[-1]
    assert event.details["method"] == "ahp" and event.details["cr"] == pytest.approx(0, abs=1e-6)
    assert "Saaty" in event.details["random_index_table"]
    overview = client.get(f"/evaluations/{world.evaluation.id}/weights").get_data(as_text=True)
    assert "from AHP" in overview
    again = client.get(url).get_data(as_text=True)
    assert '<option value="4" selected>' in again, "the applied judgements come back in the form"


def test_inconsistent_ahp_judgements_are_refused_naming_the_judgement(client, login, world):
    login(world.buyer)
    criteria = list(SECTIONS)  # no budget: price is not compared
    cycle = {("coverage", "protocol"): "9", ("protocol", "privacy"): "9", ("coverage", "privacy"): "1/9"}
    judge = lambda a, b: cycle.get((a, b), "1")  # noqa: E731  coverage > protocol > privacy > coverage
    before = stored_weights(world.evaluation)
    url = f"/evaluations/{world.evaluation.id}/weights/ahp"
    page = client.post(url, data=ahp_post(criteria, judge, "apply"))
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 422
    judgements = {(a, b): float(Fraction(judge(a, b))) for i, a in enumerate(criteria) for b in criteria[i + 1 :]}
    expected = ahp(criteria, pairwise_matrix(criteria, judgements))
    assert expected.cr > 0.10
    a, b, _, _ = expected.most_inconsistent
    refusal = re.search(r'id="ahp-refusal">(.*?)</div>', text, re.S).group(1)
    assert f"Consistency ratio {expected.cr:.3f} is above 0.10" in refusal
    assert f"The most inconsistent judgement is {TITLES[a]} over {TITLES[b]}" in refusal
    assert stored_weights(world.evaluation) == before and not weight_events(world.evaluation)
    # What the buyer chose is still chosen, and the judgement to revisit is marked.
    assert re.search(r'name="pair\.coverage\|protocol"[^>]*>.*?<option value="9" selected>', text, re.S)
    assert re.search(r'name="pair\.coverage\|privacy"[^>]*>.*?<option value="1/9" selected>', text, re.S)
    key = f"{a}|{b}" if criteria.index(a) < criteria.index(b) else f"{b}|{a}"
    assert re.search(rf'form-select mw-32 is-invalid" name="pair\.{re.escape(key)}"', text)


def test_ahp_page_is_for_managers_only(client, login, world):
    login(world.viewer)
    assert client.post(f"/evaluations/{world.evaluation.id}/weights/ahp", data={"action": "apply"}).status_code == 403
    login(world.other_buyer)
    assert client.get(f"/evaluations/{world.evaluation.id}/weights/ahp").status_code == 404


def test_weights_reach_the_ranking(client, login, scored_world):
    world = scored_world
    login(world.buyer)
    data = {f"weight.{s}": "0" for s in SECTIONS} | {"weight.privacy": "1", "weight._price": "0"}
    client.post(f"/evaluations/{world.evaluation.id}/weights", data=data)
    page = client.get(f"/evaluations/{world.evaluation.id}/ranking").get_data(as_text=True)
    weights_table = re.search(r'id="weights-explained">(.*?)</section>', page, re.S).group(1)
    assert re.search(r"Privacy and consent</td><td[^>]*>1\.0</td><td[^>]*>100\.0 %", weights_table)
    assert "Entered directly" in weights_table
    assert np.isclose(sum(float(x) for x in re.findall(r">([\d.]+) %</td>", weights_table)), 100.0)
