"""Definition validation: each mistake reported once, with where and what, all of them at once."""

from __future__ import annotations

import pytest

from app.questionnaires import (
    QuestionnaireError,
    load_directory,
    load_questionnaire,
    parse_questionnaire,
    parse_yaml,
    to_dict,
)
from app.questionnaires.model import DEFAULT_RUBRIC


def problems(data, **kwargs) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(data, source="test.yaml", **kwargs)
    return [str(p) for p in caught.value.problems]


def question(data, qid):
    for section in data["sections"]:
        for entry in section["questions"]:
            if entry["id"] == qid:
                return entry
    raise KeyError(qid)


def test_small_definition_is_valid(small):
    parsed = parse_questionnaire(small)
    assert [q.id for q in parsed.questions] == ["COV-01", "COV-02", "PRV-01", "PRV-02"]
    assert parsed.question("PRV-02").visible_if.answer.values == (True,)
    assert parsed.section("privacy").weight == 50.0
    assert parsed.question("COV-01").column("contributors").label == "Contributors"  # label from id
    assert parsed.question("PRV-01").scoring.rubric == DEFAULT_RUBRIC
    assert parsed.language == "en"
    with pytest.raises(KeyError):
        parsed.question("NOPE-01")


def test_unknown_column_type_names_file_question_and_column(small):
    question(small, "COV-01")["columns"][2]["type"] = "percent"
    message = problems(small)[0]
    assert message.startswith("test.yaml: COV-01: column 'share' has unknown type 'percent' (expected one of: locale")


def test_all_problems_are_reported_not_just_the_first(small):
    del small["title"]
    small["sections"][0]["weight"] = 0
    question(small, "COV-02")["type"] = "boolean"
    question(small, "PRV-01")["references"] = []
    question(small, "PRV-02")["scoring"]["auto"] = "magic"
    found = problems(small)
    assert any("missing required key 'title'" in m for m in found)
    assert any("section 'coverage': 'weight' must be greater than 0" in m for m in found)
    assert any("COV-02: unknown question type 'boolean'" in m for m in found)
    assert any("PRV-01: 'references' must not be empty" in m for m in found)
    assert any("PRV-02: scoring: unknown scorer 'magic'" in m for m in found)


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["sections"][1].update(id="coverage"), "section 'coverage' appears twice"),
        (lambda d: question(d, "PRV-01").update(id="COV-01"), "COV-01: question id used more than once"),
        (lambda d: question(d, "PRV-01").update(id="prv-1"), "question 1 has id 'prv-1'; ids look like COV-01"),
        (lambda d: question(d, "COV-01")["columns"][1].update(id="locale"), "column 'locale': repeats a column id"),
        (lambda d: question(d, "PRV-01")["options"][1].update(key="consent"), "option key 'consent' is used twice"),
        (
            lambda d: question(d, "PRV-01")["options"][1].update(label="consent"),
            "option 'none' clashes with option 'consent'",
        ),
        (lambda d: question(d, "PRV-01")["options"].pop(), "'options' needs at least two options"),
        (lambda d: question(d, "PRV-01")["options"][0].update(label="A; B"), "must not contain ';'"),
        (
            lambda d: question(d, "PRV-02").update(visible_if={"answer": {"question": "PRV-09", "equals": True}}),
            "refers to question 'PRV-09', which does not exist",
        ),
        (
            lambda d: question(d, "COV-02").update(visible_if={"answer": {"question": "PRV-01", "equals": "consent"}}),
            "which is not earlier in the questionnaire",
        ),
        (
            lambda d: question(d, "PRV-02").update(visible_if={"answer": {"question": "PRV-01", "in": ["maybe"]}}),
            "compares PRV-01 with 'maybe', which is not one of its options",
        ),
        (
            lambda d: question(d, "PRV-02").update(visible_if={"answer": {"question": "COV-02", "equals": "yes"}}),
            "use true or false",
        ),
        (lambda d: question(d, "PRV-02").update(visible_if={"modalities": ["smell"]}), "unknown modality 'smell'"),
        (lambda d: question(d, "PRV-02").update(visible_if={"answer": None}), "needs 'modalities' and/or 'answer'"),
        (
            lambda d: question(d, "PRV-01").update(must_have={"reason": "x", "equals": "maybe"}),
            "'equals' must give option keys",
        ),
        (lambda d: question(d, "PRV-02").update(must_have={"reason": "x", "min_score": 3}), "must be required: true"),
        (
            lambda d: question(d, "PRV-01").update(must_have={"reason": "x", "min_score": 3}),
            "needs an auto-scored question",
        ),
        (
            lambda d: question(d, "COV-01").update(must_have={"reason": "x", "equals": 3}),
            "'equals' does not apply to a table",
        ),
        (
            lambda d: question(d, "PRV-01").update(
                must_have={"equals": "consent", "one_of": ["consent"], "reason": "r"}
            ),
            "exactly one of 'equals', 'one_of' or 'min_score'",
        ),
        (
            lambda d: question(d, "COV-01")["scoring"]["params"].update(count_column="people"),
            "scorer param 'count_column' names column 'people', which the table does not have",
        ),
        (
            lambda d: question(d, "COV-01")["scoring"]["params"].update(locale_column="contributors"),
            "it must be of type locale",
        ),
        (lambda d: question(d, "COV-01")["scoring"]["params"].update(extra=1), "scorer 'coverage' does not take extra"),
        (lambda d: question(d, "PRV-02")["scoring"].update(auto="coverage"), "scorer 'coverage' cannot score a number"),
        (
            lambda d: question(d, "PRV-02")["scoring"]["params"].update(bands=[[7, 5]]),
            "band 1 score must be a score from 0 to 4",
        ),
        (
            lambda d: question(d, "COV-02")["scoring"]["params"].update(map={"maybe": 2}),
            "choice_map key 'maybe' is not one of: yes, no",
        ),
        (
            lambda d: question(d, "COV-01")["checks"][0].update(kind="sum_to_100"),
            "check 1 has unknown kind 'sum_to_100'",
        ),
        (lambda d: question(d, "COV-01")["checks"][0].update(group_by="region"), "param 'group_by' names 'region'"),
        (
            lambda d: question(d, "COV-01")["checks"].append(
                {"kind": "total_matches", "column": "contributors", "total_question": "COV-09"}
            ),
            "param 'total_question' names 'COV-09', which is not a question",
        ),
        (
            lambda d: question(d, "COV-01").update(options=[{"key": "a", "label": "A"}]),
            "'options' does not apply to a table question",
        ),
        (
            lambda d: question(d, "COV-01")["columns"][1].update(options=[]),
            "'options' does not apply to a integer column",
        ),
        (lambda d: question(d, "COV-02").update(wieght=2), "unknown key 'wieght'"),
        (lambda d: question(d, "PRV-02").update(min=10, max=5), "'min' (10) is greater than 'max' (5)"),
        (lambda d: question(d, "PRV-02")["scoring"].update(rubric={7: "x"}), "rubric level 7 must be 0, 1, 2, 3 or 4"),
        (lambda d: d.update(version="1"), "'version' must be a whole number"),
        (lambda d: d.update(language="english"), "'language' 'english' is not a BCP 47 language tag"),
        (lambda d: d["sections"][0].update(questions="COV-01"), "'questions' must be a list"),
        (lambda d: d["sections"].append(None), "section 3 must be a mapping"),
    ],
)
def test_each_mistake_is_reported_with_its_place(small, mutate, expected):
    mutate(small)
    found = problems(small)
    assert any(expected in message for message in found), found


