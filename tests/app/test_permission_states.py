"""State rows: the rules that depend on state, checked in each state, for web routes and API operations alike.

Each table reads as: operation, the roles it is about, then what each of them gets in each state.
``OK`` is a success (2xx; a web form may also redirect), a number is the refusal expected. The roles
listed are those the matrices (test_permissions.py, test_api_permissions.py) let in; here only the
state changes.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Answer, EvidenceLevel
from app.reviews import services as reviews, verification
from tests.app.helpers import raw_answers
from tests.app.matrix import (
    EVALUATORS,
    OTHER_EVALUATOR,
    RESULT_READERS,
    SEALED_STATES,
    STAFF_READERS,
    consensus,
    consensus_count,
    consensus_form,
    declaration,
    is_success,
    prepare,
    put_in_sealed_state,
    request_as,
    save_scores,
    withdraw_declaration,
)

OK = "ok"
OWNER = {"vendor_b"}  # vendor B's own submitted response: never sealed from its author
BODIES = {
    ("post", "/api/v1/responses/{submitted}/declaration"): declaration,
    ("put", "/api/v1/responses/{submitted}/consensus/{scored_question}"): consensus,
    ("post", "/reviews/{submitted}/consensus"): consensus_form,
}
# What must exist before an allowed role can succeed at all (tests/app/matrix.py GIVEN).
NEEDS = {
    ("get", "/reviews/{submitted}/consensus"): ("scores submitted",),
    ("get", "/api/v1/responses/{submitted}/consensus"): ("scores submitted",),
}


def _cases(table, states):
    """One case per role and state of each row: (method, url, role, state, expected)."""
    return [
        pytest.param(method, url, role, state, outcome, id=f"{method.upper()} {url} | {role} | {state}")
        for method, url, roles, *expected in table
        for role in sorted(roles)
        for state, outcome in zip(states, expected, strict=True)
    ]


def _send(client, login, scene, role, method, url):
    body = BODIES.get((method, url))
    return request_as(client, login, scene, role, method, scene.url(url), **(body(scene) if body else {}))


def _assert_outcome(answer, expected, method, url, role, state):
    got = answer.status_code
    if expected == OK:
        assert is_success(answer, url, method), f"{role} should succeed at {method.upper()} {url} ({state}); got {got}"
    else:
        assert got == expected, f"{role} must be refused {expected} at {method.upper()} {url} ({state}); got {got}"


# --- Sealed: until the deadline of a sealed evaluation, the buying side reads nothing a vendor submitted.

BUYER_SIDE = STAFF_READERS
SEALED = [
    # method  url                                                         roles            before  after  unsealed
    ("get", "/responses/{submitted}/view", BUYER_SIDE, 403, OK, OK),
    ("get", "/responses/{submitted}/view", OWNER, OK, OK, OK),
    ("get", "/responses/evidence/{submitted_attachment}", BUYER_SIDE, 403, OK, OK),
    ("get", "/responses/evidence/{submitted_attachment}", OWNER, OK, OK, OK),
    ("get", "/responses/{submitted}/samples", BUYER_SIDE, 403, OK, OK),
    ("get", "/responses/{submitted}/samples", OWNER, OK, OK, OK),
    ("get", "/reviews/{submitted}", EVALUATORS, 403, OK, OK),
    ("get", "/reviews/{submitted}/consensus", {"lead"}, 403, OK, OK),
    ("get", "/reviews/evaluations/{evaluation}/agreement", RESULT_READERS, 403, OK, OK),
    ("get", "/evaluations/{evaluation}/ranking", RESULT_READERS, 403, OK, OK),
    ("get", "/evaluations/{evaluation}/comparison", RESULT_READERS, 403, OK, OK),
    ("post", "/evaluations/{evaluation}/comparison/pack", RESULT_READERS, 403, OK, OK),
    ("get", "/evaluations/{evaluation}/export.xlsx", RESULT_READERS, 403, OK, OK),
    ("get", "/evaluations/{evaluation}/vendors/{submitted}/scorecard.pdf", RESULT_READERS, 403, OK, OK),
    ("get", "/api/v1/responses/{submitted}", BUYER_SIDE, 403, OK, OK),
    ("get", "/api/v1/responses/{submitted}", OWNER, OK, OK, OK),
    ("get", "/api/v1/responses/{submitted}/questions", BUYER_SIDE, 403, OK, OK),
    ("get", "/api/v1/responses/{submitted}/answers", BUYER_SIDE, 403, OK, OK),
    ("get", "/api/v1/responses/{submitted}/answers", OWNER, OK, OK, OK),
    ("get", "/api/v1/responses/{submitted}/evidence", BUYER_SIDE, 403, OK, OK),
    ("get", "/api/v1/evidence/{submitted_attachment}", BUYER_SIDE, 403, OK, OK),
    ("get", "/api/v1/evidence/{submitted_attachment}", OWNER, OK, OK, OK),
    ("get", "/api/v1/responses/{submitted}/scores", EVALUATORS, 403, OK, OK),
    ("get", "/api/v1/responses/{submitted}/consensus", {"lead"}, 403, OK, OK),
    ("get", "/api/v1/evaluations/{evaluation}/ranking", RESULT_READERS, 403, OK, OK),
    ("get", "/api/v1/evaluations/{evaluation}/responses/{submitted}/scorecard", RESULT_READERS, 403, OK, OK),
]


@pytest.mark.parametrize("method, url, role, state, expected", _cases(SEALED, SEALED_STATES))
def test_sealed_responses_stay_closed_until_the_deadline(
    client, login, matrix_scene, method, url, role, state, expected
):
    prepare(client, matrix_scene, NEEDS.get((method, url), ()))
    put_in_sealed_state(matrix_scene, state)
    answer = _send(client, login, matrix_scene, role, method, url)
    _assert_outcome(answer, expected, method, url, role, state)


# --- Blind scoring: another evaluator's scores, comments and evidence-level marks reach an evaluator (or the
# lead) only once their own scores are submitted; until then the lead cannot see or set a consensus.

OWN_SCORES = ("own scores saved, not submitted", "own scores submitted")
HIDDEN, SHOWN = "others' work hidden", "others' work shown"
HIDDEN_OR_REFUSED = "others' work hidden (page may refuse)"
NOT_SET, SET = "no consensus recorded", "consensus recorded"
OTHERS_COMMENT = "Other evaluator: the consent form covers minors only in one locale."

BLIND = [
    # what, method, url, roles, before one's own review is submitted, after
    ("scores", "get", "/api/v1/responses/{submitted}/scores", EVALUATORS, HIDDEN, SHOWN),
    ("scores", "get", "/reviews/{submitted}", EVALUATORS, HIDDEN, SHOWN),
    ("scores", "get", "/reviews/{submitted}/consensus", {"lead"}, HIDDEN_OR_REFUSED, SHOWN),
    ("scores", "get", "/api/v1/responses/{submitted}/consensus", {"lead"}, 403, SHOWN),
    ("marks", "get", "/api/v1/responses/{submitted}/answers", EVALUATORS, HIDDEN, SHOWN),
    ("marks", "get", "/reviews/{submitted}", EVALUATORS, HIDDEN, SHOWN),
    ("marks", "get", "/responses/{submitted}/view", EVALUATORS, HIDDEN, SHOWN),
    ("consensus", "put", "/api/v1/responses/{submitted}/consensus/{scored_question}", {"lead"}, 403, SET),
    ("consensus", "post", "/reviews/{submitted}/consensus", {"lead"}, NOT_SET, SET),
]


def _blind_cases():
    return [
        pytest.param(what, method, url, role, state, outcome, id=f"{what}: {method.upper()} {url} | {role} | {state}")
        for what, method, url, roles, *expected in BLIND
        for role in sorted(roles)
        for state, outcome in zip(OWN_SCORES, expected, strict=True)
    ]


@pytest.fixture
def others_work(matrix_scene):
    """Vendor B answered PRV-01; for each evaluator, the *other* one will have submitted scores with a comment
    and marked PRV-01 verified (see ``_other_evaluator_has_worked``)."""
    response = matrix_scene.world.response_b
    db.session.add(Answer(response_id=response.id, question_id="PRV-01", value=raw_answers(response)["PRV-01"]))
    db.session.commit()
    return matrix_scene


def _other_evaluator_has_worked(scene, role: str) -> None:
    other = OTHER_EVALUATOR[role]
    save_scores(scene, other, submit=True, value=1, comment=OTHERS_COMMENT)
    response, user = scene.world.response_b, scene.user(other)
    verification.set_evidence_levels(
        response, user, {"PRV-01": EvidenceLevel.VERIFIED}, [q.id for q in reviews.questions_in_scope(response, user)]
    )
    db.session.commit()


def _shows(what: str, answer, scene, role: str) -> bool:
    """Whether the answer carries the other evaluator's work of this kind."""
    text = answer.get_data(as_text=True)
    if what == "scores":
        return OTHERS_COMMENT in text
    if answer.is_json:
        return any(
            item.get("question_id") == "PRV-01" and item.get("evidence_level") == EvidenceLevel.VERIFIED.value
            for item in answer.get_json().get("items", [])
        )
    return "evidence-verified" in text  # the evidence badge of a verified answer


