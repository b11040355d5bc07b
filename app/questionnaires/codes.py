"""Code lists for table cells: BCP 47 locales, ISO 639-3 languages and ISO 3166-1 countries.

Each ``check_*`` returns the canonical code or raises :class:`CodeError` with a sentence for the
vendor. The ISO 639-3 list is built once from the IANA subtag registry shipped with
``language_data`` (what ``langcodes`` itself uses), so no network and no LGPL ``pycountry``.
"""

from __future__ import annotations

import functools
import re

import iso3166
import langcodes
from language_data.registry_parser import parse_registry

MAX_TAG_LENGTH = 35  # RFC 5646 §4.4.1: implementations need not handle longer tags

# ISO 639-2 has a bibliographic code for 20 languages; vendors copying from library catalogues use them.
BIBLIOGRAPHIC_TO_TERMINOLOGY = {
    "alb": "sqi",
    "arm": "hye",
    "baq": "eus",
    "bur": "mya",
    "chi": "zho",
    "cze": "ces",
    "dut": "nld",
    "fre": "fra",
    "geo": "kat",
    "ger": "deu",
    "gre": "ell",
    "ice": "isl",
    "mac": "mkd",
    "mao": "mri",
    "may": "msa",
    "per": "fas",
    "rum": "ron",
    "slo": "slk",
    "tib": "bod",
    "wel": "cym",
}
# Common non-ISO country spellings and what to write instead.
COUNTRY_HINTS = {"UK": "GB", "EL": "GR", "EN": "GB"}
_ALPHA = re.compile(r"[A-Za-z]+")


class CodeError(ValueError):
    """A code is not on its list; the message says why in words for the vendor."""


@functools.cache
def _language_registry() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """(valid ISO 639-3 codes, 2-letter -> 3-letter, retired or non-language code -> why)."""
    valid: set[str] = set()
    two_letter: dict[str, str] = {}
    refused: dict[str, str] = {}
    retired: dict[str, str | None] = {}
    for entry in parse_registry():
        if entry.get("Type") != "language":
            continue
        subtag, scope = entry["Subtag"], entry.get("Scope")
        if ".." in subtag:
            continue  # the qaa..qtz private-use range
        if "Deprecated" in entry:
            retired[subtag] = entry.get("Preferred-Value")
        elif scope == "collection":
            refused[subtag] = "is a language family (ISO 639-5), not a single language"
        elif scope == "special":
            refused[subtag] = "does not name a language"
        elif len(subtag) == 3:
            valid.add(subtag)
        elif len(subtag) == 2:
            two_letter[subtag] = langcodes.Language.get(subtag).to_alpha3()
    valid.update(two_letter.values())
    for code, preferred in retired.items():
        # A retired code's preferred value may itself be a two-letter code: name the 3-letter one.
        preferred = two_letter.get(preferred, preferred) if preferred else None
        refused[code] = "is a retired code" + (f"; use '{preferred}'" if preferred else "")
    return frozenset(valid), two_letter, refused


def check_language(value: str) -> str:
    """An ISO 639-3 code, e.g. ``eng``; 2-letter (``en``) and bibliographic (``ger``) codes are converted."""
    code = value.strip().lower()
    valid, two_letter, refused = _language_registry()
    if not _ALPHA.fullmatch(code) or len(code) not in (2, 3):
        raise CodeError(f"{value!r} is not an ISO 639-3 language code (three letters, e.g. eng, deu, yue)")
    if code in valid:
        return code
    if code in two_letter:
        return two_letter[code]
    if code in BIBLIOGRAPHIC_TO_TERMINOLOGY:
        return BIBLIOGRAPHIC_TO_TERMINOLOGY[code]
    if code in refused:
        raise CodeError(f"{value!r} {refused[code]}")
    raise CodeError(f"{value!r} is not a known ISO 639-3 language code (e.g. eng, deu, yue)")


def normalise_locale(value: str) -> str | None:
    """The canonical form of a BCP 47 tag (``en_us`` -> ``en-US``), or None if it is not one."""
    tag = value.strip()
    if not tag or len(tag) > MAX_TAG_LENGTH or not tag.isascii():
        return None
    try:
        if not langcodes.tag_is_valid(tag):
            return None
        canonical = langcodes.Language.get(tag).to_tag()
    except (ValueError, LookupError, TypeError):
        return None
    # The canonical form must be stable (canonicalising it again changes nothing), or a stored
    # answer would change each time it is read back.
    try:
        stable = langcodes.tag_is_valid(canonical) and langcodes.Language.get(canonical).to_tag() == canonical
    except (ValueError, LookupError, TypeError):
        stable = False
    return canonical if stable else None


def check_locale(value: str) -> str:
    """A BCP 47 tag in canonical form (``en-US``, ``zh-Hant-TW``, ``es-419``)."""
    canonical = normalise_locale(value)
    if canonical is None:
        raise CodeError(f"{value!r} is not a BCP 47 language tag (e.g. en-GB)")
    return canonical


def check_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper case; alpha-3 (``DEU``) is converted to alpha-2 (``DE``)."""
    code = value.strip().upper()
    if _ALPHA.fullmatch(code):
        if len(code) == 2 and code in iso3166.countries_by_alpha2:
            return code
        if len(code) == 3 and code in iso3166.countries_by_alpha3:
            return iso3166.countries_by_alpha3[code].alpha2
        if code in COUNTRY_HINTS:
            raise CodeError(f"{value!r} is not an ISO 3166-1 country code; use '{COUNTRY_HINTS[code]}'")
    raise CodeError(f"{value!r} is not an ISO 3166-1 country code (two letters, e.g. DE, IN, BR)")
