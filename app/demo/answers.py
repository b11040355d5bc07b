"""The demo's vendors, the answers they give and the buyer's requirements they are measured against (pure).

Answers are generated from the questionnaire itself (so the demo follows the questionnaire
as it evolves), deterministically from a seed, at three quality levels. Tests and the
benchmark data set use the same generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.questionnaires.model import Column, Question
from app.scoring.model import Requirements
from app.scoring.price import PRICE_QUESTION, SAME_UNIT, UNIT_QUESTION


@dataclass(frozen=True)
class VendorProfile:
    name: str
    quality: float  # 0..1: share of the requirement met, how good the practices are
    fails_must_have: bool = False
    # Price per unit in the evaluation's unit and currency (PRICE-01), as a multiple of the budget.
    price_to_budget: float = 1.0


# Against a budget of EUR 90 per accepted hour of speech: the best vendor asks a premium of about a
# quarter above the budget, the middle one bids under it, the one failing a must-have is the cheapest.
VENDOR_PROFILES = (
    VendorProfile("Polyglot Voices Ltd", 0.92, price_to_budget=1.25),
    VendorProfile("Crowdsource Audio Co", 0.62, price_to_budget=0.87),
    VendorProfile("QuickData Collect", 0.45, fails_must_have=True, price_to_budget=0.7),
)

_PLACES = {
    "en-US": ("eng", "US"),
    "en-GB": ("eng", "GB"),
    "hi-IN": ("hin", "IN"),
    "ja-JP": ("jpn", "JP"),
    "de-DE": ("deu", "DE"),
    "es-MX": ("spa", "MX"),
    "fr-FR": ("fra", "FR"),
    "ar-EG": ("arb", "EG"),
}


def _cell(column: Column, row: int, profile: VendorProfile, requirements: Requirements, rng: random.Random) -> str:
    locales = [t.locale for t in requirements.locales] or ["en-US", "de-DE"]
    locale = locales[row % len(locales)]
    kind = column.type
    if kind == "locale":
        return locale
    if kind == "language":
        return _PLACES.get(locale, ("eng", "US"))[0]
    if kind == "country":
        return _PLACES.get(locale, ("eng", "US"))[1]
    if kind in ("integer", "decimal"):
        target = next((t for t in requirements.locales if t.locale == locale), None)
        base = (
            target.min_hours
            if "hour" in column.id and target and target.min_hours
            else target.min_contributors
            if target
            else 100
        ) or 100
        value = base * (profile.quality + rng.uniform(-0.1, 0.25))
        if column.max is not None:
            value = min(value, column.max)
        if column.min is not None:
            value = max(value, column.min)
        return str(int(value)) if kind == "integer" else f"{value:.1f}"
    if kind == "percentage":
        return f"{min(100, max(0, 100 / 3 + rng.uniform(-5, 5))):.1f}"
    if kind == "date":
        return (date(2027, 6, 30) + timedelta(days=int(400 * profile.quality))).isoformat()
    if kind == "yes_no":
        return "yes" if rng.random() < profile.quality else "no"
    if kind == "choice":
        keys = column.option_keys
        return keys[min(len(keys) - 1, int((1 - profile.quality) * len(keys)))] if keys else ""
    return f"{column.label}: documented in our {('pilot report' if row else 'QA handbook')}."


def _ranked_options(question: Question) -> list[str]:
    """Option keys from best to worst by the question's own scoring map, when it has one."""
    keys = list(question.option_keys)
    mapping = question.scoring.params.get("map", {}) if question.scoring.auto == "choice_map" else {}
    return sorted(keys, key=lambda key: -float(mapping.get(key, 0))) if mapping else keys


def _pick(items: list, quality: float):
    return items[min(len(items) - 1, round((1 - quality) * (len(items) - 1)))]


def _band_value(question: Question, quality: float, rng: random.Random) -> str | None:
    bands = question.scoring.params.get("bands") if question.scoring.auto == "threshold_bands" else None
    if not bands:
        return None
    threshold = float(_pick([b[0] for b in bands], quality))
    value = threshold * (0.9 if question.scoring.params.get("direction") == "at_most" else 1.05)
    ceiling = question.max if question.max is not None else (100 if question.type == "percentage" else None)
    if ceiling is not None:
        value = min(value, ceiling)
    if question.integer:
        return str(int(value))
    return f"{value:.3g}" if value < 1 else str(round(value, 1))


def _concentration_value(question: Question, quality: float, requirements: Requirements) -> str | None:
    """The largest contributor's share (%) as a multiple of the even share 1/N, better with quality."""
    multiples = (
        question.scoring.params.get("multiples") if question.scoring.auto == "contributor_concentration" else None
    )
    people = sum(t.min_contributors for t in requirements.locales)
    if not multiples or not people:
        return None
    multiple = float(_pick([m[0] for m in multiples], quality)) * 0.9
    return f"{min(100.0, multiple * 100 / people):.3g}"


