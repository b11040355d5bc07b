"""Metadata CSV: parsing problems and the aggregates a buyer reads."""

from __future__ import annotations

import pytest

from app.measurements.metadata import read_metadata, summarise_metadata
from tests.measurements.synth import metadata_csv


def row(i: int, contributor: str, locale: str, gender: str, **extra) -> dict:
    return {
        "item_id": f"it{i:02d}",
        "contributor": contributor,
        "locale": locale,
        "gender": gender,
        "age_band": "18-29",
        "device": "phone",
        "environment": "quiet",
        "consent_version": "v2",
        "file": f"audio/it{i:02d}.wav",
        **extra,
    }


@pytest.fixture
def summary(tmp_path):
    rows = (
        [row(i, "c1", "de-DE", "female") for i in range(4)]
        + [row(i, "c2", "de-DE", "male") for i in range(4, 6)]
        + [row(i, f"c{i}", "fr-FR", "female") for i in range(6, 10)]
    )
    rows[9]["consent_version"] = ""
    rows[8]["device"] = ""
    path = tmp_path / "metadata.csv"
    path.write_text(metadata_csv(rows), encoding="utf-8")
    table, problems = read_metadata(path)
    assert problems == []
    files = [f"audio/it{i:02d}.wav" for i in range(9)] + [
        "audio/extra.wav",
        "metadata.csv",
        "__MACOSX/._x",
        "audio/.DS_Store",
    ]
    return summarise_metadata(table, files, metadata_name="metadata.csv")


def test_completeness_per_column(summary):
    assert summary.rows == 10
    assert summary.completeness["item_id"] == 1.0
    assert summary.completeness["device"] == pytest.approx(0.9)
    assert summary.completeness["consent_version"] == pytest.approx(0.9)


def test_locale_distribution_counts_items_and_contributors(summary):
    assert summary.locales["de-DE"] == {"items": 6, "item_share": 0.6, "contributors": 2, "contributor_share": 2 / 6}
    assert summary.locales["fr-FR"]["contributors"] == 4
    assert summary.contributors_by_locale["de-DE"] == ["c1", "c2"]


def test_demographics_per_attribute(summary):
    gender = summary.demographics["gender"]
    assert gender["female"]["items"] == 8 and gender["male"]["items"] == 2
    assert gender["female"]["contributors"] == 5 and gender["male"]["contributor_share"] == pytest.approx(1 / 6)
    assert summary.demographics["age_band"]["18-29"]["item_share"] == 1.0


def test_largest_contributor_and_consent(summary):
    assert summary.largest_contributor == {"contributor": "c1", "items": 4, "share": 0.4}
    assert summary.items_without_consent == ["it09"]


def test_missing_and_unlisted_files_ignore_junk_and_the_csv_itself(summary):
    assert summary.missing_files == ["audio/it09.wav"]
    assert summary.unlisted_files == ["audio/extra.wav"]
    assert summary.to_dict()["unlisted_files"] == ["audio/extra.wav"]


def test_missing_columns_and_bad_rows_are_reported(tmp_path):
    path = tmp_path / "m.csv"
    # BOM and stray spaces/case in the header, as spreadsheets produce them; no gender/age_band columns.
    path.write_text(
        "\ufeffItem_ID , contributor,locale,device,environment,consent_version,file,accent\n"
        "a1,c1,en-GB,phone,street,v1,a1.wav,scouse\n"
        ",c1,en-GB,phone,street,v1,a2.wav,scouse\n"
        "a1,c2,en-GB,phone,street,v1,a1.wav,geordie\n",
        encoding="utf-8",
    )
    table, problems = read_metadata(path)
    summary = summarise_metadata(table, ["a1.wav", "a2.wav"])
    assert summary.missing_columns == ["gender", "age_band"]
    assert "The metadata lacks the column(s) gender, age_band." in summary.problems
    assert "1 row(s) have no item_id (CSV line(s) 3)." in summary.problems
    assert "1 item_id value(s) appear more than once: a1." in summary.problems
    assert "1 file value(s) appear more than once: a1.wav." in summary.problems
    # An extra categorical column is reported as a further demographic attribute.
    assert summary.demographics["accent"]["scouse"]["items"] == 2


def test_unreadable_metadata(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes("item_id,file\n1,\xe4.wav\n".encode("latin-1"))
    table, problems = read_metadata(path)
    assert table is None and "not UTF-8" in problems[0]
    missing_table, missing = read_metadata(tmp_path / "nope.csv")
    assert missing_table is None and "missing" in missing[0]
    summary = summarise_metadata(None, ["a.wav"])
    assert summary.unlisted_files == ["a.wav"] and summary.rows == 0
