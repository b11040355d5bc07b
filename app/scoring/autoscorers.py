"""Auto-scorers: compare a vendor's structured answer with the buyer's requirements, on the 0..4 rubric.

Scorers are registered by name so a questionnaire can say ``scorer: coverage`` with ``params`` in YAML.
Each has the signature ``scorer(value, params, requirements) -> ScoreResult``. A scorer never raises for a
vendor's answer: an unanswered or unusable answer scores 0 and says why. It does raise ``ValueError`` for
bad ``params``, because that is a questionnaire author's mistake to catch before any vendor answers.

One rule for missing buyer data: a scorer that compares the answer with a buyer target (locales and
their volumes, a demographic mix, devices, an award date, the number of contributors) returns *not
scored* when that target is not set, with the reason in the buyer's words. The question is then left
out of its section's average. Explanations use the buyer's words and numbers, never internal keys.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, TypedDict

from app.scoring.answer_values import (
    UnusableAnswer,
    column_sums,
    fmt_number,
    fmt_option,
    fmt_percent,
    fmt_small_percent,
    is_number,
    item_key,
    locale_key,
    parse_date,
    table_rows,
    with_score,
)
from app.scoring.model import Requirements, ScoreResult
from app.scoring.scorer_registry import (
    REQUIREMENT_CHECKS,
    SCORERS,
    Scorer,
    get_scorer,
    register,
    rubric_value,
    validate_params,
)

__all__ = [
    "REQUIREMENT_CHECKS",
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
    "reviewed_since_change",
    "contributor_concentration",
]

REQUIRED_ITEM_KINDS = ("locales", "devices", "environments", "modalities")
# The buyer's volume targets per locale and the words for their unit.
VOLUMES = {"min_contributors": "contributors", "min_hours": "hours"}
DEFAULT_UNDISCLOSED = ("undisclosed",)


class Shortfall(TypedDict):
    """A required item the vendor offers, but below the share of its target volume (``required_fraction``)."""

    item: str
    offered: float
    required: float
    needed: float


class GroupMatch(TypedDict):
    """One locale's mix compared with the target (``distribution_match``)."""

    group: str
    distance: float
    score: float
    undisclosed: float
    given: bool


def _share_words(share: float) -> str:
    return "half" if share == 0.5 else "all" if share == 1 else fmt_percent(share)


# --- coverage -----------------------------------------------------------------------------------


def _coverage_params(params: Mapping[str, Any]) -> dict[str, Any]:
    target = params.get("target", "min_contributors")
    if target not in VOLUMES:
        raise ValueError(f"coverage target must be min_contributors or min_hours, got {target!r}")
    count_column = params.get("count_column", "contributors")
    hours_column = params.get("hours_column")
    if hours_column is not None and target == "min_hours":
        raise ValueError(
            "coverage hours_column adds hours to a contributor count; with target min_hours the "
            "count_column already holds the hours"
        )
    columns = {target: count_column}
    if hours_column is not None:
        columns["min_hours"] = hours_column
    return {
        "target": target,
        "locale_column": params.get("locale_column", "locale"),
        "count_column": count_column,
        "hours_column": hours_column,
        "columns": columns,
    }


def _coverage_needs(params: Mapping[str, Any], requirements: Requirements) -> str | None:
    if not requirements.locales:
        return "the buyer listed no required locales"
    if any(getattr(t, volume) for t in requirements.locales for volume in params["columns"]):
        return None
    units = " or ".join("contributor" if volume == "min_contributors" else "hours" for volume in params["columns"])
    return f"the buyer set no {units} target for any required locale"


