"""Auto-scorers: compare a vendor's structured answer with the buyer's requirements, on the 0..4 rubric.

Scorers are registered by name so a questionnaire can say ``scorer: coverage`` with ``params`` in YAML.
Each has the signature ``scorer(value, params, requirements) -> ScoreResult``. A scorer never raises for a
vendor's answer: an unanswered or unusable answer scores 0 and says why. It does raise ``ValueError`` for
bad ``params``, because that is a questionnaire author's mistake to catch before any vendor answers.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from app.scoring.answer_values import (
    UnusableAnswer,
    column_sums,
    fmt_number,
    fmt_percent,
    fmt_score,
    is_number,
    item_key,
    locale_key,
    parse_date,
    table_rows,
)
from app.scoring.model import Requirements, ScoreResult
from app.scoring.scorer_registry import (
    SCORERS,
    Scorer,
    get_scorer,
    register,
    rubric_value,
    validate_params,
)

__all__ = [
    "SCORERS",
    "Scorer",
    "get_scorer",
    "register",
    "validate_params",
    "coverage",
    "required_fraction",
    "distribution_match",
    "threshold_bands",
    "choice_map",
    "date_validity",
]

REQUIRED_ITEM_KINDS = ("locales", "devices", "environments", "modalities")


def _coverage_params(params: Mapping[str, Any]) -> dict[str, Any]:
    target = params.get("target", "min_contributors")
    if target not in ("min_contributors", "min_hours"):
        raise ValueError(f"coverage target must be min_contributors or min_hours, got {target!r}")
    return {
        "target": target,
        "locale_column": params.get("locale_column", "locale"),
        "count_column": params.get("count_column", "contributors"),
    }


@register(
    "coverage", allowed=("locale_column", "count_column", "target"), parse=_coverage_params
)
def coverage(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """4 · mean over required locales of min(1, offered / required).

    Rows with the same locale are summed; locales match case-insensitively with ``_`` read as ``-``.
    ``target`` chooses ``min_contributors`` (default) or ``min_hours``; a locale whose target is 0 or
    unset is skipped, and when nothing is left the vendor gets 4 because nothing was required.
    """
    target = params["target"]
    offered, _ = column_sums(
        table_rows(value), params["locale_column"], params["count_column"], locale_key
    )
    unit = "contributors" if target == "min_contributors" else "hours"
    per_locale: list[dict[str, Any]] = []
    parts: list[str] = []
    skipped: list[str] = []
    for locale_target in requirements.locales:
        needed = getattr(locale_target, target)
        if not needed:
            skipped.append(locale_target.locale)
            continue
        got = offered.get(locale_key(locale_target.locale), 0.0)
        ratio = min(1.0, got / needed)
        per_locale.append(
            {"locale": locale_target.locale, "offered": got, "required": needed, "ratio": ratio}
        )
        unit_word = f" {unit}" if not parts else ""
        parts.append(
            f"{locale_target.locale} {fmt_number(got)}/{fmt_number(needed)}{unit_word} "
            f"({fmt_percent(ratio)})"
        )
    details: dict[str, Any] = {"per_locale": per_locale, "skipped": skipped, "target": target}
    if not per_locale:
        return ScoreResult(
            4.0, f"no locale {unit} target was required -> {fmt_score(4)}", details
        )
    mean = math.fsum(item["ratio"] for item in per_locale) / len(per_locale)
    score = 4.0 * mean
    details["mean_ratio"] = mean
    sentence = f"{', '.join(parts)}: mean {fmt_percent(mean)} -> {fmt_score(score)}"
    if skipped:
        sentence += f" (no target, not scored: {', '.join(skipped)})"
    return ScoreResult(score, sentence, details)


def _required_fraction_params(params: Mapping[str, Any]) -> dict[str, Any]:
    if params["of"] not in REQUIRED_ITEM_KINDS:
        raise ValueError(
            f"required_fraction 'of' must be one of {REQUIRED_ITEM_KINDS}, got {params['of']!r}"
        )
    return dict(params)


@register(
    "required_fraction",
    allowed=("column", "count_column"),
    required=("of",),
    parse=_required_fraction_params,
)
def required_fraction(
    value: Any, params: Mapping[str, Any], requirements: Requirements
) -> ScoreResult:
    """4 · fraction of the required locales/devices/environments/modalities the vendor offers.

    The answer is either a list of strings (multi-choice) or a table, where ``column`` names the item and,
    if ``count_column`` is given, an item counts as present only when its summed count is above 0.
    ``details["missing"]`` lists what is absent, which must-have rules use.
    """
    kind = params["of"]
    key = locale_key if kind == "locales" else item_key
    wanted = [t.locale for t in requirements.locales] if kind == "locales" else list(getattr(requirements, kind))
    required: list[tuple[str, str]] = []
    for item in wanted:
        if key(item) not in {norm for norm, _ in required}:
            required.append((key(item), item))
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        present = {key(item) for item in value if item.strip()}
    else:
        rows = table_rows(value)
        if "column" not in params:
            raise ValueError("required_fraction on a table answer needs a 'column' param")
        sums, _ = column_sums(rows, params["column"], params.get("count_column"), key)
        present = {item for item, count in sums.items() if count > 0}
    found = [name for norm, name in required if norm in present]
    missing = [name for norm, name in required if norm not in present]
    details = {"required": [name for _, name in required], "present": found, "missing": missing}
    if not required:
        return ScoreResult(4.0, f"no {kind} were required -> {fmt_score(4)}", details)
    fraction = len(found) / len(required)
    score = 4.0 * fraction
    sentence = f"{len(found)} of {len(required)} required {kind} offered ({fmt_percent(fraction)})"
    if missing:
        sentence += f"; missing: {', '.join(missing)}"
    return ScoreResult(score, f"{sentence} -> {fmt_score(score)}", details)


def _mix_distance(
    counts: Mapping[str, float], names: Mapping[str, str], target: Mapping[str, float]
) -> tuple[float, str]:
    """Total variation distance between a count mix and target shares, with a phrase naming both."""
    total = math.fsum(counts.values())
    target_total = math.fsum(target.values())
    offered = {k: v / total for k, v in counts.items()}
    wanted: dict[str, float] = defaultdict(float)
    labels = dict(names)
    for category, share in target.items():
        wanted[item_key(category)] += share / target_total
        labels[item_key(category)] = category
    ordered = list(dict.fromkeys([*wanted, *offered]))
    distance = 0.5 * math.fsum(abs(offered.get(c, 0.0) - wanted.get(c, 0.0)) for c in ordered)
    phrase = ", ".join(
        f"{labels[c]} {fmt_percent(offered.get(c, 0.0))} vs {fmt_percent(wanted.get(c, 0.0))}"
        for c in ordered
    )
    return min(1.0, distance), phrase


@register(
    "distribution_match",
    allowed=("group_column",),
    required=("attribute", "category_column", "value_column"),
)
def distribution_match(
    value: Any, params: Mapping[str, Any], requirements: Requirements
) -> ScoreResult:
    """4 · (1 − total variation distance) between the vendor's mix and the buyer's target mix.

    ``value_column`` may hold counts or shares: both are normalised to shares. A category present on one
    side only counts as 0 on the other. With ``group_column`` (e.g. locale) each group's mix is compared
    with the target separately and the scores are averaged. No target for ``attribute`` scores 4.
    """
    attribute = params["attribute"]
    target = requirements.demographics.get(attribute) or {}
    if math.fsum(target.values()) <= 0:
        return ScoreResult(
            4.0, f"no target mix set for {attribute!r} -> {fmt_score(4)}", {"attribute": attribute}
        )
    rows = table_rows(value)
    group_column = params.get("group_column")
    grouped: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        group = row.get(group_column) if group_column else ""
        grouped[str(group) if group is not None else "(none)"].append(row)
    if not grouped:
        raise UnusableAnswer(f"the table gives no {attribute} mix")
    per_group: list[dict[str, Any]] = []
    parts: list[str] = []
    for group, group_rows in grouped.items():
        counts, names = column_sums(
            group_rows, params["category_column"], params["value_column"], item_key
        )
        if math.fsum(counts.values()) <= 0:
            distance, phrase = 1.0, "no counts given"
        else:
            distance, phrase = _mix_distance(counts, names, target)
        group_score = 4.0 * (1.0 - distance)
        per_group.append({"group": group, "distance": distance, "score": group_score})
        prefix = f"{group}: " if group_column else ""
        parts.append(f"{prefix}{phrase} (distance {distance:.2f})")
    score = math.fsum(g["score"] for g in per_group) / len(per_group)
    lead = f"{attribute} mix vs target: " if not group_column else f"{attribute} mix per group: "
    tail = "" if len(per_group) == 1 else " averaged"
    sentence = f"{lead}{'; '.join(parts)}{tail} -> {fmt_score(score)}"
    return ScoreResult(score, sentence, {"attribute": attribute, "per_group": per_group})


def _threshold_params(params: Mapping[str, Any]) -> dict[str, Any]:
    direction = params["direction"]
    if direction not in ("at_least", "at_most"):
        raise ValueError(f"threshold_bands direction must be at_least or at_most, got {direction!r}")
    bands = []
    for band in params["bands"]:
        if len(band) != 2 or not is_number(band[0]):
            raise ValueError(f"each band must be [threshold, score], got {band!r}")
        bands.append((float(band[0]), rubric_value("band score", band[1])))
    if not bands:
        raise ValueError("threshold_bands needs at least one band")
    return {"direction": direction, "bands": bands}


@register("threshold_bands", required=("direction", "bands"), parse=_threshold_params)
def threshold_bands(
    value: Any, params: Mapping[str, Any], requirements: Requirements
) -> ScoreResult:
    """Score a number by bands: the best band whose threshold the value meets gives the score, else 0.

    ``direction`` is ``at_least`` (higher is better) or ``at_most``; ``bands`` is a list of
    ``[threshold, score]`` pairs.
    """
    direction, bands = params["direction"], params["bands"]
    if not is_number(value):
        raise UnusableAnswer(f"expected a number, got {value!r}")
    words = direction.replace("_", " ")
    met = [
        (score, threshold)
        for threshold, score in bands
        if (value >= threshold if direction == "at_least" else value <= threshold)
    ]
    details = {"value": value, "direction": direction, "bands": bands}
    if not met:
        easiest = (min if direction == "at_least" else max)(t for t, _ in bands)
        sentence = (
            f"{fmt_number(value)} meets no band (the easiest needs {words} "
            f"{fmt_number(easiest)}) -> {fmt_score(0)}"
        )
        return ScoreResult(0.0, sentence, details)
    score, threshold = max(met)
    details["band"] = [threshold, score]
    sentence = f"{fmt_number(value)} is {words} {fmt_number(threshold)} -> {fmt_score(score)}"
    return ScoreResult(score, sentence, details)


def _choice_map_params(params: Mapping[str, Any]) -> dict[str, Any]:
    # PyYAML reads a bare `yes:` key as True, so boolean keys are taken as "yes"/"no".
    scores = {
        ({True: "yes", False: "no"}[k] if isinstance(k, bool) else str(k)): rubric_value(
            f"map score for {k!r}", v
        )
        for k, v in params["map"].items()
    }
    combine = params.get("combine", "sum")
    if combine not in ("sum", "max"):
        raise ValueError(f"choice_map combine must be sum or max, got {combine!r}")
    return {"map": scores, "combine": combine}


@register("choice_map", allowed=("combine",), required=("map",), parse=_choice_map_params)
def choice_map(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """Look the chosen option(s) up in ``map`` ({option: score}); yes/no answers use keys "yes"/"no".

    For several choices, ``combine`` is ``sum`` (capped at 4, the default) or ``max``. An option missing
    from the map scores 0.
    """
    scores, combine = params["map"], params["combine"]
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, str):
        score = scores.get(value, 0.0)
        note = "" if value in scores else " (not in the scoring map)"
        return ScoreResult(score, f"{value!r}{note} -> {fmt_score(score)}", {"choices": [value]})
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UnusableAnswer(f"expected an option or a list of options, got {value!r}")
    chosen = list(dict.fromkeys(value))
    if not chosen:
        return ScoreResult(0.0, f"no option chosen -> {fmt_score(0)}", {"choices": []})
    each = [scores.get(option, 0.0) for option in chosen]
    raw = math.fsum(each) if combine == "sum" else max(each)
    score = min(4.0, raw)
    listed = ", ".join(f"{o} ({fmt_number(s)})" for o, s in zip(chosen, each, strict=True))
    how = f"sum {fmt_number(raw)}" + (" capped at 4" if raw > 4 else "")
    if combine == "max":
        how = "best"
    return ScoreResult(
        score, f"{listed}: {how} -> {fmt_score(score)}", {"choices": chosen, "each": each}
    )


def _date_params(params: Mapping[str, Any]) -> dict[str, Any]:
    days = params.get("min_days_after_award", 0)
    if not isinstance(days, int) or isinstance(days, bool):
        raise ValueError(f"min_days_after_award must be a whole number of days, got {days!r}")
    return {**params, "min_days_after_award": days}


@register(
    "date_validity", allowed=("date_column", "min_days_after_award"), parse=_date_params
)
def date_validity(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """A date is valid when it falls on or after the award date (+ ``min_days_after_award``).

    Typical use: a certificate's expiry date must still be in force when the contract is awarded. A
    table (with ``date_column``) scores 4 · the fraction of valid rows. Without an award date the answer
    cannot be assessed and scores 0 with that explanation.
    """
    days = params["min_days_after_award"]
    if requirements.award_date is None:
        return ScoreResult(0.0, f"no award date set, so validity is not assessable -> {fmt_score(0)}")
    cutoff = requirements.award_date + datetime.timedelta(days=days)
    rule = f"on or after {cutoff.isoformat()}"
    if days:
        rule += f" (award date {requirements.award_date.isoformat()} + {days} days)"
    if isinstance(value, (str, datetime.date)):
        when = parse_date(value)
        if when is None:
            raise UnusableAnswer(f"{value!r} is not a YYYY-MM-DD date")
        valid = when >= cutoff
        score = 4.0 if valid else 0.0
        verdict = "valid" if valid else "not valid"
        return ScoreResult(
            score,
            f"{when.isoformat()} is {'' if valid else 'not '}{rule}: {verdict} -> {fmt_score(score)}",
            {"cutoff": cutoff.isoformat(), "valid": valid},
        )
    rows = table_rows(value)
    if "date_column" not in params:
        raise ValueError("date_validity on a table answer needs a 'date_column' param")
    if not rows:
        raise UnusableAnswer("the table lists no dates")
    invalid = []
    for index, row in enumerate(rows, start=1):
        raw = row.get(params["date_column"])
        when = parse_date(raw)
        if when is None:
            invalid.append(f"row {index} ({'missing' if raw in (None, '') else repr(raw)})")
        elif when < cutoff:
            invalid.append(f"row {index} ({when.isoformat()})")
    valid_count = len(rows) - len(invalid)
    fraction = valid_count / len(rows)
    score = 4.0 * fraction
    sentence = f"{valid_count} of {len(rows)} dates {rule}: {fmt_percent(fraction)}"
    if invalid:
        sentence += f"; not valid: {', '.join(invalid)}"
    return ScoreResult(
        score,
        f"{sentence} -> {fmt_score(score)}",
        {"cutoff": cutoff.isoformat(), "valid_rows": valid_count, "invalid": invalid},
    )
