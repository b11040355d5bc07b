"""Reading one question (options, columns, conditions, must-have, scoring, sample check) from YAML data.

Used by :mod:`app.questionnaires.schema`; every mistake is recorded in the shared collector and the
question is dropped (``None``) when it had any, so the caller can keep checking the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from app.questionnaires.contracts import ParamsCheck, ScorerContext, check_check_params, check_scorer_params
from app.questionnaires.errors import Collector, Reader, describe, is_number, plain_json
from app.questionnaires.model import (
    CHOICE_TYPES,
    COLUMN_TYPES,
    DEFAULT_RUBRIC,
    MODALITIES,
    NUMERIC_TYPES,
    QUESTION_TYPES,
    AnswerCondition,
    Check,
    Column,
    FileSpec,
    MustHaveRule,
    Option,
    Question,
    Scoring,
    Visibility,
)
from app.questionnaires.sample_checks import parse_sample_check

QUESTION_ID = re.compile(r"[A-Z]{2,5}-[0-9]{2}")
COLUMN_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
OPTION_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
FILE_TYPE = re.compile(r"[a-z0-9]{1,10}")
# Every type an evidence file can be (app.responses.evidence checks names and content against them).
DEFAULT_FILE_TYPES = ("pdf", "png", "jpeg", "jpg", "docx", "xlsx", "csv", "txt")
DEFAULT_MAX_MB = 20
MAX_FILE_MB = 200

_COMMON_KEYS = {
    "id",
    "type",
    "text",
    "help",
    "required",
    "weight",
    "references",
    "visible_if",
    "must_have",
    "scoring",
    "sample_check",
}
_TYPE_KEYS = {
    "options": CHOICE_TYPES,
    "unit": NUMERIC_TYPES,
    "min": NUMERIC_TYPES,
    "max": NUMERIC_TYPES,
    "integer": ("number",),
    "max_length": ("text",),
    "file": ("file",),
    "columns": ("table",),
    "min_rows": ("table",),
    "max_rows": ("table",),
    "checks": ("table",),
}
_COLUMN_TYPE_KEYS = {
    "min": ("integer", "decimal", "percentage"),
    "max": ("integer", "decimal", "percentage"),
    "unit": ("integer", "decimal", "percentage"),
    "options": ("choice",),
    "max_length": ("text",),
}


@dataclass
class QuestionContext:
    """What a question may refer to: the questionnaire's ids and the questions read so far."""

    collector: Collector
    all_ids: Collection[str]
    earlier: dict[str, Question | None]
    scorers: Collection[str]
    registry_check: ParamsCheck | None
    checks: Collection[str]
    check_validator: Callable[[Mapping[str, Any]], None] | None = None


def _misplaced(allowed_by_key: Mapping[str, Collection[str]], kind: str, what: str) -> dict[str, str]:
    return {
        key: f"'{key}' does not apply to a {kind} {what}" for key, kinds in allowed_by_key.items() if kind not in kinds
    }


def parse_options(reader: Reader, key: str = "options") -> tuple[Option, ...]:
    """Options as ``[{key, label, help?}, ...]``: at least two, keys and labels unique."""
    raw = reader.items(key, required=True)
    options: list[Option] = []
    for number, entry in enumerate(raw or [], start=1):
        if not isinstance(entry, Mapping):
            reader.problem(f"option {number} must be a mapping with key and label, got {describe(entry)}")
            continue
        sub = Reader(
            reader.collector,
            entry,
            question_id=reader.question_id,
            where=f"{reader.where + ' ' if reader.where else ''}option {number}".strip(),
        )
        sub.check_keys({"key", "label", "help"})
        option_key = sub.text("key", required=True, pattern=OPTION_KEY, hint="lower-case letters, digits, '_' or '-'")
        label = sub.text("label", required=True)
        if label is not None and (";" in label or "\n" in label):
            # Spreadsheets list several choices separated by ';', one per line at most.
            sub.problem("'label' must not contain ';' or a line break")
            label = None
        if option_key is not None and label is not None:
            options.append(Option(option_key, label, sub.text("help")))
    if raw is not None and len(raw) < 2:
        reader.problem(f"'{key}' needs at least two options")
    keys: set[str] = set()
    seen: dict[str, str] = {}
    for option in options:
        if option.key in keys:
            reader.problem(f"option key '{option.key}' is used twice")
            continue
        keys.add(option.key)
        for name in (option.key.casefold(), option.label.casefold()):
            if name in seen and seen[name] != option.key:
                reader.problem(
                    f"option '{option.key}' clashes with option '{seen[name]}': keys and "
                    f"labels must be unique (an answer may give either)"
                )
            seen.setdefault(name, option.key)
    return tuple(options)


