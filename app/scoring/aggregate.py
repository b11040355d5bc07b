"""From question scores to a vendor's total, must-have failures, and the ranking of vendors.

The total is a weighted sum on a fixed scale (question score / 4), so a vendor's total depends only on
its own answers and the buyer's weights: adding or removing another vendor never changes it.

A question can be *not scored*: its scorer needs a buyer target that was not set (see
``app.scoring.autoscorers``). It is left out of its section's average with its reason, and a section
where nothing can be scored is left out of the total (the other sections' weights are shared out
again). Whether a question is scorable depends on the buyer's requirements only, so it is the same for
every vendor and totals stay comparable.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from app.scoring.weights import normalise

# Totals are compared at this many decimals, so that sums differing only by floating-point round-off
# tie instead of being ordered by noise.
TIE_DECIMALS = 9


@dataclass(frozen=True)
class MustHave:
    """A knock-out rule. Every condition given must hold; an unanswered question always fails.

    ``equals``: the answer must equal this (booleans only equal booleans). ``one_of``: the answer must
    be one of these, or for a list answer contain at least one of them. ``min_score``: the question's
    score must be at least this.
    """

    reason: str
    equals: Any = None
    one_of: tuple[Any, ...] | None = None
    min_score: float | None = None


@dataclass(frozen=True)
class QuestionSpec:
    """A scored question: its section, its weight inside the section, and an optional must-have."""

    id: str
    section_id: str
    weight: float = 1.0
    must_have: MustHave | None = None


@dataclass(frozen=True)
class SectionSpec:
    """A section of the questionnaire with its weight among sections (any scale; normalised)."""

    id: str
    title: str
    weight: float


@dataclass(frozen=True)
class Failure:
    """A failed must-have: which question, the buyer's reason, and what was wrong with the answer."""

    question_id: str
    reason: str
    detail: str


@dataclass(frozen=True)
class SectionScore:
    """A section's result: ``score`` 0..100 within the section, ``points`` it adds to the total.

    ``not_scored`` holds the reason when no question of the section could be scored (its share is 0).
    """

    id: str
    title: str
    score: float
    weight_share: float
    points: float
    not_scored: str | None = None


@dataclass(frozen=True)
class QuestionContribution:
    """What one question adds to the total (0..100 scale); ``score`` is None when unanswered or not scored.

    ``not_scored`` holds the reason a question was left out of its section's average.
    """

    question_id: str
    section_id: str
    score: float | None
    points: float
    not_scored: str | None = None


@dataclass(frozen=True)
class ResponseScore:
    """A vendor's total (0..100), its per-section and per-question breakdown, and must-have failures."""

    total: float
    sections: tuple[SectionScore, ...]
    contributions: tuple[QuestionContribution, ...]
    disqualified: tuple[Failure, ...]


@dataclass(frozen=True)
class RankedVendor:
    """A vendor's place: ties share a rank ("1, 1, 3")."""

    key: Hashable
    total: float
    rank: int


@dataclass(frozen=True)
class Ranking:
    """Vendors in order, plus those shown apart because they failed a must-have."""

    ranked: tuple[RankedVendor, ...]
    disqualified: tuple[tuple[Hashable, tuple[Failure, ...]], ...]


def _is_unanswered(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (list, tuple, dict)) and not value


