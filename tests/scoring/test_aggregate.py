import math

import pytest
from hypothesis import given, settings, strategies as st

from app.scoring.aggregate import (
    Failure,
    MustHave,
    QuestionSpec,
    SectionSpec,
    check_must_haves,
    rank,
    score_response,
)

SECTIONS = (
    SectionSpec("COV", "Contributor coverage", 40),
    SectionSpec("PRV", "Privacy and consent", 60),
)
QUESTIONS = (
    QuestionSpec("COV-01", "COV", 3),
    QuestionSpec("COV-02", "COV", 1),
    QuestionSpec("PRV-01", "PRV", 1, MustHave("no lawful basis", one_of=("consent", "contract"))),
    QuestionSpec("PRV-02", "PRV", 1, MustHave("consent must cover AI training", equals=True)),
)
ANSWERS = {"COV-01": [], "COV-02": 3, "PRV-01": "consent", "PRV-02": True}


def test_worked_example():
    scores = {"COV-01": 4, "COV-02": 2, "PRV-01": 3, "PRV-02": None}
    result = score_response(SECTIONS, QUESTIONS, scores, ANSWERS)
    # COV: (3·1 + 1·0.5)/4 = 0.875; PRV: (0.75 + 0)/2 = 0.375
    assert [s.score for s in result.sections] == pytest.approx([87.5, 37.5])
    assert [s.weight_share for s in result.sections] == pytest.approx([0.4, 0.6])
    assert [s.points for s in result.sections] == pytest.approx([35.0, 22.5])
    assert result.total == pytest.approx(57.5)
    assert [c.points for c in result.contributions] == pytest.approx([30.0, 5.0, 22.5, 0.0])
    assert result.contributions[3].score is None
    assert result.disqualified == ()


def test_all_fours_score_hundred_and_zero_weight_sections_contribute_nothing():
    sections = (*SECTIONS, SectionSpec("INFO", "About you", 0))
    questions = (*QUESTIONS, QuestionSpec("INFO-01", "INFO", 1))
    scores = {q.id: 4 for q in questions}
    result = score_response(sections, questions, scores, ANSWERS)
    assert result.total == pytest.approx(100.0)
    assert result.sections[2].points == 0 and result.contributions[-1].points == 0


@pytest.mark.parametrize(
    "sections, questions, scores, message",
    [
        (SECTIONS, (QuestionSpec("X", "NOPE"),), {}, "unknown section"),
        (SECTIONS, (*QUESTIONS, QUESTIONS[0]), {}, "question ids must be unique"),
        ((*SECTIONS, SECTIONS[0]), QUESTIONS, {}, "section ids must be unique"),
        (SECTIONS, QUESTIONS, {"COV-01": 5}, "within 0..4"),
        (SECTIONS, QUESTIONS[:2], {}, "section 'PRV' has weight but no question"),
        ((SectionSpec("A", "A", 0),), (), {}, "all weights are zero"),
        (SECTIONS, (QuestionSpec("COV-01", "COV", -1),), {}, "zero or more"),
    ],
)
def test_configuration_errors(sections, questions, scores, message):
    with pytest.raises(ValueError, match=message):
        score_response(sections, questions, scores, {})


@pytest.mark.parametrize(
    "answers, scores, expected",
    [
        ({"PRV-01": None, "PRV-02": True}, {}, {"PRV-01": "unanswered"}),
        (
            {"PRV-01": "legitimate interest", "PRV-02": 1},
            {},
            {"PRV-01": "legitimate interest, which is none of: consent, contract", "PRV-02": "is 1, not yes"},
        ),
        ({"PRV-01": ["contract", "other"], "PRV-02": True}, {}, {}),
        ({"PRV-01": "  ", "PRV-02": False}, {}, {"PRV-01": "unanswered", "PRV-02": "is no, not yes"}),
    ],
)
def test_must_haves(answers, scores, expected):
    failures = check_must_haves(QUESTIONS, answers, scores)
    assert {f.question_id: f.detail for f in failures}.keys() == expected.keys()
    for failure in failures:
        assert expected[failure.question_id] in failure.detail


