"""Whatever a definition looks like, parsing ends in a Questionnaire or a QuestionnaireError."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.questionnaires import QuestionnaireError, load_questionnaire, parse_questionnaire, parse_yaml, to_dict

from .conftest import SMALL_DEFINITION, VENDOR_FILE

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["COV-01", "locale", "table", "coverage", "yes", "consent", "min_contributors"]),
)
junk = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(["id", "type", "columns", "options"]),
                                  st.integers(), st.booleans()), children, max_size=4),
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


def _parse(data: Any) -> None:
    try:
        parse_questionnaire(data)
    except QuestionnaireError as exc:
        assert exc.problems and all(p.message for p in exc.problems)


VENDOR_DICT = to_dict(load_questionnaire(VENDOR_FILE))
BASES = (SMALL_DEFINITION, VENDOR_DICT)
PATHS = tuple(tuple(_paths(base)) for base in BASES)


@given(junk)
def test_any_junk_is_refused_cleanly(data):
    _parse(data)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
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
    try:
        parse_yaml(text)
    except QuestionnaireError as exc:
        assert exc.problems


@given(junk)
def test_junk_dumped_as_yaml_is_refused_cleanly(data):
    try:
        text = yaml.safe_dump({"id": "x", "sections": [data]})
    except yaml.YAMLError:
        return
    try:
        parse_yaml(text)
    except QuestionnaireError as exc:
        assert exc.problems


@given(st.data())
def test_whatever_parses_round_trips(data):
    # Mutating only values that keep the definition valid (weights, texts) must round trip exactly.
    definition = copy.deepcopy(SMALL_DEFINITION)
    definition["sections"][0]["weight"] = data.draw(st.floats(min_value=0.01, max_value=1000))
    definition["title"] = data.draw(st.text(min_size=1).filter(str.strip))
    definition["sections"][1]["questions"][1]["max"] = data.draw(st.integers(min_value=0, max_value=10**9))
    parsed = parse_questionnaire(definition)
    stored = json.loads(json.dumps(to_dict(parsed)))
    assert parse_questionnaire(stored) == parsed
