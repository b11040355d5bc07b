"""Claims against a generated batch built to contradict them by known amounts."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from app.measurements import Claimed, Claims, Tolerances, analyse_batch, compare_with_claims
from app.measurements.batch import BatchReport
from app.measurements.images import ImageMetrics, aggregate_images
from app.measurements.metadata import summarise_metadata
from tests.measurements.synth import TONE_HZ, metadata_csv, tone_with_gaps, write_wav

N = 50


def clip(i: int) -> tuple[np.ndarray, int]:
    """Clips 0-6 clip, 7-11 are 8 kHz, 12-21 have 5 dB SNR, 22-25 are half silent, the rest are clean."""
    gaps = dict(seconds=1.0, gaps=(0.0, 0.5), gap_seconds=0.1)
    if i < 7:
        return tone_with_gaps(25, seed=i, amplitude=1.5, **gaps), 16000
    if i < 12:
        return tone_with_gaps(25, seed=i, sample_rate=8000, **gaps), 8000
    if i < 22:
        return tone_with_gaps(5, seed=i, **gaps), 16000
    if i < 26:
        t = np.arange(16000) / 16000
        return np.where(t < 0.5, 0.3 * np.sin(2 * np.pi * TONE_HZ * t), 1e-4), 16000
    return tone_with_gaps(25, seed=i, **gaps), 16000


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> BatchReport:
    root = tmp_path_factory.mktemp("batch")
    rows = []
    for i in range(N):
        samples, rate = clip(i)
        write_wav(root / f"clips/{i:02d}.wav", samples, rate)
        contributor = 0 if i < 10 else 1 + i % 11  # c0 supplies 10 of 50 items; 12 contributors
        rows.append(
            {
                "item_id": f"it{i:02d}",
                "contributor": f"c{contributor}",
                "locale": "de-DE" if contributor < 8 else "fr-FR",  # 8 de-DE and 4 fr-FR contributors
                "gender": "male" if contributor in (3, 7) else "female",  # 10 female, 2 male
                "age_band": "18-29",
                "device": "phone",
                "environment": "home",
                "consent_version": "" if i in (5, 17, 33) else "v2",
                "file": f"clips/{i:02d}.wav",
            }
        )
    (root / "metadata.csv").write_text(metadata_csv(rows), encoding="utf-8")
    return analyse_batch(root, "metadata.csv", "audio")


def by_key(comparisons):
    return {c.claim_key: c for c in comparisons}


def test_audio_claims_contradicted_with_the_right_numbers(report):
    claims = Claims(
        min_sample_rate_hz=Claimed(16000, "QA-01"),
        max_clipped_clips_pct=Claimed(2, "QA-04"),
        min_snr_db=Claimed(15, "QA-05"),
        max_silence_pct=Claimed(20, "QA-06"),
    )
    results = by_key(compare_with_claims(report, claims))
    clipping = results["max_clipped_clips_pct"]
    assert clipping.verdict == "contradicted" and clipping.measured == 14.0 and clipping.claimed == 2
    assert clipping.message.startswith(
        "Vendor claims at most 2% clipped clips (QA-04); 7 of 50 clips (14%) clip, "
        "more than chance allows in a sample of 50"
    )
    rate = results["min_sample_rate_hz"]
    assert rate.verdict == "contradicted" and rate.measured == 10.0
    assert rate.message == (
        "Vendor claims clips below 16000 Hz are rejected (QA-01); 5 of 50 clips (10%) are "
        "below 16000 Hz (worst 8000 Hz)."
    )
    snr = results["min_snr_db"]
    assert snr.verdict == "contradicted" and snr.measured == 20.0 and "10 of 50 clips (20%)" in snr.message
    silence = results["max_silence_pct"]
    assert silence.verdict == "contradicted" and "4 of 50 clips (8%) are more than 25% silent" in silence.message


def test_audio_claims_the_batch_meets_are_verified(report):
    claims = Claims(
        min_sample_rate_hz=Claimed(8000, "QA-01"),
        max_clipped_clips_pct=Claimed(12, "QA-04"),
        min_snr_db=Claimed(5, "QA-05"),
        max_silence_pct=Claimed(60, "QA-06"),
    )
    results = by_key(compare_with_claims(report, claims))
    assert {c.verdict for c in results.values()} == {"verified"}
    # 14% observed against a claimed 12% is well within sampling noise for 50 clips.
    assert "within what a sample of 50 can show by chance" in results["max_clipped_clips_pct"].message


def test_metadata_claims(report):
    claims = Claims(
        locale_contributors=Claimed({"de-DE": 5, "fr-FR": 50}, "COV-02"),
        demographic_shares=Claimed({"gender": {"Female": 50, "Male": 50}, "accent": {"x": 1}}, "COV-05"),
        max_contributor_share_pct=Claimed(5, "COV-09"),
        consent_coverage_pct=Claimed(100, "PRIV-03"),
    )
    results = by_key(compare_with_claims(report, claims))
    count = results["locale_contributors:de-DE"]
    assert count.verdict == "contradicted" and (count.claimed, count.measured) == (5, 8)
    assert results["locale_contributors:fr-FR"].verdict == "verified"
    share = results["locale_contributor_share:de-DE"]
    assert share.verdict == "contradicted" and (share.claimed, share.measured) == (9.1, 66.7)
    assert "8 of 12 contributors (66.7%)" in share.message
    gender = results["demographic_shares:gender"]
    assert gender.verdict == "contradicted" and gender.measured == {"female": 83.3, "male": 16.7}
    assert results["demographic_shares:accent"].verdict == "not_measurable"
    largest = results["max_contributor_share_pct"]
    assert largest.verdict == "contradicted" and largest.measured == 20.0
    assert "c0 supplies 10 of 50 items (20%)" in largest.message
    consent = results["consent_coverage_pct"]
    assert consent.verdict == "contradicted" and consent.measured == 94.0
    assert "3 of 50 items (6%) have none" in consent.message


def test_shares_within_tolerance_verified(report):
    claims = Claims(
        locale_shares=Claimed({"de-DE": 0.6, "fr-FR": 0.4}, "COV-02"),
        demographic_shares=Claimed({"gender": {"female": 80, "male": 20}}, "COV-05"),
        max_contributor_share_pct=Claimed(20, "COV-09"),
    )
    assert {c.verdict for c in compare_with_claims(report, claims)} == {"verified"}
    strict = compare_with_claims(
        report, Claims(locale_shares=Claimed({"de-DE": 0.6, "fr-FR": 0.4}, "COV-02")), tolerances=Tolerances(share_pp=5)
    )
    assert {c.verdict for c in strict} == {"contradicted"}


def test_other_modalities_skipped_or_not_measurable(report):
    claims = Claims(max_pii_rate_pct=Claimed(0, "QA-20"), min_resolution=Claimed((1920, 1080), "QA-11"))
    assert compare_with_claims(report, claims) == []
    rows = compare_with_claims(report, claims, include_other_modalities=True)
    assert [(c.claim_key, c.verdict) for c in rows] == [
        ("min_resolution", "not_measurable"),
        ("max_pii_rate_pct", "not_measurable"),
    ]
    assert "holds audio items" in rows[0].message


def image_report(sizes, blur, hashes, contributors=3) -> BatchReport:
    items = [
        ImageMetrics(item_id=f"p{i}", file=f"p{i}.png", width=w, height=h, blur_laplacian_var=b, dhash=d)
        for i, ((w, h), b, d) in enumerate(zip(sizes, blur, hashes, strict=True))
    ]
    csv_rows = [
        {"item_id": m.item_id, "contributor": f"c{i % contributors}", "file": m.file} for i, m in enumerate(items)
    ]
    table = pd.read_csv(io.StringIO(metadata_csv(csv_rows)), dtype=str, keep_default_na=False)
    return BatchReport("image", items, aggregate_images(items), summarise_metadata(table, [m.file for m in items]))


def test_image_claims():
    report = image_report(
        sizes=[(1920, 1080), (1080, 1920), (640, 480), (2000, 1500)],
        blur=[500.0, 300.0, 40.0, 800.0],
        hashes=["00000000000000ff", "00000000000000fe", "ff00000000000000", "0f0f0f0f0f0f0f0f"],
    )
    claims = Claims(
        min_resolution=Claimed((1080, 1920), "QA-11"),
        min_sharpness=Claimed(100, "QA-12"),
        max_duplicate_rate_pct=Claimed(0, "QA-13"),
        max_contributor_share_pct=Claimed(10, "COV-09"),
    )
    results = by_key(compare_with_claims(report, claims))
    resolution = results["min_resolution"]
    assert resolution.verdict == "contradicted" and resolution.claimed == [1080, 1920]
    assert "1 of 4 images (25%) are smaller than 1920×1080" in resolution.message  # portrait 1080x1920 passes
    assert results["min_sharpness"].verdict == "contradicted" and "(worst 40)" in results["min_sharpness"].message
    duplicates = results["max_duplicate_rate_pct"]
    assert duplicates.verdict == "contradicted" and "1 of 4 images (25%)" in duplicates.message
    # Three contributors: one of them must supply at least a third, so a 10% claim cannot be judged here.
    assert results["max_contributor_share_pct"].verdict == "not_measurable"
    json.dumps([c.to_dict() for c in results.values()], allow_nan=False)


def test_few_contributors_make_shares_not_measurable():
    report = image_report([(10, 10)] * 4, [1.0] * 4, [None] * 4, contributors=4)
    rows = compare_with_claims(report, Claims(locale_shares=Claimed({"en-US": 1}, "COV-02")))
    assert [c.verdict for c in rows] == ["not_measurable"]
    assert "4 distinct contributor(s), too few" in rows[0].message


def test_text_claims(tmp_path):
    texts = [
        "Das Wetter ist heute wirklich schön und warm in der ganzen Stadt.",
        "Heute Abend gehen wir zusammen ins Kino und danach essen wir Pizza.",
        "Schreiben Sie mir an erika@example.de oder rufen Sie +49 30 1234567 an.",
        "Das Wetter ist heute wirklich schön und warm in der ganzen Stadt!",
        "This sentence is clearly written in English rather than in German.",
    ]
    (tmp_path / "t.jsonl").write_text(
        "\n".join(json.dumps({"item_id": f"t{i}", "text": t}) for i, t in enumerate(texts)), encoding="utf-8"
    )
    rows = [{"item_id": f"t{i}", "contributor": f"c{i}", "locale": "de-DE", "file": "t.jsonl"} for i in range(5)]
    (tmp_path / "m.csv").write_text(metadata_csv(rows), encoding="utf-8")
    report = analyse_batch(tmp_path, "m.csv", "text")
    claims = Claims(
        min_language_match_pct=Claimed(100, "QA-30"),
        max_pii_rate_pct=Claimed(0, "QA-31"),
        max_duplicate_rate_pct=Claimed(0, "QA-32"),
        consent_coverage_pct=Claimed(100, "PRIV-03"),
    )
    results = by_key(compare_with_claims(report, claims))
    language = results["min_language_match_pct"]
    # By default 5 points are allowed for identifier mistakes, and 1 of 5 is then within chance.
    assert language.verdict == "verified" and language.measured == 80.0
    assert "1 of 5 texts with a clear language (20%)" in language.message and "by chance" in language.message
    strict = compare_with_claims(
        report, Claims(min_language_match_pct=Claimed(100, "QA-30")), tolerances=Tolerances(language_id_error_pp=0)
    )
    assert strict[0].verdict == "contradicted"
    assert (
        results["max_pii_rate_pct"].verdict == "contradicted"
        and "1 of 5 texts (20%)" in results["max_pii_rate_pct"].message
    )
    assert results["max_duplicate_rate_pct"].measured == 20.0
    assert results["consent_coverage_pct"].measured == 0.0
