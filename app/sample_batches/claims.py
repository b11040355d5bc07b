"""From a vendor's answers to the checkable claims of :class:`app.samples.Claims` (pure, no I/O).

Which answer feeds which claim, for ``questionnaires/data-collection-vendor.yaml`` (found by the
questions' structure where the questionnaire says enough, so other questionnaires work too):

* locale contributors (counts and shares): the table scored by the ``coverage`` scorer with
  ``target: min_contributors`` (COV-02); without one, a ``required_fraction`` table of locales with a
  count column (COV-01 of the pilot quick check).
* demographic mix: every ``distribution_match`` table (COV-03 gender -> metadata column ``gender``,
  COV-04 age -> ``age_band``), summed over the locales the batch holds.
* largest single-contributor share: COV-08.
* consent coverage: a multi-choice answer that names ``consent_version`` among the metadata delivered
  with every item (PRO-06) claims that 100 % of items have one.
* QA thresholds: the rows of the metric/threshold table (QA-04), read from the vendor's words
  ("SNR < 15 dB", "clipping > 1 %", "sample rate 16 kHz", "resolution 1920x1080", ...); and
  automatic personal-data redaction in TXT-02 claims that no text carries personal data.

Not mapped (DataVet cannot measure them on a batch): QA-02 share reviewed by people, QA-05 client
rejection rate, QA-06 annotator agreement, SPC-02 voice transformation, VIS-02 bystander blurring,
the device and environment mixes (COV-06, COV-07), and any QA-04 metric not in the list above. The
checks listed in SPC-01 / VIS-01 / TXT-01 name no threshold, so they are compared only through QA-04.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.questionnaires.model import Question, Questionnaire
from app.samples import BatchReport, Claimed, Claims, Comparison, compare_with_claims

CONTRIBUTOR_SHARE_QUESTIONS = ("COV-08",)
PII_REDACTION_QUESTIONS = {"TXT-02": ("automatic", "automatic_and_review")}
# The buyer's demographic attribute (distribution_match ``attribute``) -> the metadata CSV column.
ATTRIBUTE_COLUMNS = {"age": "age_band", "gender": "gender"}
# Options of the SPC-01 / VIS-01 / TXT-01 check lists -> the claim a threshold for that check makes.
CHECK_CLAIMS = {
    "sample_rate": "min_sample_rate_hz", "clipping": "max_clipped_clips_pct", "snr": "min_snr_db",
    "silence": "max_silence_pct", "resolution": "min_resolution", "blur": "min_sharpness",
    "duplicates": "max_duplicate_rate_pct", "language_id": "min_language_match_pct",
    "pii_detection": "max_pii_rate_pct",
}
CLAIM_WORDS = {
    "min_sample_rate_hz": "sample rate", "max_clipped_clips_pct": "clipping", "min_snr_db": "SNR",
    "max_silence_pct": "silence", "min_resolution": "resolution", "min_sharpness": "blur",
    "max_duplicate_rate_pct": "duplicates", "min_language_match_pct": "language", "max_pii_rate_pct": "personal data",
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


def claims_from_answers(questionnaire: Questionnaire, answers: Mapping[str, Any],
                        report: BatchReport | None = None) -> ClaimSet:
    """Build the vendor's checkable claims from its answers (question id -> stored value).

    With ``report``, locale and category names are spelt as the batch spells them ("en_us" and
    "18-24" in a CSV match the answers' "en-US" and "18_24"), and per-locale tables are limited to the
    locales the batch holds.
    """
    found: dict[str, Claimed] = {}
    notes: list[str] = []
    questions = {q.id: q for q in questionnaire.questions}
    batch_locales = list(report.metadata.locales) if report else []

    locale_question = _locale_table(questionnaire)
    if locale_question is not None and answers.get(locale_question[0].id):
        question, locale_column, count_column = locale_question
        counts = _sum_by(answers[question.id], locale_column, count_column)
        if counts:
            found["locale_contributors"] = Claimed(_respelt(counts, batch_locales), question.id)

    demographics: list[Claimed] = []
    for question in questionnaire.questions:
        if question.scoring.auto != "distribution_match" or not answers.get(question.id):
            continue
        params = question.scoring.params
        column = ATTRIBUTE_COLUMNS.get(params["attribute"], params["attribute"])
        rows = _rows_for_batch(answers[question.id], params.get("group_column"), batch_locales)
        mix = _sum_by(rows, params["category_column"], params["value_column"])
        if mix:
            recorded = list(report.metadata.demographics.get(column, {})) if report else []
            mix = _respelt_categories(mix, question.column(params["category_column"]), recorded)
            demographics.append(Claimed({column: mix}, question.id))

    for question_id in CONTRIBUTOR_SHARE_QUESTIONS:
        value = answers.get(question_id)
        if question_id in questions and isinstance(value, (int, float)) and not isinstance(value, bool):
            found["max_contributor_share_pct"] = Claimed(float(value), question_id)
            break

    for question in questionnaire.questions:
        value = answers.get(question.id)
        if question.type == "multi_choice" and "consent_version" in question.option_keys and isinstance(value, list):
            if "consent_version" in value:
                found["consent_coverage_pct"] = Claimed(100.0, question.id)
            break

    for question in questionnaire.questions:
        if question.type == "table" and {"metric", "threshold"} <= {c.id for c in question.columns}:
            thresholds, threshold_notes = _thresholds(question, answers.get(question.id) or [])
            for key, claimed in thresholds.items():
                found.setdefault(key, claimed)
            notes += threshold_notes

    for question_id, options in PII_REDACTION_QUESTIONS.items():
        if answers.get(question_id) in options and "max_pii_rate_pct" not in found:
            found["max_pii_rate_pct"] = Claimed(0.0, question_id)

    notes += _checks_without_threshold(questionnaire, answers, found)
    # A Claimed names one question, so each demographic table travels in its own Claims.
    extra = tuple(Claims(demographic_shares=claimed) for claimed in demographics)
    return ClaimSet((Claims(**found),) + extra, tuple(notes))


def _locale_table(questionnaire: Questionnaire) -> tuple[Question, str, str] | None:
    fallback = None
    for question in questionnaire.questions:
        params = question.scoring.params
        if question.scoring.auto == "coverage" and params.get("target") == "min_contributors":
            return question, params["locale_column"], params["count_column"]
        if (fallback is None and question.scoring.auto == "required_fraction" and params.get("of") == "locales"
                and params.get("count_column")):
            fallback = (question, params["column"], params["count_column"])
    return fallback


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


def _thresholds(question: Question, rows: list) -> tuple[dict[str, Claimed], list[str]]:
    found: dict[str, Claimed] = {}
    notes: list[str] = []
    for row in rows if isinstance(rows, list) else []:
        metric, threshold = str(row.get("metric") or ""), str(row.get("threshold") or "")
        key = next((k for k, pattern in _METRICS if pattern.search(metric.lower())), None)
        if key is None:
            notes.append(f"{question.id}: DataVet cannot measure \u201c{metric}\u201d on a sample batch.")
            continue
        value = _threshold_value(key, metric.lower(), threshold.lower())
        if value is None:
            notes.append(f"{question.id}: the threshold \u201c{threshold}\u201d for \u201c{metric}\u201d could not be "
                         f"read as a {_UNIT_WORDS[key]}, so it is not compared.")
            continue
        found.setdefault(key, Claimed(value, question.id))
    return found, notes


_UNIT_WORDS = {
    "min_sample_rate_hz": "rate in Hz or kHz", "min_snr_db": "level in dB", "max_clipped_clips_pct": "percentage",
    "max_silence_pct": "percentage", "min_resolution": "width x height in pixels", "min_sharpness": "number",
    "max_duplicate_rate_pct": "percentage", "min_language_match_pct": "percentage", "max_pii_rate_pct": "percentage",
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


def _checks_without_threshold(questionnaire: Questionnaire, answers: Mapping[str, Any],
                              found: Mapping[str, Claimed]) -> list[str]:
    notes = []
    for question in questionnaire.questions:
        chosen = answers.get(question.id)
        if question.type != "multi_choice" or question.section_id not in ("speech", "vision", "text"):
            continue
        if not isinstance(chosen, list):
            continue
        missing = [CLAIM_WORDS[CHECK_CLAIMS[c]] for c in chosen if c in CHECK_CLAIMS and CHECK_CLAIMS[c] not in found]
        if missing:
            notes.append(f"{question.id} lists checks for {', '.join(missing)} but no threshold for them was given "
                         "(in the quality metrics table), so they are not compared with the batch.")
    return notes
