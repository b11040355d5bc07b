"""Questionnaire definitions: the YAML format, its validation, and the JSON form the app stores.

Format (full reference with examples in ``questionnaires/README.md``)::

    id: data-collection-vendor        # slug; (id, version) names one immutable stored version
    title: ...
    version: 1                        # whole number >= 1
    language: en                      # BCP 47, default en
    description: ...                  # optional
    sections:
      - id: coverage                  # lower-case; modality sections: speech | vision | text
        title: Contributor coverage
        weight: 30                    # default section weight, > 0 (the buyer may change it)
        description: ...              # optional
        visible_if: {modalities: [speech]}   # optional, as for questions
        questions:
          - id: COV-01                # [A-Z]{2,5}-[0-9]{2}, unique in the questionnaire
            type: table               # yes_no single_choice multi_choice number percentage date text file table
            text: ...
            help: ...                 # optional
            required: true            # default false
            weight: 1                 # within the section, default 1; 0 = collected, not scored
            references: [...]         # at least one framework reference
            visible_if: {modalities: [speech], answer: {question: PRV-03, equals: true}}   # or in: [a, b]
            must_have: {reason: ..., equals: true}      # or one_of: [...] or min_score: 4
            options: [{key: crowd, label: Crowd platform, help: ...}]   # choice types, >= 2
            unit: hours; min: 0; max: 100; integer: true                # number (min/max for percentage)
            max_length: 2000                                            # text
            file: {types: [pdf, png], max_mb: 20}                       # file
            columns: [{id, type, label, required, help, min, max, unit, options, max_length}]   # table
            min_rows: 1; max_rows: 200                                  # table
            checks: [{kind: percent_sum, column: share, group_by: locale}]
            scoring: {rubric: {0: ..., 4: ...}}          # anchors; missing levels use DOMAIN.md's rubric
            scoring: {auto: coverage, params: {...}}     # a scorer registered in app.scoring
            sample_check: {measurement: locale_contributors, locale_column: locale, count_column: contributors}

Only ``true``/``false`` are booleans in these files (YAML 1.2): ``yes``, ``no``, ``on`` and ``off`` stay
text, so an option keyed ``no`` means what it says. Dates are read as text too.

:func:`parse_questionnaire` checks everything and raises one :class:`QuestionnaireError` listing every
problem; :func:`to_dict` gives back a JSON-ready definition that parses to an equal questionnaire;
:func:`definition_hash` fingerprints it so the app notices an edited file that needs a new version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

from app.questionnaires import contracts
from app.questionnaires.codes import normalise_locale
from app.questionnaires.errors import Collector, Problem, QuestionnaireError, Reader, describe
from app.questionnaires.model import (
    AnswerCondition,
    Column,
    MustHaveRule,
    Option,
    Question,
    Questionnaire,
    Section,
    Visibility,
)
from app.questionnaires.question_parser import QuestionContext, parse_question, parse_visibility

__all__ = [
    "Problem",
    "QuestionnaireError",
    "Questionnaire",
    "definition_hash",
    "load_questionnaire",
    "load_directory",
    "parse_questionnaire",
    "parse_yaml",
    "to_dict",
]

QUESTIONNAIRE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
SECTION_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_TOP_KEYS = {"id", "title", "version", "language", "description", "sections"}
_SECTION_KEYS = {"id", "title", "weight", "description", "visible_if", "questions"}


def _all_question_ids(sections: list[Any]) -> list[str]:
    ids = []
    for section in sections:
        questions = section.get("questions") if isinstance(section, Mapping) else None
        for question in questions if isinstance(questions, list) else []:
            qid = question.get("id") if isinstance(question, Mapping) else None
            if isinstance(qid, str):
                ids.append(qid)
    return ids


def parse_questionnaire(
    data: Any,
    *,
    source: str = "<data>",
    known_scorers: Collection[str] | None = None,
    known_checks: Collection[str] | None = None,
) -> Questionnaire:
    """Validate a definition (as read from YAML or stored JSON) and build the :class:`Questionnaire`.

    ``known_scorers`` / ``known_checks`` default to the registries of ``app.scoring`` (names given
    here replace them, and with them the registries' own validation). Raises :class:`QuestionnaireError` listing
    every problem; never any other exception, whatever the shape of ``data``.
    """
    collector = Collector(source)
    if not isinstance(data, Mapping):
        raise QuestionnaireError(
            [
                Problem(
                    source,
                    None,
                    f"a questionnaire must be a mapping of keys (id, title, sections, ...), got {describe(data)}",
                )
            ]
        )
    scorer_names, registry_check = _scorers(known_scorers)
    reader = Reader(collector, data)
    reader.check_keys(_TOP_KEYS)
    qid = reader.text("id", required=True, pattern=QUESTIONNAIRE_ID, hint="lower-case letters, digits and '-'")
    title = reader.text("title", required=True)
    version = reader.whole("version", required=True, minimum=1)
    language = reader.text("language") or "en"
    if normalise_locale(language) is None:
        reader.problem(f"'language' {describe(language)} is not a BCP 47 language tag (e.g. en)")
    raw_sections = reader.items("sections", required=True) or []
    all_ids = _all_question_ids(raw_sections)
    check_names, check_validator = _checks(known_checks)
    ctx = QuestionContext(collector, set(all_ids), {}, scorer_names, registry_check, check_names, check_validator)
    sections: list[Section] = []
    section_ids: set[str] = set()
    for number, raw in enumerate(raw_sections, start=1):
        section = _parse_section(raw, number, ctx)
        if section is not None:
            if section.id in section_ids:
                collector.add(None, f"section '{section.id}' appears twice; section ids must be unique")
            section_ids.add(section.id)
            sections.append(section)
    seen: set[str] = set()
    for question_id in all_ids:
        if question_id in seen:
            collector.add(question_id, "question id used more than once; ids must be unique")
        seen.add(question_id)
    if collector.problems:
        raise QuestionnaireError(collector.problems)
    return Questionnaire(
        id=qid or "",
        title=title or "",
        version=version or 1,
        language=language,
        sections=tuple(sections),
        description=reader.text("description"),
    )


def _scorers(names: Collection[str] | None) -> tuple[frozenset[str], contracts.ParamsCheck | None]:
    if names is not None:
        return frozenset(names), None
    return contracts.known_scorers()


def _checks(names: Collection[str] | None) -> tuple[frozenset[str], Callable[[Mapping[str, Any]], None] | None]:
    # Names given by the caller replace the registry, and with it the registry's own validation.
    if names is not None:
        return frozenset(names), None
    return contracts.known_checks()


def _parse_section(data: Any, number: int, ctx: QuestionContext) -> Section | None:
    collector = ctx.collector
    if not isinstance(data, Mapping):
        collector.add(None, f"section {number} must be a mapping with id, title and questions, got {describe(data)}")
        return None
    sid = data.get("id")
    where = f"section '{sid}'" if isinstance(sid, str) else f"section {number}"
    reader = Reader(collector, data, where=where)
    before = len(collector)
    reader.check_keys(_SECTION_KEYS)
    sid = reader.text("id", required=True, pattern=SECTION_ID, hint="lower-case letters, digits and '_'")
    title = reader.text("title", required=True)
    weight = reader.number("weight", required=True, positive=True)
    visible_if = parse_visibility(reader, ctx)
    questions: list[Question] = []
    for qnumber, raw in enumerate(reader.items("questions", required=True) or [], start=1):
        question = parse_question(raw, qnumber, sid or str(number), ctx)
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            # Later conditions may refer to this one even if it had problems (then unchecked: None).
            ctx.earlier.setdefault(raw["id"], question)
        if question is not None:
            questions.append(question)
    if len(collector) != before:
        return None
    return Section(
        id=sid or "",
        title=title or "",
        weight=float(weight or 0),
        questions=tuple(questions),
        description=reader.text("description"),
        visible_if=visible_if,
    )


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans, dates left as text, and duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 reads yes/no as booleans, 18_24 as 1824 and 10:30 as 630; YAML 1.2's core schema does
# not, and authors write option keys and labels like these. So plain scalars follow YAML 1.2 here.
_REPLACED_TAGS = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+)$"),
    list("-+0123456789."),
)


def parse_yaml(text: str | bytes, *, source: str = "<yaml>", **known: Collection[str] | None) -> Questionnaire:
    """Parse YAML text into a :class:`Questionnaire` (syntax errors reported with their line)."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise QuestionnaireError([Problem(source, None, f"YAML syntax error{where}: {exc.problem or exc}")]) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        # ValueError: e.g. an int literal too long to convert; RecursionError: absurdly deep nesting.
        raise QuestionnaireError([Problem(source, None, f"cannot read the YAML: {exc}")]) from None
    if data is None:
        raise QuestionnaireError([Problem(source, None, "the file is empty")])
    return parse_questionnaire(data, source=source, **known)


def load_questionnaire(path: str | Path, **known: Collection[str] | None) -> Questionnaire:
    """Read and validate one YAML file; problems name the file (e.g. ``data-collection-vendor.yaml``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionnaireError([Problem(path.name, None, f"cannot read the file: {exc}")]) from None
    return parse_yaml(text, source=path.name, **known)


def load_directory(directory: str | Path, **known: Collection[str] | None) -> dict[str, Questionnaire]:
    """Every ``*.yaml`` questionnaire of a directory by id; one error listing every file's problems."""
    found: dict[str, Questionnaire] = {}
    problems: list[Problem] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            questionnaire = load_questionnaire(path, **known)
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
            continue
        if questionnaire.id in found:
            problems.append(Problem(path.name, None, f"questionnaire id '{questionnaire.id}' is used by another file"))
        found[questionnaire.id] = questionnaire
    if problems:
        raise QuestionnaireError(problems)
    return found


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != () and v != []}