@pytest.mark.parametrize("what, method, url, role, state, expected", _blind_cases())
def test_blind_scoring_until_own_scores_are_submitted(
    client, login, others_work, what, method, url, role, state, expected
):
    scene = others_work
    _other_evaluator_has_worked(scene, role)
    save_scores(scene, role, submit=state == "own scores submitted")
    answer = _send(client, login, scene, role, method, url)
    got = answer.status_code
    label = f"{role} at {method.upper()} {url} ({state})"
    if expected == SHOWN:
        assert got == 200 and _shows(what, answer, scene, role), f"{label}: others' {what} should show (got {got})"
    elif expected == HIDDEN:
        assert got == 200, f"{label}: the page stays reachable (got {got})"
        assert not _shows(what, answer, scene, role), f"{label}: another evaluator's {what} leaked"
    elif expected == HIDDEN_OR_REFUSED:
        assert got in (200, 403), f"{label}: got {got}"
        assert not _shows(what, answer, scene, role), f"{label}: another evaluator's {what} leaked"
    elif expected == SET:
        assert is_success(answer, url, method) and consensus_count(scene) == 1, f"{label}: consensus not set ({got})"
    elif expected == NOT_SET:
        assert got < 500 and consensus_count(scene) == 0, f"{label}: consensus was recorded (got {got})"
    else:
        assert got == expected, f"{label}: must be refused {expected} (got {got})"
        assert consensus_count(scene) == 0