def _same(a: Any, b: Any) -> bool:
    # In Python True == 1; a yes/no must-have should not be met by the number 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _words(value: Any) -> str:
    """An answer or option in words for a failure detail: yes/no, option keys without underscores."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_words(v) for v in value) or "nothing"
    return str(value).replace("_", " ")


def _must_have_failure(spec: QuestionSpec, value: Any, score: float | None, not_scored: str | None) -> str | None:
    rule = spec.must_have
    assert rule is not None
    if _is_unanswered(value):
        return "unanswered"
    if rule.equals is not None and not _same(value, rule.equals):
        return f"the answer is {_words(value)}, not {_words(rule.equals)}"
    if rule.one_of is not None:
        options = tuple(rule.one_of)
        chosen = value if isinstance(value, list) else [value]
        if not any(_same(c, o) for c in chosen for o in options):
            return f"the answer is {_words(value)}, which is none of: {_words(options)}"
    # A score the buyer's requirements do not allow (not scored) cannot knock a vendor out.
    if rule.min_score is not None and not_scored is None:
        if score is None:
            return f"not scored yet (needs at least {rule.min_score:g} of 4)"
        if score < rule.min_score:
            return f"scores {score:.2f}, below the required {rule.min_score:g} of 4"
    return None


def check_must_haves(
    questions: Sequence[QuestionSpec],
    answers: Mapping[str, Any],
    scores: Mapping[str, float | None],
    not_scored: Mapping[str, str] | None = None,
) -> tuple[Failure, ...]:
    """Return one :class:`Failure` per must-have question whose answer breaks its rule, in question order.

    Every question given is checked, whatever its weight (a weight of 0 only keeps a question out of the
    total). An answer that is None, blank text or an empty list counts as unanswered and fails. A
    ``min_score`` rule on a question that is not scored (``not_scored``: question id -> reason) is not
    applied, because the buyer set no target to check it against.
    """
    skipped = not_scored or {}
    failures = []
    for spec in questions:
        if spec.must_have is None:
            continue
        detail = _must_have_failure(spec, answers.get(spec.id), scores.get(spec.id), skipped.get(spec.id))
        if detail is not None:
            failures.append(Failure(spec.id, spec.must_have.reason, detail))
    return tuple(failures)


def _checked_score(question_id: str, score: float | None) -> float | None:
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, numbers.Real) or not 0 <= score <= 4:
        raise ValueError(f"score of {question_id!r} must be within 0..4 or None, got {score!r}")
    return float(score)


def score_response(
    sections: Sequence[SectionSpec],
    questions: Sequence[QuestionSpec],
    scores: Mapping[str, float | None],
    answers: Mapping[str, Any],
    not_scored: Mapping[str, str] | None = None,
) -> ResponseScore:
    """Total a vendor's response on a fixed 0..100 scale.

    Within a section, question scores / 4 are averaged with the question weights; sections are combined
    with their weights normalised to shares. An unanswered question, or one no evaluator has scored yet,
    counts 0; a section of weight 0 contributes 0. A question in ``not_scored`` (question id -> reason)
    is left out of its section's average; a section left with nothing to score is left out of the total
    and the other sections share its weight. The per-question ``points`` add up to ``total``. Must-haves
    are checked on every question given, whatever its weight. Raises ``ValueError`` for configuration
    errors: duplicate ids, a question in an unknown section, negative weights, or a weighted section
    whose questions all have weight 0 (its share could never be earned).
    """
    excluded = dict(not_scored or {})
    section_ids = [s.id for s in sections]
    if len(set(section_ids)) != len(section_ids):
        raise ValueError("section ids must be unique")
    question_ids = [q.id for q in questions]
    if len(set(question_ids)) != len(question_ids):
        raise ValueError("question ids must be unique")
    by_section: dict[str, list[QuestionSpec]] = {s.id: [] for s in sections}
    for spec in questions:
        if spec.section_id not in by_section:
            raise ValueError(f"question {spec.id!r} is in unknown section {spec.section_id!r}")
        if isinstance(spec.weight, bool) or not math.isfinite(spec.weight) or spec.weight < 0:
            raise ValueError(f"weight of question {spec.id!r} must be zero or more, got {spec.weight!r}")
        by_section[spec.section_id].append(spec)

    given_shares = normalise({s.id: s.weight for s in sections})
    masses, unscorable = {}, {}
    for section in sections:
        members = by_section[section.id]
        if given_shares[section.id] > 0 and math.fsum(q.weight for q in members) <= 0:
            raise ValueError(f"section {section.id!r} has weight but no question with a weight above 0")
        masses[section.id] = math.fsum(q.weight for q in members if q.id not in excluded)
        if given_shares[section.id] > 0 and masses[section.id] <= 0:
            reasons = list(dict.fromkeys(excluded[q.id] for q in members if q.weight > 0))
            unscorable[section.id] = "; ".join(reasons)
    kept = {s.id: (0.0 if s.id in unscorable else s.weight) for s in sections}
    shares = normalise(kept) if math.fsum(kept.values()) > 0 else dict.fromkeys(kept, 0.0)

    contributions: dict[str, QuestionContribution] = {}
    section_scores = []
    for section in sections:
        mass = masses[section.id]
        points, fraction = [], []
        for spec in by_section[section.id]:
            if spec.id in excluded:
                contributions[spec.id] = QuestionContribution(spec.id, section.id, None, 0.0, excluded[spec.id])
                continue
            score = _checked_score(spec.id, scores.get(spec.id))
            within = spec.weight / mass * (score or 0.0) / 4.0 if mass > 0 else 0.0
            fraction.append(within)
            points.append(100.0 * shares[section.id] * within)
            contributions[spec.id] = QuestionContribution(spec.id, section.id, score, points[-1])
        section_scores.append(
            SectionScore(
                id=section.id,
                title=section.title,
                score=100.0 * math.fsum(fraction),
                weight_share=shares[section.id],
                points=math.fsum(points),
                not_scored=unscorable.get(section.id),
            )
        )
    ordered = tuple(contributions[q.id] for q in questions)
    return ResponseScore(
        total=math.fsum(c.points for c in ordered),
        sections=tuple(section_scores),
        contributions=ordered,
        disqualified=check_must_haves(questions, answers, scores, excluded),
    )


class _SortableKey(Protocol):
    def __hash__(self) -> int: ...
    def __lt__(self, other: Any, /) -> bool: ...


VendorKey = TypeVar("VendorKey", bound=_SortableKey)


def rank(results: Mapping[VendorKey, ResponseScore]) -> Ranking:
    """Rank vendors by total, highest first; vendors with must-have failures are set apart.

    Equal totals share a rank and the next rank is skipped ("1, 1, 3"); within a tie the vendor key
    gives a stable order. Keys must be mutually sortable (e.g. all strings).
    """
    eligible = sorted(
        ((key, result.total) for key, result in results.items() if not result.disqualified),
        key=lambda item: (-round(item[1], TIE_DECIMALS), item[0]),
    )
    ranked: list[RankedVendor] = []
    for position, (key, total) in enumerate(eligible, start=1):
        previous = ranked[-1] if ranked else None
        if previous is not None and round(previous.total, TIE_DECIMALS) == round(total, TIE_DECIMALS):
            ranked.append(RankedVendor(key, total, previous.rank))
        else:
            ranked.append(RankedVendor(key, total, position))
    disqualified = tuple(
        (key, result.disqualified)
        for key, result in sorted(results.items(), key=lambda item: item[0])
        if result.disqualified
    )
    return Ranking(tuple(ranked), disqualified)
