"""The requirements profile form: the questionnaire's own vocabulary, the not-scored list, must-have share, currency."""

from __future__ import annotations

import html as html_lib

import pytest

from app.evaluations.requirements import unscored_questions, vocabulary
from app.extensions import db
from app.questionnaires import store
from app.scoring.model import LocaleTarget, Requirements

AGE_BY_LABEL = "Age band: 18-24=15, 25-34=25, 35-44=25, 45-54=15, 55-64=12, 65 and over=8"


def _post(client, world, **fields):
    data = {"unit": "hour", "currency": "EUR"} | fields
    return client.post(f"/evaluations/{world.evaluation.id}/requirements", data=data)


def _stored(world) -> Requirements:
    db.session.refresh(world.evaluation)
    return Requirements.from_dict(world.evaluation.requirements)


def test_requirements_form_saves_the_profile(client, login, world):
    login(world.buyer)
    page = _post(
        client,
        world,
        locales="en-gb, 120, 300\nfr-FR, 80",
        demographics="gender: female=60, male=40",
        devices=["smartphone", "headset"],
        environments=["car"],
        award_date="2027-03-01",
        budget_per_unit="85",
        currency="GBP",
        must_have_share="75",
    )
    assert page.status_code == 302, page.get_data(as_text=True)[-2000:]
    profile = _stored(world)
    assert [(t.locale, t.min_contributors, t.min_hours) for t in profile.locales] == [
        ("en-GB", 120, 300.0),
        ("fr-FR", 80, None),
    ]
    assert profile.demographics == {"gender": {"female": 0.6, "male": 0.4}}
    assert profile.devices == ("smartphone", "headset") and profile.environments == ("car",)
    assert profile.budget_per_unit == 85 and str(profile.award_date) == "2027-03-01"
    assert profile.currency == "GBP" and profile.must_have_share == 0.75
    again = client.get(f"/evaluations/{world.evaluation.id}/requirements").get_data(as_text=True)
    assert "en-GB, 120, 300" in again and "Gender: Female=60, Male=40" in again, "shown back with the vendors' labels"
    assert 'value="75"' in again and '<option selected value="GBP">' in again


def test_demographic_labels_and_keys_are_accepted_and_stored_as_keys(client, login, world):
    login(world.buyer)
    page = _post(client, world, demographics=f"{AGE_BY_LABEL}\n  GENDER :  FEMALE=50, Non_Binary=10, male=40")
    assert page.status_code == 302, page.get_data(as_text=True)[-2000:]
    profile = _stored(world)
    assert profile.demographics["age"] == pytest.approx(
        {"18_24": 0.15, "25_34": 0.25, "35_44": 0.25, "45_54": 0.15, "55_64": 0.12, "65_plus": 0.08}
    )
    assert profile.demographics["gender"] == pytest.approx({"female": 0.5, "non_binary": 0.1, "male": 0.4})


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("age_group: 18-24=50, 25-34=50", "is not one of the demographic attributes: Gender, Age band."),
        ("age: 18-25=50, 25-34=50", "&#39;18-25&#39; is not one of the Age band categories: 18-24, 25-34, 35-44"),
        ("gender: woman=50, man=50", "&#39;woman&#39; is not one of the Gender categories: Female, Male, Non-binary."),
        ("gender: female=50, undisclosed=50", "&#39;undisclosed&#39; is not one of the Gender categories"),
    ],
)
def test_unknown_demographic_words_are_refused_with_the_choices_and_kept(client, login, world, typed, message):
    login(world.buyer)
    page = _post(client, world, demographics=typed, must_have_share="60")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert message in html
    assert html_lib.escape(typed, quote=True) in html, "what was typed is kept"
    assert 'aria-invalid="true"' in html and 'aria-describedby="demographics-help demographics-choices"' in html
    assert 'value="60"' in html, "the other fields keep what was typed too"
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements == {}


def test_requirements_form_reports_bad_lines_and_keeps_input(client, login, world):
    login(world.buyer)
    page = _post(client, world, locales="en-GB, 120\nenglish-ish, 5", demographics="gender: female=70, male=10")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Line 2: &#39;english-ish&#39; is not a BCP 47 locale" in html
    assert "add up to 80" in html
    assert "english-ish, 5" in html, "what was typed is kept"
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements == {}


