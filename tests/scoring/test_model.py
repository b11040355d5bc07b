import datetime
import json

import pytest

from app.scoring.model import LocaleTarget, Requirements, ScoreResult


def full_requirements() -> Requirements:
    return Requirements(
        locales=(LocaleTarget("en-US", 200, 100.0), LocaleTarget("de-DE", 150)),
        demographics={"gender": {"female": 0.5, "male": 0.5}},
        devices=("smartphone", "headset"),
        environments=("quiet indoor",),
        modalities=("speech",),
        award_date=datetime.date(2025, 9, 1),
        budget_per_unit=80.0,
        unit="hour",
    )


def test_round_trip_through_json():
    requirements = full_requirements()
    stored = json.loads(json.dumps(requirements.to_dict()))
    assert stored["award_date"] == "2025-09-01"
    assert Requirements.from_dict(stored) == requirements


def test_from_dict_accepts_plain_locale_strings_and_lists():
    requirements = Requirements.from_dict({"locales": ["fr-FR"], "devices": ["headset"]})
    assert requirements.locales == (LocaleTarget("fr-FR"),)
    assert requirements.devices == ("headset",)


def test_defaults():
    requirements = Requirements()
    assert requirements.locales == () and dict(requirements.demographics) == {}
    assert requirements.unit == "hour" and requirements.award_date is None
    assert Requirements.from_dict({}) == requirements


def test_requirements_are_frozen():
    requirements = full_requirements()
    with pytest.raises(AttributeError):
        requirements.unit = "image"  # type: ignore[misc]
    with pytest.raises(TypeError):
        requirements.demographics["gender"]["female"] = 1.0  # type: ignore[index]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"locale": ["en-US"]}, "unknown requirement keys: locale"),
        ({"award_date": "01/09/2025"}, "YYYY-MM-DD"),
        ({"demographics": {"gender": {"female": 0.7, "male": 0.7}}}, "sum to 1"),
        ({"demographics": {"gender": {"female": -0.5, "male": 1.5}}}, "zero or more"),
        ({"locales": [{"locale": "en-US", "min_contributors": -1}]}, "zero or more"),
        ({"locales": [{"min_contributors": 3}]}, "invalid locale target"),
        ({"budget_per_unit": -5}, "budget_per_unit"),
    ],
)
def test_from_dict_rejects_bad_data(data, message):
    with pytest.raises(ValueError, match=message):
        Requirements.from_dict(data)


@pytest.mark.parametrize("score", [-0.01, 4.01, float("nan")])
def test_score_result_stays_on_the_rubric(score):
    with pytest.raises(ValueError, match="0..4"):
        ScoreResult(score, "x")


def test_score_result_details_are_json_ready():
    result = ScoreResult(3.0, "fine", {"missing": ["de-DE"]})
    assert json.loads(json.dumps(result.details)) == {"missing": ["de-DE"]}


def test_must_have_share_defaults_to_half_and_round_trips():
    assert Requirements().must_have_share == 0.5
    assert Requirements.from_dict({"must_have_share": None}).must_have_share == 0.5
    stricter = Requirements(must_have_share=0.8)
    assert Requirements.from_dict(json.loads(json.dumps(stricter.to_dict()))) == stricter


@pytest.mark.parametrize("share", [0, -0.1, 1.5, True, "half"])
def test_must_have_share_is_a_share(share):
    with pytest.raises(ValueError, match="must_have_share"):
        Requirements(must_have_share=share)


def test_a_result_without_a_score_must_say_it_is_not_scored():
    result = ScoreResult.not_scored("the buyer set no award date")
    assert result.score is None and not result.scored
    assert result.explanation == "Not scored: the buyer set no award date"
    with pytest.raises(ValueError, match="not scored"):
        ScoreResult(None, "free four")


def test_currency_defaults_to_eur_round_trips_and_is_checked():
    assert Requirements().currency == "EUR"
    assert Requirements.from_dict(Requirements(currency="JPY").to_dict()).currency == "JPY"
    assert list(Requirements().to_dict())[list(Requirements().to_dict()).index("unit") + 1] == "currency"
    with pytest.raises(ValueError, match="currency must be an ISO 4217 code"):
        Requirements(currency="euro")
    with pytest.raises(ValueError, match="currency must be an ISO 4217 code"):
        Requirements.from_dict({"currency": "XYZ"})
