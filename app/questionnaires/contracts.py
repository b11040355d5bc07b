"""What each auto-scorer and consistency check needs from the question it is attached to.

The scorers themselves live in ``app.scoring.autoscorers`` (``SCORERS``) and the checks in
``app.scoring.consistency`` (``known_check_kinds()``). This module checks a definition's ``scoring``
and ``checks`` entries *before* any vendor answers: the scorer fits the question type, its params are
the ones it takes, and every column it names exists with a usable type. Then the
registry's own ``validate_params`` runs too, so the two never drift apart silently.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from app.questionnaires.errors import Reader, describe, is_number
from app.questionnaires.model import Column
from app.scoring import autoscorers, consistency

REQUIRED_ITEM_KINDS = ("locales", "devices", "environments", "modalities")
_NUMERIC_COLUMNS = ("integer", "decimal", "percentage")
# The registry's check of a scorer's params; it raises ValueError on bad params, and what it returns (the
# normalised params) is not used here.
ParamsCheck = Callable[[str, Mapping[str, Any]], object]


def known_scorers() -> tuple[frozenset[str], ParamsCheck]:
    """Names of the registered auto-scorers and the registry's ``validate_params``."""
    return frozenset(autoscorers.SCORERS), autoscorers.validate_params


def known_checks() -> tuple[frozenset[str], Callable[[Mapping[str, Any]], None]]:
    """Kinds of consistency check ``app.scoring.consistency`` knows and its ``validate_check``."""
    return frozenset(consistency.known_check_kinds()), consistency.validate_check


class ScorerContext:
    """The parts of a question a scorer contract looks at."""

    def __init__(self, reader: Reader, qtype: str, columns: Mapping[str, Column], option_keys: tuple[str, ...]):
        self.reader = reader
        self.qtype = qtype
        self.columns = columns
        self.option_keys = option_keys

    def problem(self, message: str) -> None:
        """Record a problem about the scoring entry."""
        self.reader.problem(message)

    def column(
        self,
        params: Mapping[str, Any],
        key: str,
        *,
        default: str | None = None,
        types: Collection[str] = (),
        required: bool = False,
    ) -> None:
        """Check that ``params[key]`` (or ``default``) names a column, of one of ``types`` if given."""
        name = params.get(key, default)
        if name is None:
            if required:
                self.problem(f"scorer params need '{key}' (a column id)")
            return
        if not isinstance(name, str):
            self.problem(f"scorer param '{key}' must be a column id, got {describe(name)}")
            return
        if name not in self.columns:
            shown = ", ".join(self.columns) or "none"
            self.problem(
                f"scorer param '{key}' names column '{name}', which the table does not have (columns: {shown})"
            )
            return
        if types and self.columns[name].type not in types:
            self.problem(
                f"scorer param '{key}' names column '{name}' of type "
                f"'{self.columns[name].type}'; it must be of type {' or '.join(types)}"
            )

    def only_types(self, scorer: str, types: Collection[str]) -> bool:
        """Report and return False when the question type does not suit ``scorer``."""
        if self.qtype in types:
            return True
        self.problem(f"scorer '{scorer}' cannot score a {self.qtype} question (it scores {', '.join(types)})")
        return False


def _rubric_score(ctx: ScorerContext, label: str, value: Any) -> None:
    if not is_number(value) or not 0 <= value <= 4:
        ctx.problem(f"{label} must be a score from 0 to 4, got {describe(value)}")


def _coverage(ctx: ScorerContext, params: Mapping[str, Any]) -> None:
    if not ctx.only_types("coverage", ("table",)):
        return
    ctx.column(params, "locale_column", default="locale", types=("locale",))
    ctx.column(params, "count_column", default="contributors", types=_NUMERIC_COLUMNS)
    ctx.column(params, "hours_column", types=_NUMERIC_COLUMNS)
    target = params.get("target", "min_contributors")
    if target not in ("min_contributors", "min_hours"):
        ctx.problem(f"coverage 'target' must be min_contributors or min_hours, got {describe(target)}")


def _required_fraction(ctx: ScorerContext, params: Mapping[str, Any]) -> None:
    if not ctx.only_types("required_fraction", ("table", "multi_choice")):
        return
    kind = params.get("of")
    if kind not in REQUIRED_ITEM_KINDS:
        ctx.problem(f"required_fraction 'of' must be one of {', '.join(REQUIRED_ITEM_KINDS)}, got {describe(kind)}")
    if ctx.qtype == "table":
        ctx.column(params, "column", required=True)
        ctx.column(params, "count_column", types=_NUMERIC_COLUMNS)
    elif "column" in params or "count_column" in params:
        ctx.problem("required_fraction on a multi_choice question takes no 'column'/'count_column'")
    if "volume" in params:
        if params["volume"] not in ("contributors", "hours"):
            ctx.problem(f"required_fraction 'volume' must be contributors or hours, got {describe(params['volume'])}")
        elif kind != "locales" or "count_column" not in params:
            ctx.problem("required_fraction 'volume' needs of: locales and a 'count_column'")


