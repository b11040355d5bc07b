"""The buyer's criterion weights: sections of the questionnaire plus price.

Weights are stored relative (any scale) in ``section_weight``; the price criterion is the pseudo-section
``_price`` (questionnaire section ids start with a letter, so it can never collide). Shares are the
weights normalised over the criteria in use. Weights are entered directly or derived by AHP from
pairwise comparisons (``app.scoring.weights``); both paths end in :func:`set_weights`, which records
``evaluation.weights_changed`` in the audit trail.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sqlalchemy as sa

from app import audit
from app.evaluations.services import active_sections
from app.extensions import db
from app.models import Evaluation, ScoringSettings, SectionWeight, User
from app.models.base import utcnow
from app.scoring.weights import (
    MAX_CONSISTENCY_RATIO,
    RANDOM_INDEX,
    RANDOM_INDEX_TABLE,
    AhpResult,
    InconsistentJudgements,
    ahp,
    normalise,
    pairwise_matrix,
)

PRICE_CRITERION = "_price"
PRICE_TITLE = "Price"
MAX_WEIGHT = 1000.0
# Placed after every questionnaire section when the price row is created.
_PRICE_POSITION = 1000

# Saaty's fundamental scale, strongest preference for the first criterion first.
SAATY_VALUES = ("9", "8", "7", "6", "5", "4", "3", "2", "1", "1/2", "1/3", "1/4", "1/5", "1/6", "1/7", "1/8", "1/9")
SAATY_WORDS = {
    1: "equally important",
    2: "equally to moderately more important",
    3: "moderately more important",
    4: "moderately to strongly more important",
    5: "strongly more important",
    6: "strongly to very strongly more important",
    7: "very strongly more important",
    8: "very to extremely more important",
    9: "extremely more important",
}


class WeightsError(ValueError):
    """Weights that cannot be accepted; ``errors`` maps a criterion id (or ``""``) to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Criterion:
    """One criterion the ranking weighs: a questionnaire section or price."""

    id: str
    title: str
    weight: float
    share: float
    in_use: bool = True


def criteria(evaluation: Evaluation, *, price_in_use: bool) -> list[Criterion]:
    """The applicable sections, then price, with stored weights and their shares of 100 %.

    Price is always listed so its weight can be set ahead; it only takes a share when ``price_in_use``
    (the price criterion can be scored: see ``app.evaluations.pricing``).
    """
    stored = {row.section_id: row.weight for row in evaluation.section_weights}
    rows = [(s.id, s.title, stored.get(s.id, float(s.weight)), True) for s in active_sections(evaluation)]
    rows.append((PRICE_CRITERION, PRICE_TITLE, stored.get(PRICE_CRITERION, 0.0), price_in_use))
    used = {cid: weight for cid, _, weight, in_use in rows if in_use}
    total = math.fsum(used.values())
    return [
        Criterion(cid, title, weight, (used[cid] / total) if in_use and total > 0 else 0.0, in_use)
        for cid, title, weight, in_use in rows
    ]


def parse_weights(raw: Mapping[str, str], items: Sequence[Criterion]) -> tuple[dict[str, float], dict[str, str]]:
    """Read typed weights; returns ``(weights, errors)`` keyed by criterion id (errors keep the rest)."""
    weights, errors = {}, {}
    for criterion in items:
        text = (raw.get(criterion.id) or "").strip().replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            errors[criterion.id] = "Enter a weight: a number from 0 to 1000."
            continue
        if not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT:
            errors[criterion.id] = "Use a number from 0 to 1000."
            continue
        weights[criterion.id] = value
    return weights, errors or check_weights(items, weights)


def check_weights(items: Sequence[Criterion], weights: Mapping[str, float]) -> dict[str, str]:
    """The one rule for new weights (web form and API): known criteria only, and at least one scored
    criterion above zero once they replace the stored ones. Errors are keyed by criterion id ("" overall)."""
    known = {c.id for c in items}
    errors = {cid: "Not a criterion of this evaluation." for cid in weights if cid not in known}
    if not errors and not any(weights.get(c.id, c.weight) > 0 for c in items if c.in_use):
        errors[""] = "At least one criterion that is scored needs a weight above zero."
    return errors


def set_weights(
    evaluation: Evaluation,
    *,
    actor: User,
    weights: Mapping[str, float],
    method: str,
    details: Mapping[str, object] | None = None,
) -> bool:
    """Store relative weights per criterion id and audit ``evaluation.weights_changed``.

    ``method`` is ``direct`` or ``ahp``; ``details`` (e.g. the consistency ratio) join the audit entry,
    which is written whenever something changed or extra details are given. Returns whether any weight
    changed.
    """
    rows = {row.section_id: row for row in evaluation.section_weights}
    changes: dict[str, dict[str, float]] = {}
    for criterion_id, value in weights.items():
        row = rows.get(criterion_id)
        if row is None:
            position = _PRICE_POSITION if criterion_id == PRICE_CRITERION else len(rows)
            row = SectionWeight(section_id=criterion_id, position=position, weight=0.0)
            evaluation.section_weights.append(row)
            rows[criterion_id] = row
        if not math.isclose(row.weight, value, rel_tol=0, abs_tol=1e-9):
            changes[criterion_id] = {"from": row.weight, "to": value}
            row.weight = float(value)
    db.session.flush()
    if changes or details:
        audit.record(
            "evaluation.weights_changed",
            actor=actor,
            evaluation_id=evaluation.id,
            details={"method": method, "changes": changes, **(details or {})},
        )
    return bool(changes)


# --- AHP ----------------------------------------------------------------------------------------