@register(
    "coverage",
    version=1,
    title="coverage of the required locales",
    allowed=("locale_column", "count_column", "target", "hours_column"),
    parse=_coverage_params,
    needs=_coverage_needs,
)
def coverage(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """4 · the weakest required locale's share of its required volume (minimum across locales).

    Per required (mandatory) locale, each volume the buyer set is compared: committed ÷ required,
    capped at 1, for contributors (``count_column`` with ``target: min_contributors``) and, with
    ``hours_column``, for hours. The locale's share is the lower of the two, and the score is 4 × the
    lowest locale share: the minimum, not the mean, so one uncovered mandatory locale cannot hide
    behind the others (it scores 0 however well the others are covered). Rows with the same locale are
    summed; locales match case-insensitively with ``_`` read as ``-``. A locale without any target is
    listed and left out; with no target anywhere the question is not scored.
    """
    rows = table_rows(value)
    offered = {
        volume: column_sums(rows, params["locale_column"], column, locale_key)[0]
        for volume, column in params["columns"].items()
    }
    per_locale: list[dict[str, Any]] = []
    skipped: list[str] = []
    for locale_target in requirements.locales:
        measures = []
        for volume in params["columns"]:
            needed = getattr(locale_target, volume)
            if not needed:
                continue
            got = offered[volume].get(locale_key(locale_target.locale), 0.0)
            measures.append(
                {"unit": VOLUMES[volume], "offered": got, "required": float(needed), "ratio": min(1.0, got / needed)}
            )
        if not measures:
            skipped.append(locale_target.locale)
            continue
        weakest = min(measures, key=lambda m: m["ratio"])
        per_locale.append({"locale": locale_target.locale, **weakest, "measures": {m["unit"]: m for m in measures}})
    ratio = min(item["ratio"] for item in per_locale)
    score = 4.0 * ratio

    def described(item: dict[str, Any]) -> str:
        measures = " and ".join(
            f"{fmt_number(m['offered'])} of {fmt_number(m['required'])} {m['unit']}" for m in item["measures"].values()
        )
        return f"{item['locale']} {measures} ({fmt_percent(item['ratio'])})"

    lowest = min(per_locale, key=lambda item: item["ratio"])
    met = [item["locale"] for item in per_locale if item["ratio"] >= 1]
    short = [described(item) for item in per_locale if item["ratio"] < 1]
    if ratio >= 1:
        lead = f"Every required locale reaches its required volume: {', '.join(met)}"
    else:
        lead = (
            f"The weakest required locale sets the score (the minimum over locales): "
            f"{lowest['locale']} has {fmt_number(lowest['offered'])} of "
            f"{fmt_number(lowest['required'])} committed {lowest['unit']}. "
            f"Short: {'; '.join(short)}"
        )
        if met:
            lead += f". Met in full: {', '.join(met)}"
    if skipped:
        lead += f". No volume target set, so left out: {', '.join(skipped)}"
    details: dict[str, Any] = {
        "per_locale": per_locale,
        "skipped": skipped,
        "ratio": ratio,
        "weakest_locale": lowest["locale"],
        "combined_by": "minimum",
    }
    return ScoreResult(score, with_score(lead, score), details)


# --- required_fraction --------------------------------------------------------------------------


def _required_fraction_params(params: Mapping[str, Any]) -> dict[str, Any]:
    if params["of"] not in REQUIRED_ITEM_KINDS:
        raise ValueError(f"required_fraction 'of' must be one of {REQUIRED_ITEM_KINDS}, got {params['of']!r}")
    volume = params.get("volume")
    if volume is not None:
        if volume not in VOLUMES.values():
            raise ValueError(f"required_fraction volume must be contributors or hours, got {volume!r}")
        if params["of"] != "locales" or not params.get("count_column"):
            raise ValueError("required_fraction volume needs of: locales and a count_column")
    return dict(params)


def _required_fraction_needs(params: Mapping[str, Any], requirements: Requirements) -> str | None:
    kind = params["of"]
    wanted = requirements.locales if kind == "locales" else getattr(requirements, kind)
    return None if wanted else f"the buyer listed no required {kind}"


@register(
    "required_fraction",
    version=1,
    title="share of the requirement met",
    allowed=("column", "count_column", "volume"),
    required=("of",),
    parse=_required_fraction_params,
    needs=_required_fraction_needs,
)
def required_fraction(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """4 · the share of the required locales, devices, environments or modalities the vendor offers.

    The answer is either a list of strings (multi-choice) or a table, where ``column`` names the item and,
    if ``count_column`` is given, an item counts as present only when its summed count is above 0. With
    ``volume`` (``contributors`` or ``hours``, for locales) a locale counts only when its count reaches
    the buyer's ``must_have_share`` (default half) of the volume required there; a locale without such a
    target counts when any is offered. ``details["missing"]`` lists what is absent or short, which
    must-have rules use (``min_score: 4``: every required item must count).
    """
    kind = params["of"]
    key = locale_key if kind == "locales" else item_key
    targets: dict[str, float] = {}
    if kind == "locales":
        wanted = [t.locale for t in requirements.locales]
        if params.get("volume"):
            attribute = "min_contributors" if params["volume"] == "contributors" else "min_hours"
            targets = {locale_key(t.locale): float(getattr(t, attribute) or 0) for t in requirements.locales}
    else:
        wanted = list(getattr(requirements, kind))
    required: list[tuple[str, str]] = []
    for item in wanted:
        if key(item) not in {norm for norm, _ in required}:
            required.append((key(item), item))
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        sums = {key(item): 1.0 for item in value if item.strip()}
    else:
        rows = table_rows(value)
        if "column" not in params:
            raise ValueError("required_fraction on a table answer needs a 'column' param")
        sums, _ = column_sums(rows, params["column"], params.get("count_column"), key)
    share = requirements.must_have_share
    found: list[str] = []
    missing: list[str] = []
    short: list[Shortfall] = []
    for norm, name in required:
        got = sums.get(norm, 0.0)
        needed = share * targets.get(norm, 0.0)
        if got > 0 and got >= needed:
            found.append(name)
        else:
            missing.append(name)
            if targets.get(norm):
                short.append({"item": name, "offered": got, "required": targets[norm], "needed": needed})
    details = {
        "required": [name for _, name in required],
        "present": found,
        "missing": missing,
        "short": short,
    }
    fraction = len(found) / len(required)
    score = 4.0 * fraction
    noun = kind if len(required) != 1 else kind[:-1]
    if params.get("volume"):
        unit = params["volume"]
        sentence = f"{len(found)} of {len(required)} required {noun} reach {_share_words(share)} their required {unit}"
        gaps = [f"{s['item']} has {fmt_number(s['offered'])} of {fmt_number(s['required'])} {unit}" for s in short]
        gaps += [f"{name} has none" for name in missing if name not in {s["item"] for s in short}]
        if gaps:
            sentence += "; " + ", ".join(gaps)
    else:
        sentence = f"{len(found)} of {len(required)} required {noun} offered ({fmt_percent(fraction)})"
        if missing:
            sentence += f"; missing: {', '.join(fmt_option(m) for m in missing)}"
    return ScoreResult(score, with_score(sentence, score), details)


# --- distribution_match -------------------------------------------------------------------------


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
        f"{fmt_option(labels[c])} {fmt_percent(offered.get(c, 0.0))} (target {fmt_percent(wanted.get(c, 0.0))})"
        for c in ordered
    )
    return min(1.0, distance), phrase


def _distribution_params(params: Mapping[str, Any]) -> dict[str, Any]:
    undisclosed = params.get("undisclosed", DEFAULT_UNDISCLOSED)
    if isinstance(undisclosed, str) or not all(isinstance(u, str) for u in undisclosed):
        raise ValueError(f"distribution_match undisclosed must be a list of categories, got {undisclosed!r}")
    return {**params, "undisclosed": tuple(undisclosed)}


def _distribution_needs(params: Mapping[str, Any], requirements: Requirements) -> str | None:
    target = requirements.demographics.get(params["attribute"]) or {}
    if math.fsum(target.values()) > 0:
        return None
    return f"the buyer set no target {fmt_option(params['attribute'])} mix"


@register(
    "distribution_match",
    version=1,
    title="match with the target mix",
    allowed=("group_column", "undisclosed"),
    required=("attribute", "category_column", "value_column"),
    parse=_distribution_params,
    needs=_distribution_needs,
)
def distribution_match(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """4 · (1 − total variation distance) between the vendor's mix and the buyer's target mix.

    ``value_column`` may hold counts or shares: both are normalised to shares. A category present on one
    side only counts as 0 on the other. With ``group_column`` (a locale column) each required locale's
    mix is compared with the target and the scores are averaged over every required locale: a locale
    the vendor leaves out counts as complete mismatch (0). Categories listed in ``undisclosed``
    (default ``undisclosed``) are reported apart and left out of the shares, so a contributor who
    chose not to say is not counted as a mismatch; a locale with no disclosed counts scores 0.
    """
    attribute = params["attribute"]
    words = fmt_option(attribute)
    target = requirements.demographics[attribute]
    undisclosed = {item_key(u) for u in params["undisclosed"]} - {item_key(c) for c in target}
    rows = table_rows(value)
    group_column = params.get("group_column")
    grouped: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in rows:
        group = row.get(group_column) if group_column else ""
        label = group.strip() if isinstance(group, str) and group.strip() else "(no locale)"
        norm = locale_key(label) if group_column else ""
        grouped[norm].append(row)
        names.setdefault(norm, label)
    if group_column and requirements.locales:
        groups = list(dict.fromkeys(locale_key(t.locale) for t in requirements.locales))
        names.update({locale_key(t.locale): t.locale for t in requirements.locales})
    else:
        groups = list(grouped)
    if not groups:
        raise UnusableAnswer(f"the table gives no {words} mix")
    per_group: list[GroupMatch] = []
    parts: list[str] = []
    for group in groups:
        counts, labels = column_sums(
            grouped.get(group, []), params["category_column"], params["value_column"], item_key
        )
        hidden = math.fsum(v for k, v in counts.items() if k in undisclosed)
        disclosed = {k: v for k, v in counts.items() if k not in undisclosed}
        prefix = f"{names[group]}: " if group_column else ""
        if group not in grouped:
            distance, phrase = 1.0, "not given, counts as complete mismatch"
        elif math.fsum(disclosed.values()) <= 0:
            distance, phrase = 1.0, "no disclosed counts"
        else:
            distance, phrase = _mix_distance(disclosed, labels, target)
        total = hidden + math.fsum(disclosed.values())
        if hidden > 0:
            phrase += f"; {fmt_number(hidden)} undisclosed ({fmt_percent(hidden / total)}, left out of the shares)"
        group_score = 4.0 * (1.0 - distance)
        per_group.append(
            {
                "group": names[group],
                "distance": distance,
                "score": group_score,
                "undisclosed": hidden,
                "given": group in grouped,
            }
        )
        parts.append(f"{prefix}{phrase}, match {fmt_percent(1 - distance)}")
    score = math.fsum(g["score"] for g in per_group) / len(per_group)
    if group_column and len(per_group) > 1:
        lead = f"{words.capitalize()} mix against the target, per required locale: "
        tail = f". Average match {fmt_percent(score / 4)}"
    else:
        lead = f"{words.capitalize()} mix against the target: "
        tail = ""
    sentence = f"{lead}{'; '.join(parts)}{tail}"
    return ScoreResult(
        score,
        with_score(sentence, score),
        {"attribute": attribute, "per_group": per_group, "undisclosed": math.fsum(g["undisclosed"] for g in per_group)},
    )


# --- threshold_bands ----------------------------------------------------------------------------


def _bands(params: Mapping[str, Any], key: str) -> list[tuple[float, float]]:
    bands = []
    for band in params[key]:
        if len(band) != 2 or not is_number(band[0]):
            raise ValueError(f"each band must be [threshold, score], got {band!r}")
        bands.append((float(band[0]), rubric_value("band score", band[1])))
    if not bands:
        raise ValueError(f"{key} needs at least one band")
    return bands


def _threshold_params(params: Mapping[str, Any]) -> dict[str, Any]:
    direction = params["direction"]
    if direction not in ("at_least", "at_most"):
        raise ValueError(f"threshold_bands direction must be at_least or at_most, got {direction!r}")
    return {"direction": direction, "bands": _bands(params, "bands")}


@register(
    "threshold_bands",
    version=1,
    title="bands on the number given",
    required=("direction", "bands"),
    parse=_threshold_params,
)
def threshold_bands(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """Score a number by bands: the best band whose threshold the value meets gives the score, else 0.

    ``direction`` is ``at_least`` (higher is better) or ``at_most``; ``bands`` is a list of
    ``[threshold, score]`` pairs.
    """
    direction, bands = params["direction"], params["bands"]
    if not is_number(value):
        raise UnusableAnswer("the answer is not a number")
    words = direction.replace("_", " ")
    met = [
        (score, threshold)
        for threshold, score in bands
        if (value >= threshold if direction == "at_least" else value <= threshold)
    ]
    details = {"value": value, "direction": direction, "bands": bands}
    if not met:
        easiest = (min if direction == "at_least" else max)(t for t, _ in bands)
        sentence = f"{fmt_number(value)} meets no band (the easiest needs {words} {fmt_number(easiest)})"
        return ScoreResult(0.0, with_score(sentence, 0), details)
    score, threshold = max(met)
    details["band"] = [threshold, score]
    return ScoreResult(score, with_score(f"{fmt_number(value)} is {words} {fmt_number(threshold)}", score), details)


# --- choice_map ---------------------------------------------------------------------------------


def _choice_map_params(params: Mapping[str, Any]) -> dict[str, Any]:
    # PyYAML reads a bare `yes:` key as True, so boolean keys are taken as "yes"/"no".
    scores = {
        ({True: "yes", False: "no"}[k] if isinstance(k, bool) else str(k)): rubric_value(f"map score for {k!r}", v)
        for k, v in params["map"].items()
    }
    combine = params.get("combine", "sum")
    if combine not in ("sum", "max"):
        raise ValueError(f"choice_map combine must be sum or max, got {combine!r}")
    return {"map": scores, "combine": combine}


@register(
    "choice_map",
    version=1,
    title="points for the options chosen",
    allowed=("combine",),
    required=("map",),
    parse=_choice_map_params,
)
def choice_map(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """Points for the option(s) chosen, from ``map`` ({option: score}); yes/no answers use "yes"/"no".

    For several choices, ``combine`` is ``sum`` (capped at 4, the default) or ``max``. An option missing
    from the map scores 0.
    """
    scores, combine = params["map"], params["combine"]
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, str):
        score = scores.get(value, 0.0)
        note = "" if value in scores else " (an option the scoring does not list)"
        return ScoreResult(score, with_score(f"Answer: {fmt_option(value)}{note}", score), {"choices": [value]})
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UnusableAnswer("the answer is neither an option nor a list of options")
    chosen = list(dict.fromkeys(value))
    if not chosen:
        return ScoreResult(0.0, with_score("No option chosen", 0), {"choices": []})
    each = [scores.get(option, 0.0) for option in chosen]
    raw = math.fsum(each) if combine == "sum" else max(each)
    score = min(4.0, raw)
    listed = ", ".join(f"{fmt_option(o)} ({fmt_number(s)})" for o, s in zip(chosen, each, strict=True))
    how = f"points add up to {fmt_number(raw)}" + (", capped at 4" if raw > 4 else "")
    if combine == "max":
        how = "the best one counts"
    return ScoreResult(score, with_score(f"Chosen: {listed}; {how}", score), {"choices": chosen, "each": each})


# --- date_validity ------------------------------------------------------------------------------


def _date_params(params: Mapping[str, Any]) -> dict[str, Any]:
    days = params.get("min_days_after_award", 0)
    if not isinstance(days, int) or isinstance(days, bool):
        raise ValueError(f"min_days_after_award must be a whole number of days, got {days!r}")
    category_scores = params.get("category_scores")
    if (category_scores is None) != ("category_column" not in params):
        raise ValueError("date_validity category_column and category_scores go together")
    parsed = {**params, "min_days_after_award": days}
    if category_scores is not None:
        parsed["category_scores"] = {
            str(k): rubric_value(f"category score for {k!r}", v) for k, v in category_scores.items()
        }
    return parsed


def _date_needs(params: Mapping[str, Any], requirements: Requirements) -> str | None:
    return None if requirements.award_date else "the buyer set no award date"


def _cutoff_rule(award: datetime.date, days: int) -> tuple[datetime.date, str]:
    cutoff = award + datetime.timedelta(days=days)
    if days > 0:
        rule = f"{cutoff.isoformat()} ({days} days after the award date {award.isoformat()})"
    elif days < 0:
        rule = f"{cutoff.isoformat()} ({-days} days before the award date {award.isoformat()})"
    else:
        rule = f"{cutoff.isoformat()} (the award date)"
    return cutoff, rule


@register(
    "date_validity",
    version=1,
    title="validity on the award date",
    allowed=("date_column", "min_days_after_award", "category_column", "category_scores"),
    parse=_date_params,
    needs=_date_needs,
)
def date_validity(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """A date counts when it falls on or after the award date (+ ``min_days_after_award``).

    Typical use: a certificate's expiry date must still be in force when the contract is awarded. A
    table (with ``date_column``) scores its best valid row: 4, or with ``category_column`` and
    ``category_scores`` ({category: score}) the score of the best valid row's category (a category
    not listed scores 0). Listing an extra certificate, expired or not, therefore never lowers the
    score. Without an award date the question is not scored.
    """
    award = requirements.award_date
    assert award is not None  # the requirement check has made sure of it
    cutoff, rule = _cutoff_rule(award, params["min_days_after_award"])
    if isinstance(value, (str, datetime.date)):
        when = parse_date(value)
        if when is None:
            raise UnusableAnswer("the answer is not a date (YYYY-MM-DD)")
        valid = when >= cutoff
        score = 4.0 if valid else 0.0
        sentence = (
            f"{when.isoformat()} is on or after {rule}: valid"
            if valid
            else f"{when.isoformat()} is before {rule}: not valid"
        )
        return ScoreResult(score, with_score(sentence, score), {"cutoff": cutoff.isoformat(), "valid": valid})
    rows = table_rows(value)
    if "date_column" not in params:
        raise ValueError("date_validity on a table answer needs a 'date_column' param")
    if not rows:
        raise UnusableAnswer("the table lists no dates")
    category_column = params.get("category_column")
    category_scores = params.get("category_scores")
    valid_rows, invalid = [], []
    for index, row in enumerate(rows, start=1):
        category = row.get(category_column) if category_column else None
        name = fmt_option(category) if isinstance(category, str) and category.strip() else f"row {index}"
        raw = row.get(params["date_column"])
        when = parse_date(raw)
        if when is None:
            invalid.append(f"{name} (no readable date)")
        elif when < cutoff:
            invalid.append(f"{name} (until {when.isoformat()})")
        else:
            worth = 4.0 if category_scores is None else category_scores.get(str(category), 0.0)
            valid_rows.append((worth, name, when))
    if valid_rows:
        score, name, when = max(valid_rows, key=lambda item: item[0])
        sentence = f"Best valid on {rule}: {name}, until {when.isoformat()}"
        if category_scores is not None:
            sentence += f" (worth {fmt_number(score)})"
    else:
        score, sentence = 0.0, f"No entry is valid on {rule}"
    if invalid:
        sentence += f"; not valid then: {', '.join(invalid)}"
    return ScoreResult(
        score,
        with_score(sentence, score),
        {"cutoff": cutoff.isoformat(), "valid_rows": len(valid_rows), "invalid": invalid},
    )


# --- reviewed_since_change ----------------------------------------------------------------------


@register(
    "reviewed_since_change",
    version=1,
    title="assessment kept up to date",
    required=("reviewed_column", "changed_column"),
)
def reviewed_since_change(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """4 · the share of rows whose review date is on or after the date the processing last changed.

    For a data protection impact assessment (GDPR Art. 35): what matters is whether it was reviewed
    since the processing last changed, not its age on a fixed clock. Each row names a processing
    activity with ``reviewed_column`` (last completed or reviewed) and ``changed_column`` (last
    material change); a row with a missing date is not current.
    """
    rows = table_rows(value)
    if not rows:
        raise UnusableAnswer("the table lists no assessment")
    current, stale = 0, []
    phrases = []
    for index, row in enumerate(rows, start=1):
        reviewed = parse_date(row.get(params["reviewed_column"]))
        changed = parse_date(row.get(params["changed_column"]))
        label = "" if len(rows) == 1 else f"row {index}: "
        if reviewed is None or changed is None:
            missing = "review date" if reviewed is None else "date of the last change"
            stale.append(index)
            phrases.append(f"{label}no {missing} given, so not shown to be current")
        elif reviewed >= changed:
            current += 1
            phrases.append(
                f"{label}reviewed on {reviewed.isoformat()}, on or after the last change to the "
                f"processing on {changed.isoformat()}: current"
            )
        else:
            stale.append(index)
            phrases.append(
                f"{label}reviewed on {reviewed.isoformat()}, before the processing last changed on "
                f"{changed.isoformat()}: out of date"
            )
    score = 4.0 * current / len(rows)
    sentence = "The assessment was " + "; ".join(phrases) if len(rows) == 1 else "; ".join(phrases)
    return ScoreResult(score, with_score(sentence, score), {"current": current, "stale_rows": stale})


# --- contributor_concentration ------------------------------------------------------------------


def _concentration_params(params: Mapping[str, Any]) -> dict[str, Any]:
    bands = _bands(params, "multiples")
    if any(threshold < 1 for threshold, _ in bands):
        raise ValueError("contributor_concentration multiples are times the even share, so 1 or more")
    return {"multiples": bands}


def _concentration_needs(params: Mapping[str, Any], requirements: Requirements) -> str | None:
    if sum(t.min_contributors for t in requirements.locales) > 0:
        return None
    return "the buyer set no number of contributors, so the even share per contributor (1 of N) is unknown"


@register(
    "contributor_concentration",
    version=1,
    title="spread of the work over contributors",
    required=("multiples",),
    parse=_concentration_params,
    needs=_concentration_needs,
)
def contributor_concentration(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
    """Score the largest single contributor's share against the even share 1/N.

    N is the number of contributors the buyer requires (summed over the locales): N contributors who
    deliver the same amount hold 1/N each, so the answer (a percentage) is divided by 100/N. The
    ``multiples`` bands ``[[times the even share, score], ...]`` give the score of the best band met,
    else 0. A fixed share band would be too strict for a small project and too lax for a large one.
    """
    if not is_number(value) or not 0 <= value <= 100:
        raise UnusableAnswer("the answer is not a percentage from 0 to 100")
    people = sum(t.min_contributors for t in requirements.locales)
    even = 100.0 / people
    multiple = value / even
    met = [(score, threshold) for threshold, score in params["multiples"] if multiple <= threshold]
    sentence = (
        f"The largest contributor delivered {fmt_small_percent(value)} of the data. With the "
        f"{people} contributors required, an even share is {fmt_small_percent(even)}, so this is "
        f"{fmt_number(round(multiple, 1))} times the even share"
    )
    details = {"value": value, "contributors": people, "even_share": even, "multiple": multiple}
    if not met:
        loosest = max(threshold for threshold, _ in params["multiples"])
        sentence += f" (more than {fmt_number(loosest)} times scores 0)"
        return ScoreResult(0.0, with_score(sentence, 0), details)
    score, threshold = max(met)
    sentence += f" (at most {fmt_number(threshold)} times scores {fmt_number(score)})"
    return ScoreResult(score, with_score(sentence, score), details)