# --- Conflict of interest: an assigned evaluator reads a response, its answers and its files only after
# declaring no conflict with the vendor; the scoring page, where the declaration is made, stays open.

DECLARATION = ("no conflict not declared", "no conflict declared")
CONFLICT = [
    # method  url                                                 roles             not declared  declared
    ("get", "/responses/{submitted}/view", EVALUATORS, 403, OK),
    ("get", "/api/v1/responses/{submitted}/answers", EVALUATORS, 403, OK),
    ("get", "/responses/evidence/{submitted_attachment}", EVALUATORS, 403, OK),
    ("get", "/api/v1/evidence/{submitted_attachment}", EVALUATORS, 403, OK),
    ("get", "/reviews/{submitted}", EVALUATORS, OK, OK),
    ("post", "/api/v1/responses/{submitted}/declaration", EVALUATORS, OK, OK),
    # The declaration is the evaluators': the buyer's own reading does not depend on it.
    ("get", "/responses/{submitted}/view", {"buyer"}, OK, OK),
]


@pytest.mark.parametrize("method, url, role, state, expected", _cases(CONFLICT, DECLARATION))
def test_conflict_of_interest_declared_before_reading(client, login, matrix_scene, method, url, role, state, expected):
    if state == "no conflict not declared":
        for evaluator in EVALUATORS:
            withdraw_declaration(matrix_scene, evaluator)
    answer = _send(client, login, matrix_scene, role, method, url)
    _assert_outcome(answer, expected, method, url, role, state)