def _option(option: Option) -> dict[str, Any]:
    return _drop_none({"key": option.key, "label": option.label, "help": option.help})


def _column(column: Column) -> dict[str, Any]:
    return _drop_none(
        {
            "id": column.id,
            "type": column.type,
            "label": column.label,
            "required": column.required or None,
            "help": column.help,
            "min": column.min,
            "max": column.max,
            "unit": column.unit,
            "options": [_option(o) for o in column.options],
            "max_length": column.max_length,
        }
    )


def _visibility(visibility: Visibility | None) -> dict[str, Any] | None:
    if visibility is None:
        return None
    answer: AnswerCondition | None = visibility.answer
    condition = None
    if answer is not None:
        value: Any = answer.values[0] if answer.op == "equals" else list(answer.values)
        condition = {"question": answer.question, answer.op: value}
    return _drop_none({"modalities": list(visibility.modalities), "answer": condition})


def _must_have(rule: MustHaveRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return _drop_none(
        {
            "reason": rule.reason,
            "equals": rule.equals,
            "one_of": list(rule.one_of) if rule.one_of is not None else None,
            "min_score": rule.min_score,
        }
    )


def _question(q: Question) -> dict[str, Any]:
    scoring: dict[str, Any] = {"rubric": {str(level): text for level, text in sorted(q.scoring.rubric.items())}}
    if q.scoring.auto is not None:
        scoring["auto"] = q.scoring.auto
        scoring["params"] = json.loads(json.dumps(q.scoring.params))  # a deep copy, JSON-shaped
    return _drop_none(
        {
            "id": q.id,
            "type": q.type,
            "text": q.text,
            "help": q.help,
            "required": q.required,
            "weight": q.weight,
            "references": list(q.references),
            "visible_if": _visibility(q.visible_if),
            "must_have": _must_have(q.must_have),
            "options": [_option(o) for o in q.options],
            "unit": q.unit,
            "min": q.min,
            "max": q.max,
            "integer": q.integer or None,
            "max_length": q.max_length,
            "file": {"types": list(q.file.types), "max_mb": q.file.max_mb} if q.file else None,
            "columns": [_column(c) for c in q.columns],
            "min_rows": q.min_rows or None,
            "max_rows": q.max_rows,
            "checks": [{"kind": c.kind, **json.loads(json.dumps(c.params))} for c in q.checks],
            "scoring": scoring,
            "sample_check": (
                {"measurement": q.sample_check.measurement, **json.loads(json.dumps(q.sample_check.params))}
                if q.sample_check
                else None
            ),
        }
    )


def to_dict(questionnaire: Questionnaire) -> dict[str, Any]:
    """The definition as JSON-ready data; ``parse_questionnaire(to_dict(q)) == q``.

    Defaults are written out (rubric anchors, weights) so a stored version keeps its meaning even if
    the defaults in code change later.
    """
    return _drop_none(
        {
            "id": questionnaire.id,
            "title": questionnaire.title,
            "version": questionnaire.version,
            "language": questionnaire.language,
            "description": questionnaire.description,
            "sections": [
                _drop_none(
                    {
                        "id": s.id,
                        "title": s.title,
                        "weight": s.weight,
                        "description": s.description,
                        "visible_if": _visibility(s.visible_if),
                        "questions": [_question(q) for q in s.questions],
                    }
                )
                for s in questionnaire.sections
            ],
        }
    )


def definition_hash(data: Mapping[str, Any] | Questionnaire) -> str:
    """SHA-256 (hex) of the canonical JSON of a definition (sorted keys, no spaces, UTF-8).

    Pass what the app stores, ``to_dict(questionnaire)`` (a :class:`Questionnaire` is converted so):
    two files that differ only in comments, key order or spelled-out defaults hash the same.
    """
    if isinstance(data, Questionnaire):
        data = to_dict(data)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
