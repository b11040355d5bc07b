"""Cell code lists: BCP 47 locales, ISO 639-3 languages, ISO 3166-1 countries."""

from __future__ import annotations

import pytest

from app.questionnaires.codes import CodeError, check_country, check_language, check_locale


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("en-US", "en-US"),
        ("en_us", "en-US"),
        ("EN-gb", "en-GB"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("yue-HK", "yue-HK"),
        (" fr-CA ", "fr-CA"),
        ("sr-Latn-RS", "sr-Latn-RS"),
        ("de", "de"),
    ],
)
def test_locales_are_canonicalised(raw, canonical):
    assert check_locale(raw) == canonical
    assert check_locale(canonical) == canonical


@pytest.mark.parametrize("raw", ["english", "en-", "123", "", "en--US", "e", "en-US-" + "x" * 40, "ẽn-US"])
def test_bad_locales_are_refused(raw):
    with pytest.raises(CodeError, match="is not a BCP 47 language tag"):
        check_locale(raw)


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("eng", "eng"),
        ("DEU", "deu"),
        ("yue", "yue"),
        ("cmn", "cmn"),
        ("zho", "zho"),
        ("en", "eng"),
        ("de", "deu"),
        ("ger", "deu"),
        ("fre", "fra"),
        ("swh", "swh"),
    ],
)
def test_languages_are_iso_639_3(raw, canonical):
    assert check_language(raw) == canonical


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("english", "not an ISO 639-3 language code"),
        ("xqz", "not a known ISO 639-3 language code"),
        ("e1", "not an ISO 639-3 language code"),
        ("in", "retired code; use 'ind'"),
        ("sla", "language family"),
        ("und", "does not name a language"),
    ],
)
def test_bad_languages_say_why(raw, reason):
    with pytest.raises(CodeError, match=reason):
        check_language(raw)


@pytest.mark.parametrize("raw, canonical", [("DE", "DE"), ("de", "DE"), ("DEU", "DE"), ("bra", "BR"), ("IN", "IN")])
def test_countries_are_alpha_2(raw, canonical):
    assert check_country(raw) == canonical


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("UK", "use 'GB'"),
        ("ZZ", "not an ISO 3166-1 country code"),
        ("Germany", "not an ISO 3166-1"),
        ("D", "not an ISO 3166-1"),
        ("12", "not an ISO 3166-1"),
    ],
)
def test_bad_countries_say_why(raw, reason):
    with pytest.raises(CodeError, match=reason):
        check_country(raw)
