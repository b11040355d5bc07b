"""The vendor's answers become claims the batch can check (pure: no app, no database)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from app.measurements import BatchReport, Claimed, Claims
from app.measurements.metadata import summarise_metadata
from app.questionnaires.schema import load_questionnaire, parse_questionnaire, to_dict
from app.sample_batches.claims import ClaimSet, claims_from_answers

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


@pytest.fixture(scope="module")
def full():
    return load_questionnaire(QUESTIONNAIRES / "data-collection-vendor.yaml")


def report_with(rows: list[dict], modality: str = "audio") -> BatchReport:
    table = pd.DataFrame(rows).astype(str)
    summary = summarise_metadata(table, [r["file"] for r in rows], metadata_name="metadata.csv")
    return BatchReport(modality=modality, items=[], aggregate={}, metadata=summary)


ANSWERS = {
    "COV-02": [
        {"locale": "de-DE", "contributors": 80, "hours": 10},
        {"locale": "fr-FR", "contributors": 20},
        {"locale": "de-DE", "contributors": 20},
    ],
    "COV-03": [
        {"locale": "de-DE", "category": "female", "contributors": 60},
        {"locale": "de-DE", "category": "non_binary", "contributors": 10},
        {"locale": "fr-FR", "category": "male", "contributors": 20},
    ],
    "COV-04": [
        {"locale": "de-DE", "category": "18_24", "contributors": 30},
        {"locale": "de-DE", "category": "65_plus", "contributors": 5},
    ],
    "COV-08": 1.5,
    "PRO-06": ["locale", "consent_version"],
    "QA-04": [
        {"metric": "Sample rate", "threshold": "below 16 kHz", "action": "recollect"},
        {"metric": "SNR", "threshold": "< 15 dB", "action": "recollect"},
        {"metric": "Clipped recordings", "threshold": "more than 2 % of clips", "action": "replace"},
        {"metric": "Leading/trailing silence", "threshold": "> 30%", "action": "rework"},
        {"metric": "Image resolution", "threshold": "under 1920 x 1080", "action": "recollect"},
        {"metric": "Blur (variance of Laplacian)", "threshold": "< 100", "action": "recollect"},
        {"metric": "Duplicates", "threshold": "none tolerated", "action": "replace"},
        {"metric": "Wrong language", "threshold": "5%", "action": "replace"},
        {"metric": "Transcription accuracy", "threshold": "< 98 %", "action": "rework"},
        {"metric": "PII leaks", "threshold": "any", "action": "replace"},
    ],
    "TXT-02": "automatic_and_review",
    "SPC-01": ["clipping", "snr", "script_match"],
    "TXT-01": ["pii_detection"],
}


def merged(claim_set) -> dict:
    main, *extra = claim_set.claims
    found = {k: v for k, v in main.__dict__.items() if v is not None}
    found["demographics"] = [c.demographic_shares for c in extra]
    return found


def test_answers_map_to_claims_citing_their_questions(full):
    found = merged(claims_from_answers(full, ANSWERS))
    assert found["locale_contributors"] == Claimed({"de-DE": 100, "fr-FR": 20}, "COV-02")
    assert found["max_contributor_share_pct"] == Claimed(1.5, "COV-08")
    assert found["consent_coverage_pct"] == Claimed(100.0, "PRO-06")
    assert found["min_sample_rate_hz"] == Claimed(16000, "QA-04")
    assert found["min_snr_db"] == Claimed(15.0, "QA-04")
    assert found["max_clipped_clips_pct"] == Claimed(2.0, "QA-04")
    assert found["max_silence_pct"] == Claimed(30.0, "QA-04")
    assert found["min_resolution"] == Claimed((1920, 1080), "QA-04")
    assert found["min_sharpness"] == Claimed(100.0, "QA-04")
    assert found["max_duplicate_rate_pct"] == Claimed(0.0, "QA-04")
    assert found["min_language_match_pct"] == Claimed(95.0, "QA-04")  # "wrong language 5 %"
    # "any" is no percentage, so the QA-04 row is not read; TXT-02's automatic redaction claims none.
    assert found["max_pii_rate_pct"] == Claimed(0.0, "TXT-02")
    gender, age = found["demographics"]
    assert gender == Claimed({"gender": {"female": 60, "non_binary": 10, "male": 20}}, "COV-03")
    assert age == Claimed({"age_band": {"18_24": 30, "65_plus": 5}}, "COV-04")


def test_what_cannot_be_compared_is_said(full):
    notes = claims_from_answers(full, ANSWERS).notes
    assert "QA-04: DataVet cannot measure \u201cTranscription accuracy\u201d on a sample batch." in notes
    assert any("\u201cany\u201d for \u201cPII leaks\u201d could not be read as a percentage" in n for n in notes)
    # SPC-01's clipping and SNR checks have thresholds in QA-04; TXT-01's PII check is covered by TXT-02.
    assert not any(n.startswith("SPC-01") or n.startswith("TXT-01") for n in notes)
    bare = claims_from_answers(full, {"SPC-01": ["clipping", "snr"]}).notes
    assert bare == (
        "SPC-01 lists checks for clipping, SNR but no threshold for them was given (in the quality "
        "metrics table), so they are not compared with the batch.",
    )


def test_names_follow_the_batch_and_tables_keep_the_batch_locales(full):
    rows = [
        {
            "item_id": f"i{n}",
            "contributor": f"c{n}",
            "locale": "de_de",
            "gender": "Female" if n % 2 else "Non-binary",
            "age_band": "65+" if n % 2 else "18-24",
            "consent_version": "v1",
            "file": f"{n}.wav",
        }
        for n in range(4)
    ]
    found = merged(claims_from_answers(full, ANSWERS, report_with(rows)))
    assert found["locale_contributors"].value == {"de_de": 100, "fr-FR": 20}
    gender, age = found["demographics"]
    # Only the de-DE rows count: the batch holds no fr-FR contributor.
    assert gender.value == {"gender": {"Female": 60, "Non-binary": 10}}
    assert age.value == {"age_band": {"18-24": 30, "65+": 5}}


def test_unanswered_questions_claim_nothing(full):
    claim_set = claims_from_answers(full, {"PRO-06": ["locale"], "TXT-02": "contributor_instructed"})
    assert claim_set.claims == (Claims(),)
    assert claim_set.notes == ()


def test_pilot_quick_check_counts_locales_from_its_coverage_table():
    quick = load_questionnaire(QUESTIONNAIRES / "pilot-quick-check.yaml")
    answers = {"COV-01": [{"locale": "en-GB", "country": "GB", "contributors": 40}]}
    assert claims_from_answers(quick, answers).claims[0].locale_contributors == Claimed({"en-GB": 40}, "COV-01")


def _edited(questionnaire, edit):
    data = to_dict(questionnaire)
    for section in data["sections"]:
        for entry in section["questions"]:
            edit(entry)
    return parse_questionnaire(data)


def test_the_questionnaire_says_which_answers_a_batch_can_confirm(full):
    # Renamed questions keep their claims: the mapping is the YAML's sample_check, not the id.
    renamed = _edited(full, lambda q: q.update(id="COV-18") if q["id"] == "COV-08" else None)
    share = claims_from_answers(renamed, {"COV-18": 2.5}).claims[0].max_contributor_share_pct
    assert share == Claimed(2.5, "COV-18")
    # Without sample checks, the same answers claim nothing.
    bare = _edited(full, lambda q: q.pop("sample_check", None))
    assert claims_from_answers(bare, ANSWERS) == ClaimSet((Claims(),), ())