def pair_key(first: str, second: str) -> str:
    return f"{first}|{second}"


def pairs(items: Sequence[Criterion]) -> list[tuple[Criterion, Criterion]]:
    """Every unordered pair once, in the order the criteria are listed."""
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1 :]]


def saaty_options(first: str, second: str) -> list[tuple[str, str]]:
    """``(value, label)`` choices for one pair: value is how much more ``first`` matters than ``second``."""
    options = []
    for value in SAATY_VALUES:
        ratio = Fraction(value)
        if ratio == 1:
            options.append((value, f"{first} and {second} equally important (1)"))
        elif ratio > 1:
            options.append((value, f"{first} {SAATY_WORDS[int(ratio)]} ({value})"))
        else:
            options.append((value, f"{second} {SAATY_WORDS[int(1 / ratio)]} ({value})"))
    return options


def parse_judgements(
    raw: Mapping[str, str], items: Sequence[Criterion]
) -> tuple[dict[tuple[str, str], float], dict[str, str], dict[str, str]]:
    """Read the pairwise choices; returns ``(judgements, typed, errors)`` keyed by :func:`pair_key`."""
    judgements, typed, errors = {}, {}, {}
    for a, b in pairs(items):
        key = pair_key(a.id, b.id)
        value = (raw.get(key) or "").strip()
        typed[key] = value
        if value not in SAATY_VALUES:
            errors[key] = f"Choose how {a.title} compares with {b.title}."
            continue
        judgements[(a.id, b.id)] = float(Fraction(value))
    return judgements, typed, errors


def judge(items: Sequence[Criterion], judgements: Mapping[tuple[str, str], float]) -> AhpResult:
    """Principal-eigenvector weights, λmax, CI and CR (Saaty's random index) for the judgements."""
    labels = [c.id for c in items]
    return ahp(labels, pairwise_matrix(labels, judgements))


def inconsistency_message(result: AhpResult, items: Sequence[Criterion]) -> str:
    """The refusal in the buyer's words, naming the judgement that fits the others least."""
    titles = {c.id: c.title for c in items}
    message = (
        f"Consistency ratio {result.cr:.3f} is above {MAX_CONSISTENCY_RATIO:.2f}: the judgements "
        "contradict each other too much to give weights."
    )
    if result.most_inconsistent is not None:
        a, b, given, implied = result.most_inconsistent
        message += (
            f" The most inconsistent judgement is {titles[a]} over {titles[b]} = {_ratio(given)}, "
            f"while the other judgements imply about {_ratio(implied)}. Revisit that comparison first."
        )
    return message


def _ratio(value: float) -> str:
    return f"{value:.3g}" if value >= 1 else f"1/{1 / value:.3g}"


def inconsistent_pair(result: AhpResult) -> frozenset[str]:
    """The form keys of the most inconsistent judgement (both ways round: the form asks it one way)."""
    if result.most_inconsistent is None:
        return frozenset()
    a, b = result.most_inconsistent[:2]
    return frozenset({pair_key(a, b), pair_key(b, a)})


def apply_ahp(
    evaluation: Evaluation,
    *,
    actor: User,
    items: Sequence[Criterion],
    typed: Mapping[str, str],
    result: AhpResult,
) -> None:
    """Make the AHP weights the evaluation's weights, or raise :class:`InconsistentJudgements`.

    Weights are stored as percentages (one decimal place is what the buyer reads back); the judgements,
    weights and CR are kept so the form reopens with them and the audit shows where they came from.
    """
    if result.cr > MAX_CONSISTENCY_RATIO:
        raise InconsistentJudgements(result, MAX_CONSISTENCY_RATIO)
    percentages = {cid: round(share * 100, 4) for cid, share in result.weights.items()}
    settings = scoring_settings(evaluation, create=True)
    settings.ahp_judgements = dict(typed)
    settings.ahp_weights = dict(result.weights)
    settings.ahp_cr = result.cr
    settings.ahp_applied_at = utcnow()
    settings.updated_by_id = actor.id
    set_weights(
        evaluation,
        actor=actor,
        weights=percentages,
        method="ahp",
        details={
            "cr": round(result.cr, 4),
            "lambda_max": round(result.lambda_max, 4),
            "random_index": result.random_index,
            "random_index_table": RANDOM_INDEX_TABLE,
            "judgements": dict(typed),
            "criteria": [c.id for c in items],
        },
    )


def weights_from_ahp(evaluation: Evaluation, items: Sequence[Criterion]) -> float | None:
    """The CR of the applied AHP judgements when the current weights still are the AHP weights, else None."""
    settings = scoring_settings(evaluation)
    if settings is None or not settings.ahp_weights or settings.ahp_cr is None:
        return None
    current = {c.id: c.weight for c in items if c.id in settings.ahp_weights}
    if set(current) != set(settings.ahp_weights) or not any(current.values()):
        return None
    shares = normalise(current)
    if all(math.isclose(shares[cid], settings.ahp_weights[cid], abs_tol=1e-4) for cid in shares):
        return settings.ahp_cr
    return None


def random_index_rows() -> list[tuple[int, float]]:
    """Saaty's random index per number of criteria, as shown beside the result."""
    return list(enumerate(RANDOM_INDEX, start=1))


def scoring_settings(evaluation: Evaluation, *, create: bool = False) -> ScoringSettings | None:
    """The evaluation's price and AHP settings row (created on demand when ``create``)."""
    row = db.session.scalar(sa.select(ScoringSettings).where(ScoringSettings.evaluation_id == evaluation.id))
    if row is None and create:
        row = ScoringSettings(evaluation_id=evaluation.id)
        db.session.add(row)
    return row
