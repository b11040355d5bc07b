"""``sample_check:``: which measurement of a vendor's sample batch can confirm a question's answer.

A question that a pilot batch can confirm says so in the YAML, with the parameters the comparison
needs (``app.sample_batches.claims`` reads them; no question id is known to Python)::

    sample_check: {measurement: locale_contributors, locale_column: locale, count_column: contributors}

Each measurement below names the question types it reads and its params; the schema checks them
when the questionnaire is loaded, like a scorer's params.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.questionnaires.errors import Reader, describe, plain_json
from app.questionnaires.model import Column, SampleCheck

# Metrics a batch measures against a threshold the vendor states (in a quality-thresholds table)
# or lists as a check it runs (a checks_listed question).
THRESHOLDS = (
    "sample_rate",
    "snr",
    "clipping",
    "silence",
    "resolution",
    "sharpness",
    "duplicates",
    "language",
    "personal_data",
)
_NUMERIC_COLUMNS = ("integer", "decimal", "percentage")


class _Context:
    def __init__(
        self,
        reader: Reader,
        qtype: str,
        columns: tuple[Column, ...],
        option_keys: tuple[str, ...],
        params: Mapping[str, Any],
    ):
        self.reader = reader
        self.qtype = qtype
        self.columns = {c.id: c for c in columns}
        self.option_keys = option_keys
        self.params = params

    def column(self, key: str, *, types: tuple[str, ...] = (), required: bool = True) -> None:
        name = self.params.get(key)
        if name is None:
            if required:
                self.reader.problem(f"sample_check needs '{key}' (a column id)")
            return
        if not isinstance(name, str) or name not in self.columns:
            shown = ", ".join(self.columns) or "none"
            self.reader.problem(
                f"sample_check '{key}' names {describe(name)}, which is not a column of the table (columns: {shown})"
            )
        elif types and self.columns[name].type not in types:
            self.reader.problem(
                f"sample_check '{key}' names column '{name}' of type "
                f"'{self.columns[name].type}'; it must be of type {' or '.join(types)}"
            )

    def option(self, value: Any, what: str) -> None:
        if not isinstance(value, str) or value not in self.option_keys:
            self.reader.problem(
                f"sample_check {what} {describe(value)} is not one of the question's options "
                f"({', '.join(self.option_keys)})"
            )


def _locale_contributors(ctx: _Context) -> None:
    ctx.column("locale_column", types=("locale",))
    ctx.column("count_column", types=_NUMERIC_COLUMNS)


def _demographic_mix(ctx: _Context) -> None:
    column = ctx.params.get("metadata_column")
    if not isinstance(column, str) or not column.strip():
        ctx.reader.problem(
            "sample_check needs 'metadata_column': the metadata.csv column holding the category "
            f"(e.g. gender or age_band), got {describe(column)}"
        )
    ctx.column("category_column")
    ctx.column("value_column", types=_NUMERIC_COLUMNS)
    ctx.column("group_column", types=("locale",), required=False)


def _consent_coverage(ctx: _Context) -> None:
    ctx.option(ctx.params.get("option"), "'option'")


def _quality_thresholds(ctx: _Context) -> None:
    ctx.column("metric_column", types=("text",))
    ctx.column("threshold_column", types=("text",))


def _personal_data_removed(ctx: _Context) -> None:
    chosen = ctx.params.get("when")
    if not isinstance(chosen, list) or not chosen:
        ctx.reader.problem(f"sample_check needs 'when': a list of option keys, got {describe(chosen)}")
        return
    for value in chosen:
        ctx.option(value, "'when' value")


def _checks_listed(ctx: _Context) -> None:
    checks = ctx.params.get("checks")
    if not isinstance(checks, Mapping) or not checks:
        ctx.reader.problem(
            f"sample_check needs 'checks': option key -> the threshold it checks ({', '.join(THRESHOLDS)})"
        )
        return
    for option, threshold in checks.items():
        ctx.option(option, "'checks' key")
        if threshold not in THRESHOLDS:
            ctx.reader.problem(
                f"sample_check threshold {describe(threshold)} for option {describe(option)} is not "
                f"one of: {', '.join(THRESHOLDS)}"
            )


# measurement -> (question types it reads, params it takes, check of those params)
MEASUREMENTS: dict[str, tuple[tuple[str, ...], frozenset[str], Callable[[_Context], None]]] = {
    "locale_contributors": (("table",), frozenset({"locale_column", "count_column"}), _locale_contributors),
    "demographic_mix": (
        ("table",),
        frozenset({"metadata_column", "category_column", "value_column", "group_column"}),
        _demographic_mix,
    ),
    "contributor_share": (("percentage", "number"), frozenset(), lambda ctx: None),
    "consent_coverage": (("multi_choice",), frozenset({"option"}), _consent_coverage),
    "quality_thresholds": (("table",), frozenset({"metric_column", "threshold_column"}), _quality_thresholds),
    "personal_data_removed": (("single_choice", "multi_choice"), frozenset({"when"}), _personal_data_removed),
    "checks_listed": (("multi_choice",), frozenset({"checks"}), _checks_listed),
}


def parse_sample_check(
    reader: Reader, qtype: str, columns: tuple[Column, ...], option_keys: tuple[str, ...]
) -> SampleCheck | None:
    """The question's ``sample_check`` entry, or None when it has none or it has problems (recorded)."""
    spec = reader.mapping("sample_check")
    if spec is None:
        return None
    sub = Reader(reader.collector, spec, question_id=reader.question_id, where="sample_check")
    before = len(reader.collector)
    measurement = spec.get("measurement")
    if not isinstance(measurement, str) or measurement not in MEASUREMENTS:
        sub.problem(f"unknown measurement {describe(measurement)} (expected one of: {', '.join(MEASUREMENTS)})")
        return None
    types, allowed, check = MEASUREMENTS[measurement]
    params = {key: value for key, value in spec.items() if key != "measurement"}
    if not plain_json(params):
        sub.problem("sample_check params must be plain values (text, numbers, true/false, lists, mappings)")
        return None
    unknown = sorted(set(params) - allowed)
    if unknown:
        sub.problem(
            f"measurement '{measurement}' does not take {', '.join(map(str, unknown))} "
            f"(it takes {', '.join(sorted(allowed)) or 'nothing else'})"
        )
    if qtype not in types:
        sub.problem(f"measurement '{measurement}' cannot confirm a {qtype} question (it reads {', '.join(types)})")
        return None
    check(_Context(sub, qtype, columns, option_keys, params))
    return SampleCheck(measurement, params) if len(reader.collector) == before else None
