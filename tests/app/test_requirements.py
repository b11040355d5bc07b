"""The requirements profile form."""

from __future__ import annotations

from app.extensions import db
from app.scoring.model import Requirements


def test_requirements_form_saves_the_profile(client, login, world):
    login(world.buyer)
    page = client.post(
        f"/evaluations/{world.evaluation.id}/requirements",
        data={
            "locales": "en-gb, 120, 300\nfr-FR, 80",
            "demographics": "gender: female=60, male=40",
            "devices": ["smartphone", "headset"],
            "environments": ["car"],
            "award_date": "2027-03-01",
            "budget_per_unit": "85",
            "unit": "hour",
        },
    )
    assert page.status_code == 302, page.get_data(as_text=True)[-2000:]
    db.session.refresh(world.evaluation)
    profile = Requirements.from_dict(world.evaluation.requirements)
    assert [(t.locale, t.min_contributors, t.min_hours) for t in profile.locales] == [
        ("en-GB", 120, 300.0),
        ("fr-FR", 80, None),
    ]
    assert profile.demographics == {"gender": {"female": 0.6, "male": 0.4}}
    assert profile.devices == ("smartphone", "headset") and profile.environments == ("car",)
    assert profile.budget_per_unit == 85 and str(profile.award_date) == "2027-03-01"
    again = client.get(f"/evaluations/{world.evaluation.id}/requirements").get_data(as_text=True)
    assert "en-GB, 120, 300" in again and "female=60" in again


def test_requirements_form_reports_bad_lines_and_keeps_input(client, login, world):
    login(world.buyer)
    page = client.post(
        f"/evaluations/{world.evaluation.id}/requirements",
        data={"locales": "en-GB, 120\nenglish-ish, 5", "demographics": "gender: female=70, male=10", "unit": "hour"},
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Line 2: &#39;english-ish&#39; is not a BCP 47 locale" in html
    assert "add up to 80" in html
    assert "english-ish, 5" in html, "what was typed is kept"
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements == {}
