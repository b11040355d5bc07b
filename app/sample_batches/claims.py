"""From a vendor's answers to the checkable claims of :class:`app.measurements.Claims` (pure, no I/O).

Which answer feeds which claim is data: a question that a sample batch can confirm carries a
``sample_check:`` entry in the questionnaire YAML (``questionnaires/README.md``), and only those
questions are read here:

* ``locale_contributors``: a table of committed contributors per locale (counts and shares).
* ``demographic_mix``: a table of contributors per category, compared with the metadata column it names,
  summed over the locales the batch holds.
* ``contributor_share``: the largest single-contributor share, in percent.
* ``consent_coverage``: choosing the named option (metadata delivered with every item) claims that
  100 % of items carry a consent version.
* ``quality_thresholds``: the rows of a metric/threshold table, read from the vendor's words
  ("SNR < 15 dB", "clipping > 1 %", "sample rate 16 kHz", "resolution 1920x1080", ...); a metric not in
  :data:`THRESHOLD_CLAIMS` is said to be not measurable.
* ``personal_data_removed``: answering with one of the named options claims that no text carries
  personal data (unless a stated threshold says otherwise).
* ``checks_listed``: checks the vendor says it runs; a listed check without a stated threshold gets a note.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.measurements import BatchReport, Claimed, Claims, Comparison, compare_with_claims
from app.questionnaires.model import Question, Questionnaire

# The thresholds of app.questionnaires.sample_checks.THRESHOLDS -> the claim each makes.
THRESHOLD_CLAIMS = {
    "sample_rate": "min_sample_rate_hz",
    "snr": "min_snr_db",
    "clipping": "max_clipped_clips_pct",
    "silence": "max_silence_pct",
    "resolution": "min_resolution",
    "sharpness": "min_sharpness",
    "duplicates": "max_duplicate_rate_pct",
    "language": "min_language_match_pct",
    "personal_data": "max_pii_rate_pct",
}
CLAIM_WORDS = {
    "min_sample_rate_hz": "sample rate",
    "max_clipped_clips_pct": "clipping",
    "min_snr_db": "SNR",
    "max_silence_pct": "silence",
    "min_resolution": "resolution",
    "min_sharpness": "blur",
    "max_duplicate_rate_pct": "duplicates",
    "min_language_match_pct": "language",
    "max_pii_rate_pct": "personal data",
}
# First match wins, so "sample rate" is tried before anything else that says "rate".
_METRICS = (
    ("min_sample_rate_hz", re.compile(r"sampl\w*[\s_-]*rate|sampling|\bk?hz\b")),
    ("min_snr_db", re.compile(r"\bsnr\b|signal[\s-]*to[\s-]*noise")),
    ("max_clipped_clips_pct", re.compile(r"clip")),
    ("max_silence_pct", re.compile(r"silen")),
    ("min_resolution", re.compile(r"resolution")),
    ("min_sharpness", re.compile(r"blur|sharp|laplacian|focus")),
    ("max_duplicate_rate_pct", re.compile(r"dup")),
    ("min_language_match_pct", re.compile(r"language|lang[\s_-]*id")),
    ("max_pii_rate_pct", re.compile(r"\bpii\b|personal\s+(data|information)")),
)
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_NONE = re.compile(r"\b(none|zero|no)\b")


@dataclass(frozen=True)
class ClaimSet:
    """The claims found in the answers, and sentences about answers that could not become claims.

    ``claims`` holds one :class:`Claims` for everything but the demographic mixes, then one per
    demographic table, so every comparison names the question it checks.
    """

    claims: tuple[Claims, ...]
    notes: tuple[str, ...] = ()

    def compare(self, report: BatchReport) -> list[Comparison]:
        """Every comparison of these claims with ``report``."""
        return [c for claims in self.claims for c in compare_with_claims(report, claims)]


def claims_from_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any], report: BatchReport | None = None
) -> ClaimSet:
    """Build the vendor's checkable claims from its answers (question id -> stored value).

    Only questions with a ``sample_check`` are read; when two claim the same thing, the first in the
    questionnaire counts. With ``report``, locale and category names are spelt as the batch spells
    them ("en_us" and "18-24" in a CSV match the answers' "en-US" and "18_24"), and per-locale tables
    are limited to the locales the batch holds.
    """
    found: dict[str, Claimed] = {}
    notes: list[str] = []
    demographics: list[Claimed] = []
    batch_locales = list(report.metadata.locales) if report else []
    checked = [q for q in questionnaire.questions if q.sample_check is not None]

    def of(measurement: str) -> list[tuple[Question, Mapping[str, Any], Any]]:
        return [
            (q, q.sample_check.params, answers.get(q.id)) for q in checked if q.sample_check.measurement == measurement
        ]

    for question, params, value in of("locale_contributors"):
        counts = _sum_by(value, params["locale_column"], params["count_column"])
        if counts:
            found.setdefault("locale_contributors", Claimed(_respelt(counts, batch_locales), question.id))

    for question, params, value in of("demographic_mix"):
        column = params["metadata_column"]
        rows = _rows_for_batch(value, params.get("group_column"), batch_locales)
        mix = _sum_by(rows, params["category_column"], params["value_column"])
        if mix:
            recorded = list(report.metadata.demographics.get(column, {})) if report else []
            mix = _respelt_categories(mix, question.column(params["category_column"]), recorded)
            demographics.append(Claimed({column: mix}, question.id))

    for question, _, value in of("contributor_share"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            found.setdefault("max_contributor_share_pct", Claimed(float(value), question.id))

    for question, params, value in of("consent_coverage"):
        if isinstance(value, list) and params["option"] in value:
            found.setdefault("consent_coverage_pct", Claimed(100.0, question.id))

    for question, params, value in of("quality_thresholds"):
        thresholds, threshold_notes = _thresholds(question, value or [], params)
        for key, claimed in thresholds.items():
            found.setdefault(key, claimed)
        notes += threshold_notes

    # Automatic redaction claims no personal data only where no threshold was stated for it.
    for question, params, value in of("personal_data_removed"):
        chosen = value if isinstance(value, list) else [value]
        if any(option in params["when"] for option in chosen):
            found.setdefault("max_pii_rate_pct", Claimed(0.0, question.id))

    for question, params, value in of("checks_listed"):
        notes += _checks_without_threshold(question, params["checks"], value, found)
    # A Claimed names one question, so each demographic table travels in its own Claims.
    extra = tuple(Claims(demographic_shares=claimed) for claimed in demographics)
    return ClaimSet((Claims(**found),) + extra, tuple(notes))


def _sum_by(rows: Any, key_column: str, value_column: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for row in rows if isinstance(rows, list) else []:
        key, value = row.get(key_column), row.get(value_column)
        if key in (None, "") or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        totals[str(key)] = totals.get(str(key), 0.0) + float(value)
    return {k: (int(v) if float(v).is_integer() else v) for k, v in totals.items()}


def _rows_for_batch(rows: Any, group_column: str | None, batch_locales: list[str]) -> list[dict]:
    """Rows of the locales the batch holds; all rows when it holds none of them (or is not known)."""
    rows = rows if isinstance(rows, list) else []
    if not group_column or not batch_locales:
        return rows
    wanted = {_locale_key(loc) for loc in batch_locales}
    chosen = [r for r in rows if _locale_key(str(r.get(group_column) or "")) in wanted]
    return chosen or rows


def _locale_key(locale: str) -> str:
    return locale.strip().lower().replace("_", "-")


def _respelt(counts: dict[str, float], batch_locales: list[str]) -> dict[str, float]:
    spelling = {_locale_key(loc): loc for loc in batch_locales}
    result: dict[str, float] = {}
    for locale, count in counts.items():
        name = spelling.get(_locale_key(locale), locale)
        result[name] = result.get(name, 0) + count
    return result


def _category_key(name: str) -> str:
    text = str(name).strip().lower().replace("+", "_plus")
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _respelt_categories(mix: dict[str, float], column, recorded: list[str]) -> dict[str, float]:
    """Name each claimed category as the batch names it, matching on the option key or its label."""
    spelling = {_category_key(name): name for name in recorded}
    labels = {option.key: option.label for option in column.options}
    result: dict[str, float] = {}
    for key, value in mix.items():
        name = spelling.get(_category_key(key)) or spelling.get(_category_key(labels.get(key, key))) or key
        result[name] = result.get(name, 0) + value
    return result


def _thresholds(question: Question, rows: list, params: Mapping[str, Any]) -> tuple[dict[str, Claimed], list[str]]:
    found: dict[str, Claimed] = {}
    notes: list[str] = []
    for row in rows if isinstance(rows, list) else []:
        metric = str(row.get(params["metric_column"]) or "")
        threshold = str(row.get(params["threshold_column"]) or "")
        key = next((k for k, pattern in _METRICS if pattern.search(metric.lower())), None)
        if key is None:
            notes.append(f"{question.id}: DataVet cannot measure \u201c{metric}\u201d on a sample batch.")
            continue
        value = _threshold_value(key, metric.lower(), threshold.lower())
        if value is None:
            notes.append(
                f"{question.id}: the threshold \u201c{threshold}\u201d for \u201c{metric}\u201d could not be "
                f"read as a {_UNIT_WORDS[key]}, so it is not compared."
            )
            continue
        found.setdefault(key, Claimed(value, question.id))
    return found, notes


_UNIT_WORDS = {
    "min_sample_rate_hz": "rate in Hz or kHz",
    "min_snr_db": "level in dB",
    "max_clipped_clips_pct": "percentage",
    "max_silence_pct": "percentage",
    "min_resolution": "width x height in pixels",
    "min_sharpness": "number",
    "max_duplicate_rate_pct": "percentage",
    "min_language_match_pct": "percentage",
    "max_pii_rate_pct": "percentage",
}


def _threshold_value(key: str, metric: str, threshold: str) -> Any:
    if key == "min_sample_rate_hz":
        match = re.search(_NUMBER + r"\s*(khz|k\b|hz)?", threshold)
        if not match:
            return None
        number = _float(match.group(1))
        return int(round(number * 1000 if match.group(2) in ("khz", "k") or number < 1000 else number))
    if key == "min_snr_db":
        match = re.search(r"(-?\d+(?:[.,]\d+)?)\s*db", threshold) or re.search(r"(-?\d+(?:[.,]\d+)?)", threshold)
        return _float(match.group(1)) if match else None
    if key == "min_resolution":
        match = re.search(r"(\d{2,5})\s*[x\u00d7*]\s*(\d{2,5})", threshold)
        if match:
            return (int(match.group(1)), int(match.group(2)))
        match = re.search(r"(\d{3,4})\s*p\b", threshold)
        return (int(round(int(match.group(1)) * 16 / 9)), int(match.group(1))) if match else None
    if key == "min_sharpness":
        match = re.search(_NUMBER, threshold)
        return _float(match.group(1)) if match else None
    match = re.search(_NUMBER + r"\s*(%|percent|per cent)", threshold)
    if match:
        value = _float(match.group(1))
    elif _NONE.search(threshold):
        value = 0.0
    else:
        return None
    if key == "min_language_match_pct" and re.search(r"wrong|mismatch|other|off", metric + " " + threshold):
        return 100.0 - value  # "5 % in the wrong language" claims 95 % in the right one
    return value


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def _checks_without_threshold(
    question: Question, checks: Mapping[str, str], chosen: Any, found: Mapping[str, Claimed]
) -> list[str]:
    if not isinstance(chosen, list):
        return []
    claims = [THRESHOLD_CLAIMS[checks[option]] for option in chosen if option in checks]
    missing = [CLAIM_WORDS[claim] for claim in claims if claim not in found]
    if not missing:
        return []
    return [
        f"{question.id} lists checks for {', '.join(missing)} but no threshold for them was given "
        "(in the quality metrics table), so they are not compared with the batch."
    ]