def _distribution_match(ctx: ScorerContext, params: Mapping[str, Any]) -> None:
    if not ctx.only_types("distribution_match", ("table",)):
        return
    attribute = params.get("attribute")
    if not isinstance(attribute, str) or not attribute.strip():
        ctx.problem(
            "distribution_match needs 'attribute': the name of the buyer's target mix "
            f"(e.g. gender), got {describe(attribute)}"
        )
    ctx.column(params, "category_column", required=True)
    ctx.column(params, "value_column", required=True, types=_NUMERIC_COLUMNS)
    ctx.column(params, "group_column")
    undisclosed = params.get("undisclosed", [])
    if not isinstance(undisclosed, list) or not all(isinstance(u, str) for u in undisclosed):
        ctx.problem(f"distribution_match 'undisclosed' must be a list of categories, got {describe(undisclosed)}")


def _bands(ctx: ScorerContext, bands: Any, name: str) -> None:
    if not isinstance(bands, list) or not bands:
        ctx.problem(f"{name} needs a non-empty list of [threshold, score] pairs")
        return
    thresholds: list[float] = []
    for number, band in enumerate(bands, start=1):
        if not isinstance(band, list) or len(band) != 2 or not is_number(band[0]):
            ctx.problem(f"band {number} must be [threshold, score], got {describe(band)}")
            continue
        _rubric_score(ctx, f"band {number} score", band[1])
        if band[0] in thresholds:
            ctx.problem(f"band {number} repeats threshold {band[0]}")
        thresholds.append(band[0])


def _threshold_bands(ctx: ScorerContext, params: Mapping[str, Any]) -> None:
    if not ctx.only_types("threshold_bands", ("number", "percentage")):
        return
    if params.get("direction") not in ("at_least", "at_most"):
        ctx.problem(f"threshold_bands 'direction' must be at_least or at_most, got {describe(params.get('direction'))}")
    bands = params.get("bands")
    if not isinstance(bands, list) or not bands:
        ctx.problem("threshold_bands needs 'bands': a non-empty list of [threshold, score] pairs")
        return
    thresholds: list[float] = []
    for number, band in enumerate(bands, start=1):
        if not isinstance(band, list) or len(band) != 2 or not is_number(band[0]):
            ctx.problem(f"band {number} must be [threshold, score], got {describe(band)}")
            continue
        _rubric_score(ctx, f"band {number} score", band[1])
        if band[0] in thresholds:
            ctx.problem(f"band {number} repeats threshold {band[0]}")
        thresholds.append(band[0])


def _choice_map(ctx: ScorerContext, params: Mapping[str, Any]) -> None:
    if not ctx.only_types("choice_map", ("yes_no", "single_choice", "multi_choice")):
        return
    table = params.get("map")
    if not isinstance(table, Mapping) or not table:
        ctx.problem("choice_map needs 'map': option key -> score (0 to 4)")
    else:
        keys = ("yes", "no") if ctx.qtype == "yes_no" else ctx.option_keys
        for key, score in table.items():
            if key not in keys:
                ctx.problem(f"choice_map key {describe(key)} is not one of: {', '.join(keys)}")
            _rubric_score(ctx, f"choice_map score for {describe(key)}", score)
    if "combine" in params:
        if ctx.qtype != "multi_choice":
            ctx.problem("choice_map 'combine' applies only to multi_choice questions")
        elif params["combine"] not in ("sum", "max"):
            ctx.problem(f"choice_map 'combine' must be sum or max, got {describe(params['combine'])}")


