"""The requirements profile from JSON, checked by the same rules as the web form."""

from __future__ import annotations

from typing import Any

import langcodes

from app.evaluations.requirements import RequirementsError
from app.scoring.model import LocaleTarget, Requirements


def _locales(entries: list[dict[str, Any]], errors: dict[str, list[str]]) -> tuple[LocaleTarget, ...]:
    targets, seen = [], set()
    for index, entry in enumerate(entries):
        tag = entry["locale"].strip()
        if not langcodes.tag_is_valid(tag):
            errors[f"locales.{index}.locale"] = [f"'{tag}' is not a BCP 47 locale (e.g. en-GB, hi-IN)."]
            continue
        tag = langcodes.standardize_tag(tag)
        if tag in seen:
            errors[f"locales.{index}.locale"] = [f"{tag} is listed twice."]
            continue
        seen.add(tag)
        targets.append(
            LocaleTarget(locale=tag, min_contributors=entry["min_contributors"], min_hours=entry["min_hours"])
        )
    return tuple(targets)


def _demographics(targets: dict[str, dict[str, float]], errors: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    result: dict[str, dict[str, float]] = {}
    for attribute, shares in targets.items():
        name = attribute.strip().lower()
        shares = {category.strip().lower(): share for category, share in shares.items()}
        total = sum(shares.values())
        if not name or not shares or total <= 0:
            errors[f"demographics.{attribute}"] = ["Give at least one category with a share above zero."]
        elif abs(total - 1) > 0.01 and abs(total - 100) > 0.5:
            errors[f"demographics.{attribute}"] = [f"Shares of {name} add up to {total:g}, not 1 or 100."]
        else:
            result[name] = {category: share / total for category, share in shares.items()}
    return result


def _choices(name: str, given: list[str], allowed: dict[str, str], errors: dict[str, list[str]]) -> tuple[str, ...]:
    for index, key in enumerate(given):
        if key not in allowed:
            errors[f"{name}.{index}"] = [
                f"'{key}' is not one of: {', '.join(allowed) or 'none for this questionnaire'}."
            ]
    return tuple(dict.fromkeys(given))


def requirements_from_json(
    data: dict[str, Any], *, modalities: list[str], choices: dict[str, dict[str, str]]
) -> Requirements:
    """Build the profile from a validated request body or raise RequirementsError keyed by field path."""
    errors: dict[str, list[str]] = {}
    locales = _locales(data["locales"], errors)
    demographics = _demographics(data["demographics"], errors)
    devices = _choices("devices", data["devices"], choices["devices"], errors)
    environments = _choices("environments", data["environments"], choices["environments"], errors)
    if errors:
        raise RequirementsError(errors)
    try:
        return Requirements(
            locales=locales,
            demographics=demographics,
            devices=devices,
            environments=environments,
            modalities=tuple(modalities),
            award_date=data["award_date"],
            budget_per_unit=data["budget_per_unit"],
            unit=data["unit"],
        )
    except ValueError as error:
        raise RequirementsError({"_schema": [str(error)]}) from None