def test_min_score_must_have_for_a_missing_mandatory_locale():
    question = QuestionSpec("COV-03", "COV", must_have=MustHave("no contributors in a mandatory locale", min_score=4))
    table = [{"locale": "en-US", "contributors": 10}]
    (failure,) = check_must_haves([question], {"COV-03": table}, {"COV-03": 2.0})
    assert failure == Failure(
        "COV-03", "no contributors in a mandatory locale", "scores 2.00, below the required 4 of 4"
    )
    assert check_must_haves([question], {"COV-03": table}, {"COV-03": 4.0}) == ()
    assert "not scored yet" in check_must_haves([question], {"COV-03": table}, {})[0].detail


def test_disqualified_response_keeps_its_total():
    result = score_response(SECTIONS, QUESTIONS, {"COV-01": 4}, {"PRV-02": True})
    assert result.total > 0
    assert [f.question_id for f in result.disqualified] == ["PRV-01"]


def _result(total, failures=()):
    result = score_response((SectionSpec("S", "S", 1),), (QuestionSpec("Q", "S"),), {"Q": total / 25}, {})
    return result if not failures else type(result)(result.total, (), (), failures)


def test_rank_shares_ties_and_sets_disqualified_apart():
    failure = Failure("PRV-01", "no lawful basis", "unanswered")
    ranking = rank(
        {
            "delta": _result(50.0),
            "beta": _result(75.0),
            "alpha": _result(75.0),
            "gamma": _result(100.0, (failure,)),
            "epsilon": _result(25.0),
        }
    )
    assert [(v.key, v.rank) for v in ranking.ranked] == [
        ("alpha", 1),
        ("beta", 1),
        ("delta", 3),
        ("epsilon", 4),
    ]
    assert ranking.disqualified == (("gamma", (failure,)),)


def test_rank_treats_round_off_as_a_tie():
    near = _result(75.0)
    nearer = type(near)(75.0 - 1e-12, (), (), ())
    ranking = rank({"b": near, "a": nearer})
    assert [(v.key, v.rank) for v in ranking.ranked] == [("a", 1), ("b", 1)]


# --- properties -------------------------------------------------------------------------------

score_values = st.one_of(st.none(), st.floats(0, 4), st.sampled_from([0, 1, 2, 3, 4]))


@st.composite
def questionnaires(draw):
    n_sections = draw(st.integers(1, 4))
    sections = tuple(SectionSpec(f"S{i}", f"Section {i}", draw(st.floats(0.01, 100))) for i in range(n_sections))
    questions = []
    for i in range(n_sections):
        for j in range(draw(st.integers(1, 4))):
            weight = draw(st.floats(0, 10)) if j else draw(st.floats(0.01, 10))
            questions.append(QuestionSpec(f"S{i}-Q{j}", f"S{i}", weight))
    scores = {q.id: draw(score_values) for q in questions}
    return sections, tuple(questions), scores


@settings(max_examples=100, deadline=None)
@given(questionnaires())
def test_total_in_range_and_contributions_add_up(setup):
    sections, questions, scores = setup
    result = score_response(sections, questions, scores, {})
    assert 0 <= result.total <= 100 + 1e-9
    assert math.fsum(c.points for c in result.contributions) == pytest.approx(result.total, abs=1e-9)
    assert math.fsum(s.points for s in result.sections) == pytest.approx(result.total, abs=1e-9)
    assert all(0 <= s.score <= 100 + 1e-9 for s in result.sections)


@settings(max_examples=100, deadline=None)
@given(questionnaires(), st.data())
def test_raising_one_score_never_lowers_the_total(setup, data):
    sections, questions, scores = setup
    question = data.draw(st.sampled_from(questions))
    before = scores[question.id] or 0.0
    raised = {**scores, question.id: data.draw(st.floats(before, 4))}
    low = score_response(sections, questions, scores, {}).total
    high = score_response(sections, questions, raised, {}).total
    assert high >= low - 1e-9