def _demographic_rows(
    question: Question, profile: VendorProfile, requirements: Requirements, rng: random.Random
) -> list[dict] | None:
    params = question.scoring.params if question.scoring.auto == "distribution_match" else None
    if not params or params.get("attribute") not in requirements.demographics:
        return None
    target = requirements.demographics[params["attribute"]]
    groups = [t.locale for t in requirements.locales] or [None]
    rows = []
    for group in groups:
        for category, share in target.items():
            skew = 1 + (1 - profile.quality) * rng.uniform(-0.9, 0.9)
            row = {c.id: _cell(c, len(rows), profile, requirements, rng) for c in question.columns}
            row[params["category_column"]] = category
            row[params["value_column"]] = str(max(1, round(400 * share * skew)))
            if params.get("group_column") and group:
                row[params["group_column"]] = group
            rows.append(row)
    return rows


def demo_answer(question: Question, profile: VendorProfile, requirements: Requirements, rng: random.Random) -> Any:
    """A raw answer (as a form would send it) for ``question`` at the vendor's quality level.

    Must-haves are met unless the profile is meant to fail them (then every ``equals``/``one_of``
    knock-out is missed), so the demo shows a vendor set apart from the ranking.
    """
    if question.id == PRICE_QUESTION and requirements.budget_per_unit:
        rng.uniform(0.1, 0.5)  # drawn as for any number, so the seeded answers after this one stay the same
        return f"{requirements.budget_per_unit * profile.price_to_budget:.2f}"
    if question.id == UNIT_QUESTION:
        # Every vendor prices in the evaluation's unit: a bid in another unit is refused at save.
        accepted = SAME_UNIT.get(requirements.unit, frozenset({requirements.unit}))
        return next((key for key in question.option_keys if key in accepted), None)
    rule = question.must_have
    if rule is not None and rule.kind in ("equals", "one_of"):
        wanted = list(rule.one_of) if rule.kind == "one_of" else [rule.equals]
        if question.type == "yes_no":
            meets = wanted[0] is True
            return ("yes" if meets else "no") if not profile.fails_must_have else ("no" if meets else "yes")
        if question.type in ("single_choice", "multi_choice"):
            ranked = _ranked_options(question)
            chosen = [k for k in ranked if (k in wanted) != profile.fails_must_have] or ranked
            return chosen[0] if question.type == "single_choice" else chosen[:1]
    kind = question.type
    if kind == "yes_no":
        return "yes" if rng.random() < 0.35 + profile.quality * 0.6 else "no"
    if kind == "single_choice":
        return _pick(_ranked_options(question), profile.quality)
    if kind == "multi_choice":
        keys = _ranked_options(question)
        return keys[: max(1, round(len(keys) * profile.quality))]
    if kind in ("number", "percentage"):
        banded = _band_value(question, profile.quality, rng) or _concentration_value(
            question, profile.quality, requirements
        )
        if banded is not None:
            return banded
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else (100 if kind == "percentage" else 1000)
        value = low + (high - low) * rng.uniform(0.1, 0.5)
        return str(int(value)) if question.integer or kind == "number" and value > 10 else f"{value:.1f}"
    if kind == "date":
        days = question.scoring.params.get("min_days_after_award", 0) if question.scoring.auto == "date_validity" else 0
        base = requirements.award_date or date(2026, 6, 1)
        return (base + timedelta(days=int(days) + int(300 * profile.quality) - 60)).isoformat()
    if kind == "text":
        return (
            f"{profile.name} follows a documented procedure for this: owner, steps, records kept per "
            f"project{', audited yearly by an external firm' if profile.quality > 0.8 else ''}."
        )
    if kind == "table":
        demographic = _demographic_rows(question, profile, requirements, rng)
        if demographic is not None:
            return demographic
        params = question.scoring.params if question.scoring.auto == "required_fraction" else {}
        if params.get("of") in ("devices", "environments") and params.get("column"):
            wanted = list(getattr(requirements, params["of"]))
            offered = wanted[: max(1, round(len(wanted) * profile.quality))] or list(
                question.column(params["column"]).option_keys[:2]
            )
            rows = []
            for item in offered:
                row = {c.id: _cell(c, len(rows), profile, requirements, rng) for c in question.columns}
                row[params["column"]] = item
                rows.append(row)
            return rows
        rows = max(question.min_rows, len(requirements.locales) or 2)
        if question.max_rows:
            rows = min(rows, question.max_rows)
        return [{c.id: _cell(c, r, profile, requirements, rng) for c in question.columns} for r in range(rows)]
    return None


def demo_requirements(award: date, *, unit: str = "hour", budget_per_unit: float = 90.0) -> Requirements:
    """The buyer's requirements of the demo, priced in EUR per ``unit`` against ``budget_per_unit``."""
    from app.scoring.model import LocaleTarget

    return Requirements(
        locales=(
            LocaleTarget("en-US", 200, 500.0),
            LocaleTarget("hi-IN", 150, 300.0),
            LocaleTarget("ja-JP", 120, 250.0),
            LocaleTarget("de-DE", 100, 200.0),
        ),
        demographics={
            "gender": {"female": 0.5, "male": 0.5},
            "age": {"18_24": 0.15, "25_34": 0.25, "35_44": 0.25, "45_54": 0.15, "55_64": 0.12, "65_plus": 0.08},
        },
        devices=("smartphone", "headset", "car_system"),
        environments=("quiet_indoor", "car", "street"),
        modalities=("speech", "text"),
        award_date=award,
        budget_per_unit=budget_per_unit,
        unit=unit,
        currency="EUR",
    )
