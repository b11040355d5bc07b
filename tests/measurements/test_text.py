"""Text metrics: language identification, duplicates and personal-data patterns."""

from __future__ import annotations

import json

import pytest

from app.measurements.text import (
    aggregate_texts,
    detect_language,
    find_pii,
    language_of_locale,
    measure_text,
    normalise_text,
    read_jsonl,
)

SENTENCES = {
    "en-US": "The weather was lovely this morning, so we walked along the river to the old market.",
    "de-DE": "Heute Morgen war das Wetter schön, also sind wir am Fluss entlang zum alten Markt gegangen.",
    "fr-FR": "Ce matin, il faisait beau, alors nous avons marché le long de la rivière jusqu'au vieux marché.",
    "es-ES": "Esta mañana hacía buen tiempo, así que caminamos junto al río hasta el mercado antiguo.",
    "ja-JP": "今朝は天気が良かったので、川沿いを歩いて古い市場まで行きました。",
}


@pytest.mark.parametrize("locale, text", SENTENCES.items())
def test_language_detected(locale, text):
    language, confidence = detect_language(text)
    assert language == locale[:2] and confidence > 0.9
    assert measure_text(text, item_id="t", file="t.jsonl", claimed_locale=locale).language_match is True


def test_short_text_has_no_language_and_is_not_judged():
    metrics = measure_text("ok thanks", item_id="s", file="t.jsonl", claimed_locale="en-US")
    assert metrics.detected_language is None and metrics.language_match is None


@pytest.mark.parametrize(
    "locale, language", [("de-AT", "de"), ("pt_BR", "pt"), ("deu", "de"), ("xx-YY", None), ("", None), (None, None)]
)
def test_language_of_locale(locale, language):
    assert language_of_locale(locale) == language


def test_match_share_and_duplicates():
    texts = [
        ("a", "en-US", SENTENCES["en-US"]),
        ("b", "de-DE", SENTENCES["de-DE"]),
        ("c", "en-US", SENTENCES["de-DE"]),  # German text claimed as English
        ("d", "fr-FR", SENTENCES["fr-FR"]),
        ("e", "fr-FR", SENTENCES["fr-FR"]),  # exact duplicate of d
        ("f", "es-ES", SENTENCES["es-ES"].upper().replace(",", " ;")),  # near duplicate of g
        ("g", "es-ES", SENTENCES["es-ES"]),
        ("h", "ja-JP", SENTENCES["ja-JP"]),
        ("i", "ja-JP", ""),  # empty
    ]
    items = [measure_text(t, item_id=i, file="t.jsonl", claimed_locale=loc) for i, loc, t in texts]
    summary = aggregate_texts(items)
    assert (summary["measured"], summary["empty_or_missing"]) == (8, 1)
    assert summary["language_judged"] == 8 and summary["language_matched"] == 7
    assert summary["language_mismatches"] == ["c"]
    assert summary["language_match_share"] == pytest.approx(7 / 8)
    # b and c are the same German text (claimed in two locales): exact duplicates as well.
    assert summary["exact_duplicate_groups"] == [["b", "c"], ["d", "e"]]
    assert sorted(summary["near_duplicate_groups"]) == [["b", "c"], ["d", "e"], ["f", "g"]]
    assert (summary["exact_duplicate_items"], summary["near_duplicate_items"], summary["duplicate_items"]) == (2, 1, 3)
    assert summary["duplicate_rate"] == pytest.approx(3 / 8)
    assert summary["chars"]["max"] == len(SENTENCES["fr-FR"])


def test_normalise_text():
    assert normalise_text("  Hello,\tWORLD!!  ") == "hello world"
    assert normalise_text("ＡＢＣ") == "abc"  # full-width letters fold under NFKC


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Write to jane.doe@example.com today.", {"email": 1}),
        ("Call +49 30 1234567 or 030 1234567 or (415) 555-0134 or 03-1234-5678.", {"phone": 4}),
        ("IBAN DE89 3704 0044 0532 0130 00 AND that was it", {"iban": 1}),
        ("Compact GB82WEST12345698765432 and bad GB82WEST12345698765433", {"iban": 1}),
        ("Card 4111 1111 1111 1111 expires soon; 4111-1111-1111-1112 fails Luhn.", {"card": 1}),
        ("Met on 01.02.2024 at 10:30, order 123456789, total 1299.00, ratio 0.123456.", {}),
        ("電話は090-1234-5678です。", {"phone": 1}),
    ],
)
def test_pii_patterns(text, expected):
    assert find_pii(text) == {"email": 0, "iban": 0, "card": 0, "phone": 0, **expected}


def test_pii_rate():
    items = [
        measure_text(t, item_id=str(i), file="t.jsonl")
        for i, t in enumerate(["Reach me at a@b.org please", "Nothing personal in this sentence at all", "No"])
    ]
    summary = aggregate_texts(items)
    assert summary["pii_items"] == ["0"] and summary["pii_rate"] == pytest.approx(1 / 3)
    assert summary["pii_counts"]["email"] == 1


def test_read_jsonl_reports_bad_lines(tmp_path):
    path = tmp_path / "texts.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"item_id": "1", "text": "hello"}),
                "{not json",
                json.dumps(["x"]),
                json.dumps({"item_id": "2", "text": 5}),
                "",
            ]
        ),
        encoding="utf-8",
    )
    records, problems = read_jsonl(path)
    assert [r["item_id"] for r in records] == ["1"]
    assert problems == [
        "texts.jsonl line 2 is not valid JSON (Expecting property name enclosed in double quotes).",
        'texts.jsonl line 3 is not an object with a "text" string.',
        'texts.jsonl line 4 is not an object with a "text" string.',
    ]
