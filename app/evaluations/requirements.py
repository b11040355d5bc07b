"""The buyer's requirements profile: reading it from the form and showing it back.

Stored on the evaluation as the JSON form of ``app.scoring.model.Requirements``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import langcodes

from app import audit
from app.scoring.autoscorers import DEFAULT_UNDISCLOSED, REQUIREMENT_CHECKS, validate_params
from app.scoring.model import DEFAULT_MUST_HAVE_SHARE, LocaleTarget, Requirements


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


def comparable(text: str) -> str:
    """The form in which a typed key or label is compared: case, spaces and underscores do not count."""
    return " ".join(str(text).replace("_", " ").casefold().split())


class VocabularyError(ValueError):
    """A typed attribute, category, device or environment the questionnaire does not define."""


@dataclass(frozen=True)
class Choices:
    """One list a buyer picks from (keys as stored, labels as vendors see them), read by key or label."""

    words: str
    options: Mapping[str, str]

    def key(self, typed: str) -> str:
        """The key for ``typed`` (a key or a label, case- and space-insensitive), or ``VocabularyError``
        listing the valid choices by label."""
        wanted = comparable(typed)
        for key in self.options:
            if comparable(key) == wanted:
                return key
        for key, label in self.options.items():
            if comparable(label) == wanted:
                return key
        valid = ", ".join(self.options.values()) or "none in this questionnaire"
        raise VocabularyError(f"'{str(typed).strip()}' is not one of the {self.words}: {valid}.")


@dataclass(frozen=True)
class Vocabulary:
    """Every category a requirement may name, taken from the questionnaire questions that score it.

    ``demographics`` maps an attribute key (the ``attribute`` a ``distribution_match`` question scores)
    to its categories; ``attributes`` lists the attributes themselves with the vendor-facing column
    label ("Age band"). The buyer picks from the same lists the vendors answer with, so the two match.
    """

    attributes: Choices
    demographics: Mapping[str, Choices]
    devices: Choices
    environments: Choices

    def demographic_shares(self, attribute: str, shares: Mapping[str, float]) -> tuple[str, dict[str, float]]:
        """An attribute and its shares per category, read by key or label and returned by key."""
        key = self.attributes.key(attribute)
        categories = self.demographics[key]
        result: dict[str, float] = {}
        for category, share in shares.items():
            category_key = categories.key(category)
            if category_key in result:
                raise VocabularyError(f"{categories.options[category_key]} is given twice.")
            result[category_key] = share
        return key, result


def vocabulary(questionnaire) -> Vocabulary:
    """The categories the questionnaire defines for demographic, device and environment targets.

    Categories a demographic scorer reports apart as undisclosed are not targets, so they are left out.
    """
    choices = requirement_choices(questionnaire)
    attributes: dict[str, str] = {}
    demographics: dict[str, dict[str, str]] = {}
    for question in questionnaire.questions:
        params = question.scoring.params
        if question.scoring.auto != "distribution_match":
            continue
        column = question.column(params["category_column"])
        hidden = {comparable(u) for u in params.get("undisclosed", DEFAULT_UNDISCLOSED)}
        attributes.setdefault(params["attribute"], column.label)
        options = demographics.setdefault(params["attribute"], {})
        for option in column.options:
            if comparable(option.key) not in hidden:
                options.setdefault(option.key, option.label)
    return Vocabulary(
        attributes=Choices("demographic attributes", attributes),
        demographics={key: Choices(f"{attributes[key]} categories", options) for key, options in demographics.items()},
        devices=Choices("device classes", choices["devices"]),
        environments=Choices("capture environments", choices["environments"]),
    )


def _normalised_shares(label: str, shares: Mapping[str, float]) -> dict[str, float] | str:
    """Shares scaled to sum to 1, or the reason they cannot be (they must add up to 1 or 100)."""
    total = sum(shares.values())
    if not shares or total <= 0 or any(v < 0 for v in shares.values()):
        return f"Give the {label} shares as numbers above zero."
    if abs(total - 1) > 0.01 and abs(total - 100) > 0.5:
        return f"Shares of {label} add up to {total:g}, not 1 or 100."
    return {k: v / total for k, v in shares.items()}


def demographic_targets(attribute: str, shares: Mapping[str, float], words: Vocabulary) -> tuple[str, dict[str, float]]:
    """One attribute's target as typed (keys or labels; shares of 1 or of 100), as stored: keys and
    shares of 1. ``VocabularyError`` says what is wrong, naming the valid choices."""
    key, by_key = words.demographic_shares(attribute, shares)
    scaled = _normalised_shares(words.attributes.options[key], by_key)
    if isinstance(scaled, str):
        raise VocabularyError(scaled)
    return key, scaled


def parse_demographics(text: str | None, words: Vocabulary) -> tuple[dict[str, dict[str, float]], list[str]]:
    """The demographic box: one ``attribute: category=share, ...`` per line, keys or labels."""
    targets: dict[str, dict[str, float]] = {}
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        attribute, sep, rest = line.partition(":")
        if not sep or not attribute.strip():
            errors.append(f"Line {number}: write 'attribute: category=share, ...'.")
            continue
        shares: dict[str, float] = {}
        for item in rest.split(","):
            category, _, value = item.partition("=")
            try:
                shares[category] = float(value)
            except ValueError:
                errors.append(f"Line {number}: '{item.strip()}' is not 'category=share'.")
                break
        else:
            try:
                key, scaled = demographic_targets(attribute, shares, words)
            except VocabularyError as error:
                errors.append(f"Line {number}: {error}")
                continue
            if key in targets:
                errors.append(f"Line {number}: {words.attributes.options[key]} is given twice.")
                continue
            targets[key] = scaled
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


@dataclass(frozen=True)
class UnscoredQuestion:
    """A scored question the requirements leave unscored, and the reason in the buyer's words."""

    question_id: str
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.question_id} ({self.text.strip()}) will not be scored: {self.reason}."


