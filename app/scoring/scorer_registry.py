"""The registry behind :mod:`app.scoring.autoscorers`: scorers are looked up by the name a questionnaire uses.

Import scorers from :mod:`app.scoring.autoscorers`; importing that module is what registers them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from app.scoring.answer_values import UnusableAnswer, is_number, with_score
from app.scoring.model import Requirements, ScoreResult

Scorer = Callable[[Any, Mapping[str, Any], Requirements], ScoreResult]

# The version of the rules that turn question scores into section scores, totals, must-have
# results and a ranking (app.scoring.aggregate, app.reports.ranking). Raise it with any change that
# can move a total for the same answers; frozen results record it next to each scorer's version.
ENGINE_VERSION = 1

SCORERS: dict[str, Scorer] = {}
# Each scorer's version: raise it whenever the scorer can give a different score for the same answer,
# params and requirements, so frozen results say which rules produced them.
SCORER_VERSIONS: dict[str, int] = {}
# Each scorer's name in the buyer's words, for pages, PDFs and exports ("locale coverage").
SCORER_TITLES: dict[str, str] = {}
ParamParser = Callable[[Mapping[str, Any]], dict[str, Any]]
# Given the parsed params and the requirements, the reason the buyer's requirements do not allow the
# question to be scored ("the buyer set no award date"), or None when they do.
RequirementCheck = Callable[[Mapping[str, Any], Requirements], str | None]
_PARAMS: dict[str, tuple[frozenset[str], frozenset[str], ParamParser]] = {}
# Scorers that compare an answer with a buyer target, and how each finds that target missing.
REQUIREMENT_CHECKS: dict[str, RequirementCheck] = {}


def register(
    name: str,
    *,
    version: int = 1,
    title: str = "",
    allowed: tuple[str, ...] = (),
    required: tuple[str, ...] = (),
    parse: ParamParser = dict,
    needs: RequirementCheck | None = None,
) -> Callable[[Callable[..., ScoreResult]], Scorer]:
    """Register a scorer under ``name``.

    ``parse`` checks the params' values (raising ``ValueError``) and fills in defaults; the scorer
    receives its result. ``title`` is the scorer's name in the buyer's words. ``version`` names the
    scorer's rules (raise it when a score can change for
    the same input; frozen results record it). ``needs`` is given by every scorer that reads a buyer
    target: it returns the reason when that target is not set. The registered function gets the
    shared behaviour, in this order: params are validated (see :func:`validate_params`); a missing
    buyer target makes the question *not scored* whatever the answer (one rule for missing buyer
    data: never a free 4 nor a free 0); ``None`` scores 0 as unanswered; an :class:`UnusableAnswer`
    scores 0 with its message.
    """

    def decorate(func: Callable[..., ScoreResult]) -> Scorer:
        if name in SCORERS:
            raise ValueError(f"a scorer named {name!r} is already registered")

        @functools.wraps(func)
        def scorer(value: Any, params: Mapping[str, Any], requirements: Requirements) -> ScoreResult:
            settings = validate_params(name, params or {})
            if needs is not None:
                reason = needs(settings, requirements)
                if reason is not None:
                    return ScoreResult.not_scored(reason)
            if value is None:
                return ScoreResult(0.0, with_score("Unanswered", 0), {"unanswered": True})
            try:
                return func(value, settings, requirements)
            except UnusableAnswer as exc:
                message = str(exc)
                sentence = message[:1].upper() + message[1:]
                return ScoreResult(0.0, with_score(sentence, 0), {"error": message})

        SCORERS[name] = scorer
        SCORER_VERSIONS[name] = version
        SCORER_TITLES[name] = title or name.replace("_", " ")
        _PARAMS[name] = (frozenset(allowed) | frozenset(required), frozenset(required), parse)
        if needs is not None:
            REQUIREMENT_CHECKS[name] = needs
        return scorer

    return decorate


def get_scorer(name: str) -> Scorer:
    """Return the scorer registered as ``name``; ``KeyError`` naming the known scorers otherwise."""
    try:
        return SCORERS[name]
    except KeyError:
        known = ", ".join(sorted(SCORERS))
        raise KeyError(f"unknown scorer {name!r}; known scorers: {known}") from None


def scorer_version(name: str) -> int:
    """The version of the scorer registered as ``name`` (``KeyError`` naming the known scorers otherwise)."""
    get_scorer(name)
    return SCORER_VERSIONS[name]


def validate_params(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Check a scorer's params and return them with defaults filled in.

    Raises ``KeyError`` for an unknown scorer and ``ValueError`` for unknown or missing keys or a bad
    value (e.g. a band score outside 0..4). The questionnaire validator calls this when a questionnaire
    is loaded, so a broken scorer configuration never reaches a vendor.
    """
    if name not in _PARAMS:
        get_scorer(name)  # raises the KeyError that names the known scorers
    allowed, required, parse = _PARAMS[name]
    unknown = set(params) - allowed
    if unknown:
        raise ValueError(
            f"scorer {name!r} does not take {', '.join(sorted(unknown))}; "
            f"it takes {', '.join(sorted(allowed)) or 'no params'}"
        )
    missing = required - set(params)
    if missing:
        raise ValueError(f"scorer {name!r} needs params {', '.join(sorted(missing))}")
    return parse(params)


def rubric_value(label: str, value: Any) -> float:
    """A param value that is a score on the 0..4 rubric, or ``ValueError``."""
    if not is_number(value) or not 0 <= value <= 4:
        raise ValueError(f"{label} must be a number within 0..4, got {value!r}")
    return float(value)
