"""The questionnaires we ship: valid, within the agreed size, referenced, with DOMAIN.md's must-haves."""

from __future__ import annotations

import json
import re

import pytest

from app.questionnaires import (
    definition_hash,
    load_directory,
    parse_questionnaire,
    to_dict,
    visible_questions,
)
from app.scoring import autoscorers
from app.scoring.model import Requirements

from .conftest import QUESTIONNAIRE_DIR

# DOMAIN.md's frameworks; a reference must start with one of these.
FRAMEWORKS = (
    "Datasheets for Datasets",
    "Data Statements for NLP",
    "Data Cards (Pushkarna et al.)",
    "EU AI Act Art. 10",
    "EU AI Act Annex IV 2(d)",
    "GDPR Art. ",
    "ISO/IEC 42001 Annex A.7",
    "ISO/IEC 5259-2",
)
GDPR_ARTICLES = {"5", "6", "7", "9", "12", "15-22", "19", "28", "30", "32", "35"}
CORE = ("coverage", "protocol", "privacy", "quality")
PREFIXES = {
    "coverage": ("COV",),
    "protocol": ("PRO",),
    "privacy": ("PRV",),
    "quality": ("QA", "PRICE"),
    "speech": ("SPC",),
    "vision": ("VIS",),
    "text": ("TXT",),
}


def test_every_shipped_file_validates():
    found = load_directory(QUESTIONNAIRE_DIR)
    assert set(found) == {"data-collection-vendor", "pilot-quick-check"}


def test_vendor_questionnaire_size_and_auto_share(vendor):
    questions = vendor.questions
    assert 35 <= len(questions) <= 45
    assert sum(q.is_auto_scored for q in questions) > len(questions) / 2


def test_pilot_is_small(pilot):
    assert 5 <= len(pilot.questions) <= 8


@pytest.mark.parametrize("name", ["vendor", "pilot"])
def test_every_question_cites_a_domain_framework(name, request):
    questionnaire = request.getfixturevalue(name)
    for question in questionnaire.questions:
        assert question.references, question.id
        for reference in question.references:
            assert reference.startswith(FRAMEWORKS), (question.id, reference)
            if reference.startswith("GDPR Art. "):
                article = re.match(r"GDPR Art\. ([0-9-]+)", reference).group(1)
                assert article in GDPR_ARTICLES, (question.id, reference)


def test_core_weights_sum_to_100_and_modality_sections_are_conditional(vendor):
    assert [s.id for s in vendor.sections[:4]] == list(CORE)
    assert sum(s.weight for s in vendor.sections if s.id in CORE) == 100
    for section in vendor.sections:
        if section.id in CORE:
            assert section.visible_if is None
        else:
            assert section.visible_if.modalities == (section.id,)
            assert section.weight > 0


def test_ids_carry_their_section_prefix(vendor):
    for section in vendor.sections:
        for question in section.questions:
            assert question.id.split("-")[0] in PREFIXES[section.id], question.id


def test_must_haves_are_exactly_domain_md_knockouts(vendor):
    rules = {q.id: q.must_have for q in vendor.questions if q.must_have}
    assert set(rules) == {"COV-01", "PRV-01", "PRV-03", "PRV-08", "QA-03"}
    coverage = vendor.question("COV-01")
    assert coverage.scoring.auto == "required_fraction" and coverage.scoring.params["of"] == "locales"
    assert rules["COV-01"].min_score == 4
    assert "none" not in rules["PRV-01"].one_of and len(rules["PRV-01"].one_of) == 3
    assert rules["PRV-03"].equals is True and vendor.question("PRV-03").type == "yes_no"
    assert "refused" not in rules["PRV-08"].one_of
    assert rules["QA-03"].equals is True
    assert vendor.question("QA-04").min_rows >= 1  # the criteria themselves, as a table
    assert all(vendor.question(qid).required for qid in rules)


def test_price_questions_are_unscored_numbers_the_app_can_find(vendor):
    price = vendor.question("PRICE-01")
    assert price.type == "number" and price.weight == 0 and not price.is_auto_scored
    assert vendor.question("PRICE-02").option_keys == ("hour", "image", "video_minute", "text_item")
    assert vendor.question("QA-05").type == "percentage"


def test_specific_evidence_is_asked_as_tables(vendor):
    coverage = vendor.question("COV-01")
    assert [c.type for c in coverage.columns[:4]] == ["locale", "language", "country", "integer"]
    assert vendor.question("COV-03").scoring.auto == "distribution_match"
    assert vendor.question("PRV-10").scoring.auto == "date_validity"
    assert vendor.question("COV-08").scoring.auto == "contributor_concentration"
    assert vendor.question("PRV-11").scoring.auto == "reviewed_since_change"


@pytest.mark.parametrize(
    "modalities, shown, hidden",
    [
        ([], set(), {"SPC-01", "VIS-01", "TXT-01", "COV-07", "PRV-02"}),
        (["speech"], {"SPC-01", "COV-07", "PRV-02"}, {"VIS-01", "TXT-01"}),
        (["text"], {"TXT-01", "TXT-02"}, {"SPC-01", "COV-07", "PRV-02"}),
    ],
)
def test_modality_questions_follow_the_evaluation(vendor, modalities, shown, hidden):
    ids = {q.id for q in visible_questions(vendor, modalities, {})}
    assert shown <= ids and not hidden & ids


@pytest.mark.parametrize("name", ["vendor", "pilot"])
def test_to_dict_round_trips_through_json(name, request):
    questionnaire = request.getfixturevalue(name)
    stored = json.loads(json.dumps(to_dict(questionnaire)))
    assert stored == to_dict(questionnaire)
    assert parse_questionnaire(stored) == questionnaire
    assert definition_hash(stored) == definition_hash(questionnaire)


def test_definition_hash_changes_with_content(vendor):
    data = to_dict(vendor)
    before = definition_hash(data)
    data["sections"][0]["questions"][0]["text"] += " (edited)"
    assert definition_hash(data) != before
    assert len(before) == 64


def test_every_auto_scorer_accepts_its_params(vendor, pilot):
    for question in (*vendor.questions, *pilot.questions):
        if question.is_auto_scored:
            scorer = autoscorers.SCORERS[question.scoring.auto]
            result = scorer(None, question.scoring.params, Requirements())
            # Without buyer targets a scorer that needs one does not score; the others score 0.
            needs_target = question.scoring.auto in autoscorers.REQUIREMENT_CHECKS
            assert result.score is None if needs_target else result.score == 0


def test_sample_checks_name_what_a_batch_can_confirm(vendor, pilot):
    checked = {q.id: q.sample_check.measurement for q in vendor.questions if q.sample_check}
    assert checked == {
        "COV-02": "locale_contributors",
        "COV-03": "demographic_mix",
        "COV-04": "demographic_mix",
        "COV-08": "contributor_share",
        "PRO-06": "consent_coverage",
        "QA-04": "quality_thresholds",
        "SPC-01": "checks_listed",
        "VIS-01": "checks_listed",
        "TXT-01": "checks_listed",
        "TXT-02": "personal_data_removed",
    }
    assert {q.id for q in pilot.questions if q.sample_check} == {"COV-01"}