def test_known_registries_can_be_given(small):
    found = problems(small, known_scorers={"choice_map", "threshold_bands"}, known_checks={"range"})
    assert any("unknown scorer 'coverage'" in m for m in found)
    assert any("unknown kind 'percent_sum'" in m for m in found)


def test_a_scorer_known_only_to_the_registry_is_accepted_without_a_contract(small):
    question(small, "COV-02")["scoring"] = {"auto": "novel", "params": {"anything": 1}}
    parsed = parse_questionnaire(small, known_scorers={"novel", "coverage", "threshold_bands"})
    assert parsed.question("COV-02").scoring.auto == "novel"


def test_boolean_choice_map_keys_become_yes_no(small):
    question(small, "COV-02")["scoring"]["params"]["map"] = {True: 4, False: 0}
    parsed = parse_questionnaire(small)
    assert parsed.question("COV-02").scoring.params["map"] == {"yes": 4, "no": 0}


def test_rubric_anchors_override_defaults_and_survive_json(small):
    question(small, "PRV-01")["scoring"] = {"rubric": {"0": "No basis.", 4: "Basis with records."}}
    parsed = parse_questionnaire(small)
    rubric = parsed.question("PRV-01").scoring.rubric
    assert rubric[0] == "No basis." and rubric[4] == "Basis with records." and rubric[2] == DEFAULT_RUBRIC[2]
    assert to_dict(parsed)["sections"][1]["questions"][0]["scoring"]["rubric"]["0"] == "No basis."


@pytest.mark.parametrize("data", [None, [], "text", 3, [{"id": "x"}]])
def test_a_definition_that_is_not_a_mapping_is_refused(data):
    assert "must be a mapping" in problems(data)[0]


def test_yaml_syntax_error_reports_the_line():
    with pytest.raises(QuestionnaireError) as caught:
        parse_yaml("id: x\ntitle: [unclosed\nversion: 1\n", source="broken.yaml")
    (problem,) = caught.value.problems
    assert problem.source == "broken.yaml" and "YAML syntax error at line" in problem.message


def test_duplicate_yaml_keys_are_refused():
    with pytest.raises(QuestionnaireError, match="line 3.*duplicate key 'title'"):
        parse_yaml("id: x\ntitle: a\ntitle: b\n")


def test_empty_yaml_is_refused():
    with pytest.raises(QuestionnaireError, match="the file is empty"):
        parse_yaml("# nothing\n")