@settings(max_examples=100, deadline=None)
@given(questionnaires(), st.floats(0.001, 1000), st.floats(0.001, 1000))
def test_scaling_all_weights_changes_nothing(setup, section_factor, question_factor):
    sections, questions, scores = setup
    scaled_sections = tuple(SectionSpec(s.id, s.title, s.weight * section_factor) for s in sections)
    scaled_questions = tuple(QuestionSpec(q.id, q.section_id, q.weight * question_factor) for q in questions)
    plain = score_response(sections, questions, scores, {})
    scaled = score_response(scaled_sections, scaled_questions, scores, {})
    assert scaled.total == pytest.approx(plain.total, abs=1e-9)
    assert [c.points for c in scaled.contributions] == pytest.approx([c.points for c in plain.contributions], abs=1e-9)


# --- not scored: left out of the section's average, never a free 4 nor a free 0 -------------------


def test_a_not_scored_question_is_left_out_of_its_sections_average():
    scores = {"COV-01": None, "COV-02": 2, "PRV-01": 4, "PRV-02": 4}
    reason = "Not scored: the buyer listed no required locales"
    result = score_response(SECTIONS, QUESTIONS, scores, ANSWERS, {"COV-01": reason})
    # COV-01 (weight 3) is left out: COV is COV-02 alone, 2/4.
    assert result.sections[0].score == pytest.approx(50.0)
    assert result.total == pytest.approx(0.4 * 50 + 0.6 * 100)
    assert result.contributions[0].not_scored == reason and result.contributions[0].points == 0
    # Without the reason the same missing score counts 0 (an evaluator has not scored it yet).
    assert score_response(SECTIONS, QUESTIONS, scores, ANSWERS).sections[0].score == pytest.approx(12.5)


def test_a_section_with_nothing_to_score_is_left_out_and_the_others_share_its_weight():
    scores = {"PRV-01": 2, "PRV-02": 2}
    reasons = {"COV-01": "Not scored: no locales", "COV-02": "Not scored: no locales"}
    result = score_response(SECTIONS, QUESTIONS, scores, ANSWERS, reasons)
    cov, prv = result.sections
    assert cov.weight_share == 0 and cov.points == 0 and cov.not_scored == "Not scored: no locales"
    assert prv.weight_share == pytest.approx(1.0) and result.total == pytest.approx(50.0)


def test_a_min_score_must_have_is_not_applied_to_a_question_that_is_not_scored():
    question = QuestionSpec("COV-01", "COV", must_have=MustHave("short in a locale", min_score=4))
    answers = {"COV-01": [{"locale": "en-US", "contributors": 10}]}
    assert check_must_haves([question], answers, {"COV-01": None}, {"COV-01": "Not scored: x"}) == ()
    # The answer must still be given.
    (failure,) = check_must_haves([question], {}, {}, {"COV-01": "Not scored: x"})
    assert failure.detail == "unanswered"


@settings(max_examples=80, deadline=None)
@given(
    weight=st.sampled_from([0, 0.5, 1, 3, 10]),
    answer=st.sampled_from([None, "", "consent", "contract", "none", ["consent"], ["none"], True, 1]),
    score=st.one_of(st.none(), st.sampled_from([0.0, 1.5, 3.99, 4.0])),
    rule=st.sampled_from(
        [
            MustHave("basis", one_of=("consent", "contract")),
            MustHave("covers training", equals=True),
            MustHave("complete", min_score=4),
        ]
    ),
)
def test_must_have_outcome_does_not_depend_on_the_questions_weight(weight, answer, score, rule):
    questions = (QuestionSpec("PRV-00", "PRV", 1), QuestionSpec("PRV-01", "PRV", weight, rule))
    scores = {"PRV-00": 4, "PRV-01": score}
    answers = {"PRV-01": answer}
    baseline = score_response(
        SECTIONS[1:], (questions[0], QuestionSpec("PRV-01", "PRV", 1, rule)), scores, answers
    ).disqualified
    assert score_response(SECTIONS[1:], questions, scores, answers).disqualified == baseline
    assert check_must_haves(questions, answers, scores) == baseline