def _date_validity(ctx: ScorerContext, params: Mapping[str, Any]) -> None:
    if not ctx.only_types("date_validity", ("date", "table")):
        return
    if ctx.qtype == "table":
        ctx.column(params, "date_column", required=True, types=("date",))
    elif "date_column" in params:
        ctx.problem("date_validity on a date question takes no 'date_column'")
    days = params.get("min_days_after_award", 0)
    if isinstance(days, bool) or not isinstance(days, int):
        ctx.problem(f"'min_days_after_award' must be a whole number of days, got {describe(days)}")
    if ("category_column" in params) != ("category_scores" in params):
        ctx.problem("date_validity 'category_column' and 'category_scores' go together")
    elif "category_column" in params:
        if ctx.qtype != "table":
            ctx.problem("date_validity 'category_column' applies only to table questions")
            return
        ctx.column(params, "category_column", types=("choice", "text"))
        scores = params["category_scores"]
        column = ctx.columns.get(params["category_column"])
        if not isinstance(scores, Mapping) or not scores:
            ctx.problem("date_validity 'category_scores' must map categories to scores (0 to 4)")
            return
        keys = column.option_keys if column is not None and column.type == "choice" else ()
        for key, score in scores.items():
            if keys and key not in keys:
                ctx.problem(f"date_validity category {describe(key)} is not one of: {', '.join(keys)}")
            _rubric_score(ctx, f"category score for {describe(key)}", score)


def _reviewed_since_change(ctx: ScorerContext, params: Mapping[str, Any]) -> None:
    if not ctx.only_types("reviewed_since_change", ("table",)):
        return
    ctx.column(params, "reviewed_column", required=True, types=("date",))
    ctx.column(params, "changed_column", required=True, types=("date",))


def _contributor_concentration(ctx: ScorerContext, params: Mapping[str, Any]) -> None:
    if not ctx.only_types("contributor_concentration", ("number", "percentage")):
        return
    _bands(ctx, params.get("multiples"), "contributor_concentration 'multiples'")


# name -> (contract, params it takes); a scorer registered elsewhere but missing here is accepted
# with only the registry's own validate_params.
SCORER_CONTRACTS: dict[str, tuple[Callable[[ScorerContext, Mapping[str, Any]], None], frozenset[str]]] = {
    "coverage": (_coverage, frozenset({"locale_column", "count_column", "target", "hours_column"})),
    "required_fraction": (_required_fraction, frozenset({"of", "column", "count_column", "volume"})),
    "distribution_match": (
        _distribution_match,
        frozenset({"attribute", "category_column", "value_column", "group_column", "undisclosed"}),
    ),
    "threshold_bands": (_threshold_bands, frozenset({"direction", "bands"})),
    "choice_map": (_choice_map, frozenset({"map", "combine"})),
    "date_validity": (
        _date_validity,
        frozenset({"date_column", "min_days_after_award", "category_column", "category_scores"}),
    ),
    "reviewed_since_change": (_reviewed_since_change, frozenset({"reviewed_column", "changed_column"})),
    "contributor_concentration": (_contributor_concentration, frozenset({"multiples"})),
}


def check_scorer_params(
    ctx: ScorerContext,
    name: str,
    params: Mapping[str, Any],
    registry_check: ParamsCheck | None,
) -> None:
    """Report every problem with ``params`` for scorer ``name`` on this question."""
    contract = SCORER_CONTRACTS.get(name)
    before = len(ctx.reader.collector)
    if contract is not None:
        check, allowed = contract
        unknown = sorted(set(params) - allowed)
        if unknown:
            ctx.problem(f"scorer '{name}' does not take {', '.join(unknown)} (it takes {', '.join(sorted(allowed))})")
        check(ctx, params)
    # The registry's check runs last and only when ours passed, so a mistake is reported once.
    if registry_check is not None and len(ctx.reader.collector) == before:
        try:
            registry_check(name, params)
        except (ValueError, KeyError, TypeError) as exc:
            ctx.problem(f"scorer '{name}': {str(exc).strip(chr(39) + chr(34))}")


def check_check_params(
    reader: Reader,
    spec: Mapping[str, Any],
    columns: Mapping[str, Column],
    question_ids: Collection[str],
    registry_check: Callable[[Mapping[str, Any]], None] | None,
) -> None:
    """A consistency check's params must name existing columns (``*column``, ``group_by``) and
    questions (``*question``); then the consistency module's own ``validate_check`` runs, if any."""
    kind = spec.get("kind")
    before = len(reader.collector)
    for key, value in spec.items():
        if key.endswith("column") or key == "group_by":
            if not isinstance(value, str) or value not in columns:
                reader.problem(
                    f"check '{kind}' param '{key}' names {describe(value)}, which is not a column of this table"
                )
        elif key.endswith("question") and (not isinstance(value, str) or value not in question_ids):
            reader.problem(
                f"check '{kind}' param '{key}' names {describe(value)}, which is not a question of this questionnaire"
            )
    if registry_check is not None and len(reader.collector) == before:
        try:
            registry_check(spec)
        except (ValueError, KeyError, TypeError) as exc:
            reader.problem(str(exc).strip("'\""))