def test_yaml_words_and_numbers_stay_what_authors_mean():
    text = """
id: words
title: Words
version: 1
sections:
  - id: s
    title: S
    weight: 1
    questions:
      - id: AB-01
        type: single_choice
        text: Pick
        references: [GDPR Art. 6]
        options: [{key: yes, label: Yes}, {key: no, label: No}, {key: 18_24, label: 18-24}]
"""
    parsed = parse_yaml(text)
    assert parsed.question("AB-01").option_keys == ("yes", "no", "18_24")


def test_load_questionnaire_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: Bad Id\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert all(p.source == "broken.yaml" for p in caught.value.problems)
    assert "does not match" in str(caught.value)
    with pytest.raises(QuestionnaireError, match="cannot read the file"):
        load_questionnaire(tmp_path / "missing.yaml")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(QuestionnaireError, match="cannot read the file"):
        load_questionnaire(tmp_path / "binary.yaml")


def test_load_directory_refuses_two_files_with_one_id(tmp_path):
    from .conftest import PILOT_FILE

    text = PILOT_FILE.read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="is used by another file"):
        load_directory(tmp_path)


def test_the_consistency_module_validates_check_params_when_present(small):
    pytest.importorskip("app.scoring.consistency")
    question(small, "COV-01")["checks"][0]["colour"] = "red"
    assert any("COV-01: check 'percent_sum' does not take colour" in m for m in problems(small))


def test_a_sample_check_is_read_and_survives_json(small):
    question(small, "COV-01")["sample_check"] = {
        "measurement": "locale_contributors",
        "locale_column": "locale",
        "count_column": "contributors",
    }
    question(small, "PRV-01")["sample_check"] = {"measurement": "personal_data_removed", "when": ["consent"]}
    parsed = parse_questionnaire(small)
    check = parsed.question("COV-01").sample_check
    assert (check.measurement, dict(check.params)) == (
        "locale_contributors",
        {"locale_column": "locale", "count_column": "contributors"},
    )
    assert parsed.question("COV-02").sample_check is None
    assert parse_questionnaire(to_dict(parsed)) == parsed
    assert to_dict(parsed)["sections"][0]["questions"][0]["sample_check"]["measurement"] == "locale_contributors"


@pytest.mark.parametrize(
    ("qid", "check", "expected"),
    [
        (
            "COV-01",
            {"measurement": "magic"},
            "COV-01: sample_check: unknown measurement 'magic' (expected one of: locale_contributors",
        ),
        (
            "COV-02",
            {"measurement": "locale_contributors", "locale_column": "locale", "count_column": "contributors"},
            "measurement 'locale_contributors' cannot confirm a yes_no question (it reads table)",
        ),
        (
            "COV-01",
            {"measurement": "locale_contributors", "locale_column": "country", "count_column": "contributors"},
            "sample_check 'locale_column' names 'country', which is not a column of the table",
        ),
        (
            "COV-01",
            {"measurement": "locale_contributors", "locale_column": "contributors", "count_column": "share"},
            "names column 'contributors' of type 'integer'; it must be of type locale",
        ),
        (
            "COV-01",
            {"measurement": "locale_contributors", "locale_column": "locale"},
            "sample_check needs 'count_column'",
        ),
        (
            "COV-01",
            {"measurement": "demographic_mix", "category_column": "locale", "value_column": "contributors"},
            "sample_check needs 'metadata_column'",
        ),
        (
            "COV-01",
            {
                "measurement": "quality_thresholds",
                "metric_column": "locale",
                "threshold_column": "locale",
                "colour": "red",
            },
            "measurement 'quality_thresholds' does not take colour",
        ),
        (
            "PRV-01",
            {"measurement": "personal_data_removed", "when": ["automatic"]},
            "sample_check 'when' value 'automatic' is not one of the question's options (consent, none)",
        ),
        ("PRV-01", {"measurement": "personal_data_removed"}, "sample_check needs 'when'"),
        ("PRV-02", {"measurement": "contributor_share", "extra": 1}, "'contributor_share' does not take extra"),
    ],
)
def test_a_wrong_sample_check_is_reported(small, qid, check, expected):
    question(small, qid)["sample_check"] = check
    found = problems(small)
    assert any(expected in message for message in found), found


def test_listed_checks_name_known_thresholds(small):
    small["sections"][1]["questions"].append(
        {
            "id": "PRV-03",
            "type": "multi_choice",
            "text": "Checks",
            "references": ["GDPR Art. 32"],
            "options": [{"key": "clip", "label": "Clipping"}, {"key": "vibe", "label": "Vibe"}],
            "sample_check": {
                "measurement": "checks_listed",
                "checks": {"clip": "clipping", "vibe": "mood", "x": "snr"},
            },
        }
    )
    found = problems(small)
    assert any("sample_check threshold 'mood' for option 'vibe' is not one of: sample_rate" in m for m in found)
    assert any("sample_check 'checks' key 'x' is not one of the question's options" in m for m in found)