def parse_columns(reader: Reader) -> tuple[Column, ...]:
    """Table columns: ids and labels unique, types from :data:`COLUMN_TYPES`."""
    raw = reader.items("columns", required=True)
    columns: list[Column] = []
    ids: set[str] = set()
    labels: set[str] = set()
    for number, entry in enumerate(raw or [], start=1):
        if not isinstance(entry, Mapping):
            reader.problem(f"column {number} must be a mapping with id and type, got {describe(entry)}")
            continue
        cid = entry.get("id")
        name = f"column '{cid}'" if isinstance(cid, str) else f"column {number}"
        sub = Reader(reader.collector, entry, question_id=reader.question_id, where=name)
        cid = sub.text("id", required=True, pattern=COLUMN_ID, hint="lower-case letters, digits and '_'")
        ctype = entry.get("type")
        if ctype is None:
            sub.problem("missing required key 'type'")
        elif not isinstance(ctype, str) or ctype not in COLUMN_TYPES:
            reader.collector.add(
                reader.question_id,
                f"{name} has unknown type {describe(ctype)} (expected one of: {', '.join(COLUMN_TYPES)})",
            )
            ctype = None
        sub.check_keys(
            {"id", "type", "label", "required", "help", *_COLUMN_TYPE_KEYS},
            not_here=_misplaced(_COLUMN_TYPE_KEYS, ctype, "column") if ctype else None,
        )
        before = len(reader.collector)
        label = sub.text("label") or (cid.replace("_", " ").capitalize() if cid else None)
        numeric = ctype in _COLUMN_TYPE_KEYS["min"]
        low, high = _bounds(sub, 100 if ctype == "percentage" else None) if numeric else (None, None)
        options = parse_options(sub) if ctype == "choice" else ()
        max_length = sub.whole("max_length", minimum=1) if ctype == "text" else None
        column = Column(
            id=cid or "",
            type=ctype or "",
            label=label or "",
            required=sub.flag("required"),
            help=sub.text("help"),
            min=low,
            max=high,
            unit=sub.text("unit"),
            options=options,
            max_length=max_length,
        )
        if cid in ids:
            sub.problem("repeats a column id")
        if label is not None and label.casefold() in labels:
            sub.problem(f"repeats the label '{label}'; spreadsheet headers must be unique")
        if cid and ctype and len(reader.collector) == before:
            columns.append(column)
        ids.add(cid or "")
        labels.add((label or "").casefold())
    return tuple(columns)


def _bounds(reader: Reader, ceiling: float | None) -> tuple[Any, Any]:
    floor = 0 if ceiling is not None else None
    low = reader.number("min", minimum=floor, maximum=ceiling)
    high = reader.number("max", minimum=floor, maximum=ceiling)
    if low is not None and high is not None and low > high:
        reader.problem(f"'min' ({low}) is greater than 'max' ({high})")
    return low, high


