"""What a vendor is scored against, in the buyer's words: shown in the response editor and the workbook.

Section weights are published in advance (as EU Directive 2014/24 Art. 67 expects of award criteria),
with the required locales and their minimums, the price unit, the targets the auto-scorers compare
against, and which questions are must-haves. The buyer's budget is not shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.evaluations import pricing, weights
from app.evaluations.requirements import vocabulary
from app.models import Evaluation
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.scoring.model import Requirements

UNIT_LABELS = {"hour": "hour of speech", "image": "image", "item": "text item"}


@dataclass(frozen=True)
class LocaleLine:
    locale: str
    contributors: int
    hours: float


@dataclass(frozen=True)
class MustHave:
    question_id: str
    text: str
    rule: str


@dataclass(frozen=True)
class WeightLine:
    title: str
    share: float


@dataclass(frozen=True)
class ScoringBrief:
    """Plain data for the editor and the workbook."""

    locales: tuple[LocaleLine, ...]
    price_unit: str
    currency: str
    demographics: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    devices: tuple[str, ...]
    environments: tuple[str, ...]
    must_haves: tuple[MustHave, ...]
    weights: tuple[WeightLine, ...]

    def rows(self) -> list[tuple[str, str]]:
        """The brief as (topic, text) rows, for a spreadsheet."""
        out = [("Weights", f"{w.title}: {w.share:.0%}") for w in self.weights]
        out += [
            ("Required locale", f"{line.locale}: at least {line.contributors:,} contributors and {line.hours:,g} hours")
            for line in self.locales
        ]
        out.append(("Price", f"quote in {self.currency} per {self.price_unit}"))
        out += [
            ("Target mix", f"{attribute}: " + ", ".join(f"{label} {share:.0%}" for label, share in shares))
            for attribute, shares in self.demographics
        ]
        if self.devices:
            out.append(("Devices", ", ".join(self.devices)))
        if self.environments:
            out.append(("Environments", ", ".join(self.environments)))
        out += [("Must-have", f"{m.question_id} {m.text} — {m.rule}") for m in self.must_haves]
        return out


def _label(choices: Mapping[str, str], key: str) -> str:
    return choices.get(key, key.replace("_", " "))


def scoring_brief(evaluation: Evaluation) -> ScoringBrief:
    """What the evaluation's vendors are scored against, from its requirements, weights and questionnaire."""
    questionnaire = store.parsed(evaluation.questionnaire)
    requirements = Requirements.from_dict(evaluation.requirements or {})
    words = vocabulary(questionnaire)
    price_scored = pricing.load_settings(evaluation).scorable
    in_use = [c for c in weights.criteria(evaluation, price_in_use=price_scored) if c.in_use and c.share > 0]
    demographics = []
    for attribute, shares in requirements.demographics.items():
        categories = words.demographics[attribute].options if attribute in words.demographics else {}
        labelled = tuple((_label(categories, key), share) for key, share in shares.items())
        demographics.append((_label(words.attributes.options, attribute).lower(), labelled))
    return ScoringBrief(
        locales=tuple(LocaleLine(t.locale, t.min_contributors, t.min_hours) for t in requirements.locales),
        price_unit=UNIT_LABELS.get(requirements.unit, requirements.unit),
        currency=requirements.currency,
        demographics=tuple(demographics),
        devices=tuple(_label(words.devices.options, d) for d in requirements.devices),
        environments=tuple(_label(words.environments.options, e) for e in requirements.environments),
        must_haves=tuple(
            MustHave(q.id, q.text, q.must_have.reason)
            for q in visible_questions(questionnaire, evaluation.modalities, {})
            if q.must_have is not None
        ),
        weights=tuple(WeightLine(c.title, c.share) for c in in_use),
    )