def unscored_questions(questionnaire, modalities, profile: Requirements) -> list[UnscoredQuestion]:
    """The questions this evaluation scores automatically whose scorer needs a target ``profile`` does not set.

    Each scorer says itself which target it needs (``REQUIREMENT_CHECKS``), so the list follows the
    questionnaire: no question is named here.
    """
    unscored = []
    for section in questionnaire.sections:
        if section.visible_if is not None and not section.visible_if.modality_ok(modalities):
            continue
        for question in section.questions:
            name = question.scoring.auto
            if name not in REQUIREMENT_CHECKS or (question.weight <= 0 and question.must_have is None):
                continue
            if question.visible_if is not None and not question.visible_if.modality_ok(modalities):
                continue
            reason = REQUIREMENT_CHECKS[name](validate_params(name, question.scoring.params), profile)
            if reason is not None:
                unscored.append(UnscoredQuestion(question.id, question.text, reason))
    return unscored


def requirements_from_form(form, modalities: list[str], words: Vocabulary) -> Requirements:
    """Build the profile from the form or raise RequirementsError keyed by field name."""
    locales, locale_errors = parse_locales(form.locales.data)
    demographics, demographic_errors = parse_demographics(form.demographics.data, words)
    errors = {name: msgs for name, msgs in (("locales", locale_errors), ("demographics", demographic_errors)) if msgs}
    if errors:
        raise RequirementsError(errors)
    share = form.must_have_share.data
    return Requirements(
        locales=locales,
        demographics=demographics,
        devices=tuple(form.devices.data or ()),
        environments=tuple(form.environments.data or ()),
        modalities=tuple(modalities),
        award_date=form.award_date.data,
        budget_per_unit=form.budget_per_unit.data,
        unit=form.unit.data,
        currency=form.currency.data,
        must_have_share=DEFAULT_MUST_HAVE_SHARE if share is None else share / 100,
    )


def form_data(requirements: Requirements, words: Vocabulary) -> dict:
    """The profile written back into the form's fields, demographic targets with the vendors' labels."""

    def label(choices: Choices | None, key: str) -> str:
        return choices.options.get(key, key) if choices else key

    return {
        "locales": "\n".join(
            f"{t.locale}, {t.min_contributors}" + (f", {t.min_hours:g}" if t.min_hours is not None else "")
            for t in requirements.locales
        ),
        "demographics": "\n".join(
            f"{label(words.attributes, attribute)}: "
            + ", ".join(
                f"{label(words.demographics.get(attribute), category)}={share * 100:g}"
                for category, share in shares.items()
            )
            for attribute, shares in requirements.demographics.items()
        ),
        "devices": list(requirements.devices),
        "environments": list(requirements.environments),
        "award_date": requirements.award_date,
        "budget_per_unit": requirements.budget_per_unit,
        "unit": requirements.unit,
        "currency": requirements.currency,
        "must_have_share": _percent(requirements.must_have_share),
    }


def _percent(share: float) -> float | int:
    """A share as the percentage typed into the form: 0.5 -> 50, 0.125 -> 12.5."""
    value = round(share * 100, 4)
    return int(value) if value.is_integer() else value


def set_requirements(evaluation, profile: Requirements, *, actor, source: str | None = None) -> None:
    """Store the buyer's requirements profile (web form, upload and API alike), audited."""
    evaluation.requirements = profile.to_dict()
    audit.record(
        "evaluation.requirements_changed",
        actor=actor,
        evaluation_id=evaluation.id,
        details=({"source": source} if source else {}) | evaluation.requirements,
    )