def _parse_file(reader: Reader) -> FileSpec:
    spec = reader.mapping("file")
    if spec is None:
        return FileSpec(DEFAULT_FILE_TYPES, DEFAULT_MAX_MB)
    sub = Reader(reader.collector, spec, question_id=reader.question_id, where="file")
    sub.check_keys({"types", "max_mb"})
    types = sub.items("types") or list(DEFAULT_FILE_TYPES)
    for kind in types:
        if not isinstance(kind, str) or not FILE_TYPE.fullmatch(kind):
            sub.problem(f"file type {describe(kind)} must be a lower-case extension such as pdf")
        elif kind not in DEFAULT_FILE_TYPES:
            sub.problem(
                f"file type {describe(kind)} is not one evidence can be: use some of {', '.join(DEFAULT_FILE_TYPES)}"
            )
    max_mb = sub.number("max_mb", positive=True, maximum=MAX_FILE_MB)
    return FileSpec(tuple(t for t in types if isinstance(t, str)), max_mb or DEFAULT_MAX_MB)


def _condition_values(reader: Reader, control: Question, values: list[Any], what: str) -> bool:
    """Values compared with ``control``'s answer must be of its type (bools, option keys)."""
    ok = True
    for value in values:
        if control.type == "yes_no" and not isinstance(value, bool):
            reader.problem(f"{what} compares {control.id} (yes/no) with {describe(value)}; use true or false")
            ok = False
        elif control.type in CHOICE_TYPES and (not isinstance(value, str) or value not in control.option_keys):
            reader.problem(
                f"{what} compares {control.id} with {describe(value)}, which is not one of its "
                f"options ({', '.join(control.option_keys)})"
            )
            ok = False
    return ok


def parse_visibility(reader: Reader, ctx: QuestionContext, key: str = "visible_if") -> Visibility | None:
    """``{modalities: [...]}`` and/or ``{answer: {question, equals | in}}`` on an earlier question."""
    spec = reader.mapping(key)
    if spec is None:
        return None
    sub = Reader(
        reader.collector,
        spec,
        question_id=reader.question_id,
        where=f"{reader.where + ' ' if reader.where else ''}visible_if".strip(),
    )
    sub.check_keys({"modalities", "answer"})
    # A key given as null is not given: {answer: null} alone would be stored as {}, which is refused.
    if spec.get("modalities") is None and spec.get("answer") is None:
        sub.problem("needs 'modalities' and/or 'answer'")
    modalities = sub.items("modalities") or []
    for modality in modalities:
        if not isinstance(modality, str) or modality not in MODALITIES:
            sub.problem(f"unknown modality {describe(modality)} (expected one of: {', '.join(MODALITIES)})")
    answer = sub.mapping("answer")
    condition = None
    if answer is not None:
        cond = Reader(reader.collector, answer, question_id=reader.question_id, where=sub.where + " answer")
        cond.check_keys({"question", "equals", "in"})
        target = cond.text("question", required=True)
        has_equals, has_in = "equals" in answer, "in" in answer
        if has_equals == has_in:
            cond.problem("needs exactly one of 'equals' or 'in'")
        values = [answer.get("equals")] if has_equals else (cond.items("in") or [])
        if target is not None and target not in ctx.all_ids:
            cond.problem(f"refers to question '{target}', which does not exist")
        elif target is not None and target not in ctx.earlier:
            cond.problem(
                f"refers to question '{target}', which is not earlier in the questionnaire; "
                f"a condition can only depend on an answer given before"
            )
        elif target is not None and (control := ctx.earlier[target]) is not None:
            if control.type not in ("yes_no", *CHOICE_TYPES):
                cond.problem(f"can depend only on a yes_no or choice question, not on {target} ({control.type})")
            elif _condition_values(cond, control, values, "the condition") and has_equals != has_in:
                condition = AnswerCondition(target, "equals" if has_equals else "in", tuple(values))
    if not all(isinstance(m, str) for m in modalities):
        return None
    return Visibility(tuple(modalities), condition)


