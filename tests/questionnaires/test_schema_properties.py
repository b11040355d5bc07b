"""Whatever a definition looks like, parsing ends in a Questionnaire or a QuestionnaireError.

Every example is checked either way: a refusal says where each problem is, and an accepted definition
is the questionnaire it describes (same ids in the same order) and survives storage unchanged.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from app.questionnaires import (
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
    parse_yaml,
    to_dict,
)

from .conftest import SMALL_DEFINITION, VENDOR_FILE

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["COV-01", "locale", "table", "coverage", "yes", "consent", "min_contributors"]),
)
junk = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.text(max_size=8), st.sampled_from(["id", "type", "columns", "options"]), st.integers(), st.booleans()
            ),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


# A problem names where it is: its question, a quoted key ('title'), a key by value, a numbered section, or
# the questionnaire as a whole.
_LOCATION = re.compile(r"'[^']*'|\bkey\b|\bsection \d+|\bquestionnaire\b")


def assert_refused_with_locations(error: QuestionnaireError) -> None:
    assert error.problems, "a refusal without any problem"
    for problem in error.problems:
        assert problem.message.strip(), problem
        assert problem.question_id or _LOCATION.search(problem.message), f"says not where: {problem}"


def assert_is_the_definition(parsed: Questionnaire, definition: dict[str, Any]) -> None:
    assert isinstance(parsed, Questionnaire)
    assert parsed.id == definition["id"]
    assert [s.id for s in parsed.sections] == [s["id"] for s in definition["sections"]]
    for section, raw in zip(parsed.sections, definition["sections"], strict=True):
        assert [q.id for q in section.questions] == [q["id"] for q in raw["questions"]]
    assert parse_questionnaire(json.loads(json.dumps(to_dict(parsed)))) == parsed


def _parse(data: Any) -> None:
    try:
        parsed = parse_questionnaire(data)
    except QuestionnaireError as exc:
        assert_refused_with_locations(exc)
    else:
        assert_is_the_definition(parsed, data)


VENDOR_DICT = to_dict(load_questionnaire(VENDOR_FILE))
BASES = (SMALL_DEFINITION, VENDOR_DICT)
PATHS = tuple(tuple(_paths(base)) for base in BASES)


@given(junk)
def test_any_junk_is_refused_cleanly(data):
    with pytest.raises(QuestionnaireError) as refused:
        parse_questionnaire(data)
    assert_refused_with_locations(refused.value)


# Each example parses the vendor questionnaire up to twice: too slow for a per-example deadline on a busy machine.
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_valid_definition_broken_anywhere_is_refused_cleanly(data):
    which = data.draw(st.sampled_from([0, 1]))
    definition = copy.deepcopy(BASES[which])
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(PATHS[which]))
        parent = definition
        try:
            for step in path[:-1]:
                parent = parent[step]
            if data.draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = data.draw(junk)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    _parse(definition)


@given(st.text(max_size=200))
def test_any_text_as_yaml_is_refused_cleanly(text):
    with pytest.raises(QuestionnaireError) as refused:
        parse_yaml(text)
    assert refused.value.problems and all(p.message.strip() for p in refused.value.problems)


@given(junk)
def test_junk_dumped_as_yaml_is_refused_cleanly(data):
    try:
        text = yaml.safe_dump({"id": "x", "sections": [data]})
    except yaml.YAMLError:
        return
    with pytest.raises(QuestionnaireError) as refused:  # no title or version, whatever the section is
        parse_yaml(text)
    assert_refused_with_locations(refused.value)


@given(st.data())
def test_whatever_parses_round_trips(data):
    # Mutating only values that keep the definition valid (weights, texts) must round trip exactly.
    definition = copy.deepcopy(SMALL_DEFINITION)
    definition["sections"][0]["weight"] = data.draw(st.floats(min_value=0.01, max_value=1000))
    definition["title"] = data.draw(st.text(min_size=1).filter(str.strip))
    definition["sections"][1]["questions"][1]["max"] = data.draw(st.integers(min_value=0, max_value=10**9))
    parsed = parse_questionnaire(definition)
    assert_is_the_definition(parsed, definition)
    assert parsed.title == definition["title"].strip()
    assert parsed.sections[0].weight == pytest.approx(definition["sections"][0]["weight"])
