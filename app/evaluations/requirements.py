"""The buyer's requirements profile: reading it from the form and showing it back.

Stored on the evaluation as the JSON form of ``app.scoring.model.Requirements``.
"""

from __future__ import annotations

import langcodes

from app import audit
from app.scoring.model import LocaleTarget, Requirements


class RequirementsError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(msg for msgs in errors.values() for msg in msgs))
        self.errors = errors


def parse_locales(text: str | None) -> tuple[tuple[LocaleTarget, ...], list[str]]:
    targets, errors, seen = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(",")]
        tag = parts[0]
        if not langcodes.tag_is_valid(tag):
            errors.append(f"Line {number}: '{tag}' is not a BCP 47 locale (e.g. en-GB, hi-IN).")
            continue
        tag = langcodes.standardize_tag(tag)
        if tag in seen:
            errors.append(f"Line {number}: {tag} is listed twice.")
            continue
        try:
            contributors = int(parts[1]) if len(parts) > 1 and parts[1] else 0
            hours = float(parts[2]) if len(parts) > 2 and parts[2] else None
        except ValueError:
            errors.append(f"Line {number}: contributors must be a whole number and hours a number.")
            continue
        if contributors < 0 or (hours is not None and hours < 0):
            errors.append(f"Line {number}: numbers cannot be negative.")
            continue
        seen.add(tag)
        targets.append(LocaleTarget(locale=tag, min_contributors=contributors, min_hours=hours))
    return tuple(targets), errors


def parse_demographics(text: str | None) -> tuple[dict[str, dict[str, float]], list[str]]:
    targets: dict[str, dict[str, float]] = {}
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        attribute, sep, rest = line.partition(":")
        attribute = attribute.strip().lower()
        if not sep or not attribute:
            errors.append(f"Line {number}: write 'attribute: category=share, ...'.")
            continue
        shares: dict[str, float] = {}
        for item in rest.split(","):
            category, eq, value = item.partition("=")
            try:
                shares[category.strip().lower()] = float(value)
            except ValueError:
                errors.append(f"Line {number}: '{item.strip()}' is not 'category=share'.")
                break
        else:
            total = sum(shares.values())
            if total <= 0 or any(v < 0 for v in shares.values()):
                errors.append(f"Line {number}: shares must be positive.")
            elif abs(total - 1) > 0.01 and abs(total - 100) > 0.5:
                errors.append(f"Line {number}: shares of {attribute} add up to {total:g}, not 1 or 100.")
            else:
                targets[attribute] = {k: v / total for k, v in shares.items()}
    return targets, errors


def requirement_choices(questionnaire) -> dict[str, dict[str, str]]:
    """Device and environment choices, taken from the questionnaire questions that score them.

    The buyer picks from the same list the vendors answer with, so the two always match.
    """
    choices: dict[str, dict[str, str]] = {"devices": {}, "environments": {}}
    for question in questionnaire.questions:
        params = question.scoring.params
        if question.scoring.auto == "required_fraction" and params.get("of") in choices and params.get("column"):
            column = question.column(params["column"])
            choices[params["of"]] = {option.key: option.label for option in column.options}
    return choices


def requirements_from_form(form, modalities: list[str]) -> Requirements:
    """Build the profile from the form or raise RequirementsError keyed by field name."""
    locales, locale_errors = parse_locales(form.locales.data)
    demographics, demographic_errors = parse_demographics(form.demographics.data)
    errors = {name: msgs for name, msgs in (("locales", locale_errors), ("demographics", demographic_errors)) if msgs}
    if errors:
        raise RequirementsError(errors)
    return Requirements(
        locales=locales,
        demographics=demographics,
        devices=tuple(form.devices.data or ()),
        environments=tuple(form.environments.data or ()),
        modalities=tuple(modalities),
        award_date=form.award_date.data,
        budget_per_unit=form.budget_per_unit.data,
        unit=form.unit.data,
    )


def form_data(requirements: Requirements) -> dict:
    """The profile written back into the form's text fields."""
    return {
        "locales": "\n".join(
            f"{t.locale}, {t.min_contributors}" + (f", {t.min_hours:g}" if t.min_hours is not None else "")
            for t in requirements.locales
        ),
        "demographics": "\n".join(
            f"{attribute}: " + ", ".join(f"{category}={share * 100:g}" for category, share in shares.items())
            for attribute, shares in requirements.demographics.items()
        ),
        "devices": list(requirements.devices),
        "environments": list(requirements.environments),
        "award_date": requirements.award_date,
        "budget_per_unit": requirements.budget_per_unit,
        "unit": requirements.unit,
    }


def set_requirements(evaluation, profile: Requirements, *, actor, source: str | None = None) -> None:
    """Store the buyer's requirements profile (web form, upload and API alike), audited."""
    evaluation.requirements = profile.to_dict()
    audit.record(
        "evaluation.requirements_changed",
        actor=actor,
        evaluation_id=evaluation.id,
        details=({"source": source} if source else {}) | evaluation.requirements,
    )