def parse_must_have(reader: Reader, qtype: str, option_keys: tuple[str, ...], auto: str | None) -> MustHaveRule | None:
    """``{reason, equals | one_of | min_score}``, each only where it makes sense for the type."""
    spec = reader.mapping("must_have")
    if spec is None:
        return None
    sub = Reader(reader.collector, spec, question_id=reader.question_id, where="must_have")
    sub.check_keys({"reason", "equals", "one_of", "min_score"})
    reason = sub.text("reason", required=True)
    kinds = [k for k in ("equals", "one_of", "min_score") if spec.get(k) is not None]
    if len(kinds) != 1:
        sub.problem("needs exactly one of 'equals', 'one_of' or 'min_score'")
        return None
    kind = kinds[0]
    if kind == "min_score":
        score = sub.number("min_score", minimum=0, maximum=4)
        if auto is None:
            sub.problem("'min_score' needs an auto-scored question (scoring: {auto: ...})")
        return MustHaveRule(reason or "", min_score=score) if score is not None and reason else None
    values = [spec["equals"]] if kind == "equals" else (sub.items("one_of") or [])
    if qtype == "yes_no":
        ok = all(isinstance(v, bool) for v in values)
        expected = "true or false"
    elif qtype in CHOICE_TYPES:
        ok = all(isinstance(v, str) and v in option_keys for v in values)
        expected = f"option keys ({', '.join(option_keys)})"
    elif qtype in NUMERIC_TYPES and kind == "equals":
        ok = all(is_number(v) for v in values)
        expected = "a number"
    else:
        sub.problem(f"'{kind}' does not apply to a {qtype} question; use 'min_score' on its auto score")
        return None
    if not ok:
        sub.problem(f"'{kind}' must give {expected}, got {describe(spec[kind])}")
        return None
    if not values or reason is None:
        return None
    if kind == "equals":
        return MustHaveRule(reason, equals=values[0])
    return MustHaveRule(reason, one_of=tuple(values))


def parse_scoring(
    reader: Reader, ctx: QuestionContext, qtype: str, columns: tuple[Column, ...], option_keys: tuple[str, ...]
) -> Scoring:
    """``{rubric: {0..4: anchor}}`` and/or ``{auto: scorer, params: {...}}``; anchors default to DOMAIN.md's."""
    spec = reader.mapping("scoring")
    if spec is None:
        return Scoring()
    sub = Reader(reader.collector, spec, question_id=reader.question_id, where="scoring")
    sub.check_keys({"rubric", "auto", "params"})
    rubric = dict(DEFAULT_RUBRIC)
    for level, anchor in (sub.mapping("rubric") or {}).items():
        number = int(level) if isinstance(level, str) and level in ("0", "1", "2", "3", "4") else level
        if isinstance(number, bool) or number not in DEFAULT_RUBRIC:
            sub.problem(f"rubric level {describe(level)} must be 0, 1, 2, 3 or 4")
        elif not isinstance(anchor, str) or not anchor.strip():
            sub.problem(f"rubric anchor {number} must be a non-empty text")
        else:
            rubric[number] = anchor.strip()
    auto = sub.text("auto")
    params = dict(sub.mapping("params") or {})
    if "params" in spec and auto is None:
        sub.problem("'params' needs 'auto' naming the scorer")
    if auto == "choice_map" and isinstance(params.get("map"), Mapping):
        # yes/no answers are looked up as "yes"/"no"; a mapping built in code may use booleans.
        params["map"] = {
            ({True: "yes", False: "no"}[k] if isinstance(k, bool) else k): v for k, v in params["map"].items()
        }
    if not plain_json(params):
        sub.problem("'params' must hold plain values (text, numbers, true/false, lists, mappings)")
        return Scoring(rubric, None, {})
    if auto is not None and auto not in ctx.scorers:
        sub.problem(f"unknown scorer '{auto}' (expected one of: {', '.join(sorted(ctx.scorers))})")
    elif auto is not None:
        scorer_ctx = ScorerContext(sub, qtype, {c.id: c for c in columns}, option_keys)
        check_scorer_params(scorer_ctx, auto, params, ctx.registry_check)
    return Scoring(rubric, auto, params)


