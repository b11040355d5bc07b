"""The requirements profile from JSON, checked by the same rules as the web form."""

from __future__ import annotations

from typing import Any

import langcodes

from app.evaluations.requirements import (
    Choices,
    RequirementsError,
    Vocabulary,
    VocabularyError,
    demographic_targets,
)
from app.scoring.model import CURRENCIES, LocaleTarget, Requirements


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


def _demographics(targets: dict[str, dict[str, float]], words: Vocabulary, errors: dict[str, list[str]]) -> dict:
    result: dict[str, dict[str, float]] = {}
    for attribute, shares in targets.items():
        try:
            key, scaled = demographic_targets(attribute, shares, words)
        except VocabularyError as error:
            errors[f"demographics.{attribute}"] = [str(error)]
            continue
        if key in result:
            errors[f"demographics.{attribute}"] = [f"{words.attributes.options[key]} is given twice."]
            continue
        result[key] = scaled
    return result


def _choices(name: str, given: list[str], allowed: Choices, errors: dict[str, list[str]]) -> tuple[str, ...]:
    keys = []
    for index, typed in enumerate(given):
        try:
            keys.append(allowed.key(typed))
        except VocabularyError as error:
            errors[f"{name}.{index}"] = [str(error)]
    return tuple(dict.fromkeys(keys))


def requirements_from_json(data: dict[str, Any], *, modalities: list[str], words: Vocabulary) -> Requirements:
    """Build the profile from a validated request body or raise RequirementsError keyed by field path.

    Demographic attributes and categories, devices and environments may be given by key or by the
    label vendors see (case- and space-insensitive); they are stored by key.
    """
    errors: dict[str, list[str]] = {}
    locales = _locales(data["locales"], errors)
    demographics = _demographics(data["demographics"], words, errors)
    devices = _choices("devices", data["devices"], words.devices, errors)
    environments = _choices("environments", data["environments"], words.environments, errors)
    currency = data["currency"].strip().upper()
    if currency not in CURRENCIES:
        errors["currency"] = [f"'{data['currency']}' is not one of the ISO 4217 codes {', '.join(CURRENCIES)}."]
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
            currency=currency,
            must_have_share=data["must_have_share"],
        )
    except ValueError as error:
        raise RequirementsError({"_schema": [str(error)]}) from None