def test_the_page_lists_the_categories_buyers_choose_from(client, login, world):
    login(world.buyer)
    html = client.get(f"/evaluations/{world.evaluation.id}/requirements").get_data(as_text=True)
    assert "<strong>Age band</strong>: 18-24, 25-34, 35-44, 45-54, 55-64, 65 and over" in html
    assert "<strong>Gender</strong>: Female, Male, Non-binary</li>" in html


@pytest.mark.parametrize(("typed", "accepted"), [("", True), ("50", True), ("0", False), ("101", False)])
def test_must_have_share_is_a_percentage(client, login, world, typed, accepted):
    login(world.buyer)
    page = _post(client, world, locales="en-GB, 10", must_have_share=typed)
    assert (page.status_code == 302) is accepted
    if accepted:
        assert _stored(world).must_have_share == 0.5
    else:
        assert "Enter a percentage from 1 to 100." in page.get_data(as_text=True)


def test_saving_the_form_keeps_a_must_have_share_set_elsewhere(client, login, world):
    world.evaluation.requirements = Requirements(must_have_share=0.8).to_dict()
    db.session.flush()
    login(world.buyer)
    page = client.get(f"/evaluations/{world.evaluation.id}/requirements").get_data(as_text=True)
    assert 'value="80"' in page
    assert _post(client, world, locales="en-GB, 10", must_have_share="80").status_code == 302
    assert _stored(world).must_have_share == 0.8


def test_an_unknown_currency_is_refused(client, login, world):
    login(world.buyer)
    page = _post(client, world, currency="XYZ")
    assert page.status_code == 200 and "Not a valid choice" in page.get_data(as_text=True)
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements == {}


def test_the_page_lists_scored_questions_left_unscored(client, login, world):
    login(world.buyer)
    html = client.get(f"/evaluations/{world.evaluation.id}/requirements").get_data(as_text=True)
    assert "COV-04 (What is the age mix of the contributors you commit, per locale?) will not be scored" in html
    assert "the buyer set no target age mix" in html
    _post(client, world, demographics=AGE_BY_LABEL)
    html = client.get(f"/evaluations/{world.evaluation.id}/requirements").get_data(as_text=True)
    assert "COV-04 (" not in html, "an age target makes COV-04 scorable"
    assert "COV-03 (" in html, "the gender mix still has no target"


def test_unscored_questions_follow_the_scorers_and_the_modalities(world):
    questionnaire = store.parsed(world.evaluation.questionnaire)
    empty = {line.question_id for line in unscored_questions(questionnaire, ["speech"], Requirements())}
    assert {"COV-01", "COV-02", "COV-03", "COV-04", "COV-06", "COV-07", "COV-08"} <= empty
    assert not any(q.scoring.auto == "choice_map" for q in questionnaire.questions if q.id in empty)
    full = Requirements(
        locales=(LocaleTarget("en-GB", 100, 200.0),),
        demographics={"gender": {"female": 1.0}, "age": {"18_24": 1.0}},
        devices=("smartphone",),
        environments=("car",),
    )
    left = {line.question_id for line in unscored_questions(questionnaire, ["speech"], full)}
    assert left.isdisjoint({"COV-01", "COV-02", "COV-03", "COV-04", "COV-06", "COV-07", "COV-08"})
    text_only = {line.question_id for line in unscored_questions(questionnaire, ["text"], Requirements())}
    assert "COV-07" not in text_only, "COV-07 is shown only for speech and vision"


def test_vocabulary_reads_keys_and_labels_alike(world):
    words = vocabulary(store.parsed(world.evaluation.questionnaire))
    assert words.attributes.key(" age BAND ") == "age" and words.attributes.key("age") == "age"
    assert words.demographics["age"].key("65 and over") == "65_plus"
    assert words.demographics["age"].key("18_24") == "18_24"
    assert words.devices.key("in-car system") == "car_system"
    assert words.environments.key("Restaurant or cafe") == "restaurant"