def parse_checks(reader: Reader, ctx: QuestionContext, columns: tuple[Column, ...]) -> tuple[Check, ...]:
    """Consistency checks ``[{kind, ...params}]`` of a table question."""
    checks: list[Check] = []
    for number, entry in enumerate(reader.items("checks") or [], start=1):
        if not isinstance(entry, Mapping) or not plain_json(dict(entry)):
            reader.problem(f"check {number} must be a mapping of plain values with a 'kind'")
            continue
        kind = entry.get("kind")
        if not isinstance(kind, str) or kind not in ctx.checks:
            reader.problem(
                f"check {number} has unknown kind {describe(kind)} (expected one of: {', '.join(sorted(ctx.checks))})"
            )
            continue
        check_check_params(reader, entry, {c.id: c for c in columns}, ctx.all_ids, ctx.check_validator)
        checks.append(Check(kind, {k: v for k, v in entry.items() if k != "kind"}))
    return tuple(checks)


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def parse_question(data: Any, number: int, section_id: str, ctx: QuestionContext) -> Question | None:
    """One question, or ``None`` when it had any problem (all of them recorded)."""
    collector = ctx.collector
    if not isinstance(data, Mapping):
        collector.add(None, f"section '{section_id}': question {number} must be a mapping, got {describe(data)}")
        return None
    qid = data.get("id")
    if not isinstance(qid, str) or not QUESTION_ID.fullmatch(qid):
        collector.add(
            None,
            f"section '{section_id}': question {number} has id {describe(qid)}; "
            f"ids look like COV-01 (2-5 capital letters, '-', 2 digits)",
        )
        return None
    before = len(collector)
    reader = Reader(collector, data, question_id=qid)
    qtype = data.get("type")
    if not isinstance(qtype, str) or qtype not in QUESTION_TYPES:
        reader.problem(f"unknown question type {describe(qtype)} (expected one of: {', '.join(QUESTION_TYPES)})")
        reader.check_keys(_COMMON_KEYS | set(_TYPE_KEYS))
        return None
    reader.check_keys(_COMMON_KEYS | set(_TYPE_KEYS), not_here=_misplaced(_TYPE_KEYS, qtype, "question"))
    text = reader.text("text", required=True)
    references = reader.items("references", required=True) or []
    for ref in references:
        if not isinstance(ref, str) or not ref.strip():
            reader.problem(f"reference {describe(ref)} must be a non-empty text")
    options = parse_options(reader) if qtype in CHOICE_TYPES else ()
    option_keys = tuple(o.key for o in options)
    columns = parse_columns(reader) if qtype == "table" else ()
    low, high = _bounds(reader, 100 if qtype == "percentage" else None) if qtype in NUMERIC_TYPES else (None, None)
    min_rows = reader.whole("min_rows") or 0
    max_rows = reader.whole("max_rows", minimum=max(1, min_rows))
    scoring = parse_scoring(reader, ctx, qtype, columns, option_keys)
    must_have = parse_must_have(reader, qtype, option_keys, scoring.auto)
    required = reader.flag("required")
    if must_have is not None and not required:
        reader.problem("a must-have question must be required: true")
    question = Question(
        id=qid,
        type=qtype,
        text=text or "",
        section_id=section_id,
        references=tuple(r.strip() for r in references if isinstance(r, str)),
        help=reader.text("help"),
        required=required,
        weight=float(_or(reader.number("weight", minimum=0), 1.0)),
        visible_if=parse_visibility(reader, ctx),
        must_have=must_have,
        scoring=scoring,
        options=options,
        unit=reader.text("unit"),
        min=low,
        max=high,
        integer=reader.flag("integer"),
        max_length=reader.whole("max_length", minimum=1),
        file=_parse_file(reader) if qtype == "file" else None,
        columns=columns,
        min_rows=min_rows,
        max_rows=max_rows,
        checks=parse_checks(reader, ctx, columns) if qtype == "table" else (),
        sample_check=parse_sample_check(reader, qtype, columns, option_keys),
    )
    return question if len(collector) == before else None
