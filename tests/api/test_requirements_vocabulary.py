"""The requirements profile through the API: the questionnaire's vocabulary, must-have share, currency, not scored."""

from __future__ import annotations

import pytest

from app.extensions import db


def _put(api_as, world, body):
    return api_as(world.buyer).put(f"/evaluations/{world.evaluation.id}/requirements", json=body)


def test_labels_and_keys_are_accepted_and_stored_as_keys(api_as, world):
    answer = _put(
        api_as,
        world,
        {
            "demographics": {"Age band": {"18-24": 40, "25_34": 60}, " GENDER ": {"Female": 0.5, "non-binary": 0.5}},
            "devices": ["In-car system", "smartphone", "SMARTPHONE"],
            "environments": ["Quiet indoor room"],
        },
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["demographics"] == {"age": {"18_24": 0.4, "25_34": 0.6}, "gender": {"female": 0.5, "non_binary": 0.5}}
    assert body["devices"] == ["car_system", "smartphone"] and body["environments"] == ["quiet_indoor"]
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements["demographics"]["age"] == {"18_24": 0.4, "25_34": 0.6}


@pytest.mark.parametrize(
    ("body", "field", "listed"),
    [
        ({"demographics": {"age_group": {"18-24": 1}}}, "demographics.age_group", "Gender, Age band"),
        ({"demographics": {"age": {"18-25": 1}}}, "demographics.age", "18-24, 25-34, 35-44, 45-54, 55-64, 65 and over"),
        ({"devices": ["smartphone", "telepathy"]}, "devices.1", "Smartphone, Tablet, Laptop"),
        ({"environments": ["moon"]}, "environments.0", "Quiet indoor room, Home with everyday noise"),
        ({"currency": "XYZ"}, "currency", "EUR, USD, GBP"),
    ],
)
def test_unknown_words_are_refused_naming_the_field_and_the_choices(api_as, world, body, field, listed):
    answer = _put(api_as, world, body)
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert set(errors) == {field} and listed in errors[field][0]
    db.session.refresh(world.evaluation)
    assert world.evaluation.requirements == {}, "nothing was changed"


def test_currency_is_upper_cased_and_kept(api_as, world):
    assert _put(api_as, world, {"currency": "usd"}).get_json()["currency"] == "USD"
    kept = _put(api_as, world, {"budget_per_unit": 12.5}).get_json()
    assert kept["currency"] == "USD" and kept["budget_per_unit"] == 12.5


@pytest.mark.parametrize("share", [0, 1.5, -0.2])
def test_must_have_share_outside_zero_to_one_is_refused(api_as, world, share):
    answer = _put(api_as, world, {"must_have_share": share})
    assert answer.status_code == 422 and "must_have_share" in answer.get_json()["errors"]


def test_must_have_share_round_trips_and_survives_other_changes(api_as, world):
    assert _put(api_as, world, {"must_have_share": 0.8}).get_json()["must_have_share"] == 0.8
    later = _put(api_as, world, {"locales": [{"locale": "en-GB", "min_contributors": 10}]}).get_json()
    assert later["must_have_share"] == 0.8, "saving other requirements keeps the share"
    got = api_as(world.buyer).get(f"/evaluations/{world.evaluation.id}/requirements").get_json()
    assert got["must_have_share"] == 0.8


def test_the_profile_lists_the_choices_and_the_questions_left_unscored(api_as, world):
    got = api_as(world.buyer).get(f"/evaluations/{world.evaluation.id}/requirements").get_json()
    assert got["demographic_choices"]["age"]["label"] == "Age band"
    assert got["demographic_choices"]["age"]["categories"]["65_plus"] == "65 and over"
    assert "undisclosed" not in got["demographic_choices"]["gender"]["categories"]
    unscored = {line["question_id"]: line["reason"] for line in got["not_scored"]}
    assert unscored["COV-04"] == "the buyer set no target age mix"
    after = _put(api_as, world, {"demographics": {"age": {"18-24": 1}}}).get_json()
    assert "COV-04" not in {line["question_id"] for line in after["not_scored"]}
