"""The parsed questionnaire objects: lookups, must-have rules, immutability and equality."""

from __future__ import annotations

import dataclasses

import pytest

from app.questionnaires import parse_questionnaire, to_dict


def test_lookups(vendor):
    assert vendor.question("PRV-03").section_id == "privacy"
    assert vendor.section_of(vendor.question("QA-05")).id == "quality"
    assert vendor.section("speech").questions[0].id == "SPC-01"
    assert vendor.question("COV-01").column("country").type == "country"
    with pytest.raises(KeyError):
        vendor.section("nope")
    with pytest.raises(KeyError):
        vendor.question("COV-01").column("nope")


def test_parsed_objects_are_frozen_and_hashable(vendor):
    with pytest.raises(dataclasses.FrozenInstanceError):
        vendor.question("COV-01").required = False
    assert hash(parse_questionnaire(to_dict(vendor))) == hash(vendor)


@pytest.mark.parametrize(
    "qid, answer, score, met",
    [
        ("PRV-03", True, None, True),
        ("PRV-03", False, None, False),
        ("PRV-03", 1, None, False),
        ("PRV-08", "with_changes", None, True),
        ("PRV-08", "refused", None, False),
        ("PRV-01", None, None, False),
        ("COV-01", [{"locale": "en-US"}], 4.0, True),
        ("COV-01", [{"locale": "en-US"}], 3.5, False),
        ("COV-01", None, None, False),
    ],
)
def test_must_have_rules(vendor, qid, answer, score, met):
    assert vendor.question(qid).must_have.is_met(answer, score) is met
