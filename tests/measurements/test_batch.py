"""analyse_batch end to end: archive -> extraction -> metadata + per-item metrics -> JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.measurements import BatchReport, analyse_batch, extract_batch
from app.measurements.batch import AnalysisOptions
from tests.measurements.synth import metadata_csv, noisy_copy, texture, tone_with_gaps, write_wav, zip_directory


def audio_rows(count: int) -> list[dict]:
    return [
        {
            "item_id": f"a{i}",
            "contributor": f"c{i % 3}",
            "locale": "en-GB",
            "gender": "female",
            "age_band": "30-39",
            "device": "headset",
            "environment": "office",
            "consent_version": "v1",
            "file": f"clips/a{i}.wav",
        }
        for i in range(count)
    ]


def test_audio_batch_from_zip(tmp_path):
    source = tmp_path / "source"
    rows = audio_rows(4)
    for i, r in enumerate(rows[:3]):
        write_wav(source / r["file"], tone_with_gaps(20, seed=i, seconds=2.0), 8000 if i == 0 else 16000)
    write_wav(source / "clips/stray.wav", np.zeros(1600))
    (source / "metadata.csv").write_text(metadata_csv(rows), encoding="utf-8")
    batch = extract_batch(zip_directory(source, tmp_path / "batch.zip"), tmp_path / "out")

    calls = []
    report = analyse_batch(
        batch.root, "metadata.csv", "audio", progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert [m.item_id for m in report.items] == ["a0", "a1", "a2", "a3"]
    assert report.items[3].error == "listed in the metadata but missing from the archive"
    assert report.aggregate["share_below_sample_rate_floor"] == pytest.approx(1 / 3)
    assert report.aggregate["snr_db"]["min"] == pytest.approx(20, abs=3)
    assert report.metadata.missing_files == ["clips/a3.wav"]
    assert report.metadata.unlisted_files == ["clips/stray.wav"]
    assert any("not listed in the metadata: clips/stray.wav" in p for p in report.problems)
    assert any(p.startswith("1 item(s) could not be measured (a3:") for p in report.problems)

    stored = json.dumps(report.to_dict(), allow_nan=False)  # what the background job saves
    assert BatchReport.from_dict(json.loads(stored)) == report


def test_metadata_cannot_point_outside_the_batch(tmp_path):
    root = tmp_path / "root"
    write_wav(tmp_path / "secret.wav", np.zeros(16000))
    rows = audio_rows(1)
    rows[0]["file"] = "../secret.wav"
    root.mkdir()
    (root / "metadata.csv").write_text(metadata_csv(rows), encoding="utf-8")
    report = analyse_batch(root, "metadata.csv", "audio")
    assert report.items[0].error == "the metadata points outside the batch"


def test_without_metadata_every_file_of_the_modality_is_analysed(tmp_path):
    for i in range(3):
        texture(i).save(tmp_path / f"img{i}.png")
    (tmp_path / "notes.txt").write_text("not an image")
    report = analyse_batch(tmp_path, None, "images", options=AnalysisOptions(min_width=300))
    assert report.modality == "image"
    assert [m.item_id for m in report.items] == ["img0.png", "img1.png", "img2.png"]
    assert report.problems[0] == "No metadata file was given."
    assert report.aggregate["share_below_min_resolution"] == 1.0


def test_image_batch_with_near_duplicate(tmp_path):
    rows = []
    for i in range(5):
        picture = noisy_copy(texture(0), seed=i) if i == 4 else texture(i)
        picture.save(tmp_path / f"i{i}.jpg", quality=90)
        rows.append(
            {
                "item_id": f"i{i}",
                "contributor": f"c{i}",
                "locale": "en-US",
                "file": f"i{i}.jpg",
                "consent_version": "v3",
            }
        )
    (tmp_path / "meta.csv").write_text(metadata_csv(rows), encoding="utf-8")
    report = analyse_batch(tmp_path, "meta.csv", "image")
    assert report.aggregate["near_duplicate_groups"] == [["i0", "i4"]]
    assert report.metadata.completeness["gender"] == 0.0
    json.dumps(report.to_dict(), allow_nan=False)


def test_text_batch_reads_jsonl_named_by_metadata(tmp_path):
    records = [
        {"item_id": "t1", "text": "Guten Morgen, heute scheint die Sonne über der ganzen Stadt."},
        {"item_id": "t2", "text": "Good morning, the sun is shining over the whole city today."},
        {"item_id": "t3", "text": "Mail me: max@example.de, thanks a lot for your help today!"},
        {"item_id": "t9", "text": "An extra record that the metadata does not list at all."},
    ]
    (tmp_path / "texts.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    rows = [
        {"item_id": i, "contributor": "c1", "locale": loc, "file": "texts.jsonl", "consent_version": "v1"}
        for i, loc in (("t1", "de-DE"), ("t2", "de-DE"), ("t3", "en-GB"), ("t4", "en-GB"))
    ]
    (tmp_path / "metadata.csv").write_text(metadata_csv(rows), encoding="utf-8")
    report = analyse_batch(tmp_path, "metadata.csv", "text")
    by_id = {m.item_id: m for m in report.items}
    assert set(by_id) == {"t1", "t2", "t3", "t4", "t9"}
    assert by_id["t2"].language_match is False and by_id["t1"].language_match is True
    assert by_id["t4"].error == "no record with this item_id in texts.jsonl"
    assert report.aggregate["pii_items"] == ["t3"]
    assert any("1 text record(s) are not listed in the metadata (e.g. t9)" in p for p in report.problems)


def test_unknown_modality(tmp_path):
    with pytest.raises(ValueError, match="unknown modality"):
        analyse_batch(tmp_path, None, "video")


def test_text_batch_without_metadata_reads_every_jsonl(tmp_path):
    lines = [
        {"item_id": "x1", "text": "Bonjour à tous, nous allons parler du temps qu'il fera demain.", "locale": "fr-FR"},
        {"item_id": "x2", "text": "Bonjour à tous !"},
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in lines), encoding="utf-8")
    report = analyse_batch(tmp_path, None, "text")
    assert [(m.item_id, m.language_match) for m in report.items] == [("x1", True), ("x2", None)]
