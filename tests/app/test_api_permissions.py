"""Role x operation matrix for the JSON API: every method of every rule under /api/v1, every kind of user.

The operations come from the URL map (and the OpenAPI document must not name any other), so a new
operation without a row here fails the suite. Each request signs in with the role's bearer token and,
for a write, sends a valid body: an allowed role must succeed (2xx), a refused one gets 401 (no token),
404 (the object belongs to another organisation or vendor: its existence must not leak) or 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pytest

from tests.app.matrix import (
    EVALUATORS,
    MANAGERS,
    OUTSIDE_BUYER,
    OUTSIDE_DRAFT,
    OUTSIDE_SUBMITTED,
    PUBLIC,
    RESULT_READERS,
    ROLES,
    SIGNED_IN,
    STAFF_READERS,
    Scene,
    answers,
    consensus,
    declaration,
    evaluator,
    evidence_file,
    invitation,
    new_evaluation,
    new_weight,
    one_answer,
    open_early,
    prepare,
    request_as,
    requirements,
    rescore_confirmation,
    scores,
)

BUYER_STAFF = STAFF_READERS | {"other_buyer"}
VENDORS = {"vendor_a", "vendor_b"}


class Row(NamedTuple):
    method: str
    url: str  # filled from Scene.ids()
    allowed: set[str]
    hidden: frozenset[str] | set[str] = (
        frozenset()
    )  # refused with 404; every other refused role gets 403 (401 without a token)
    body: Callable[[Scene], dict] | None = None  # keyword arguments of the request: json=... or data=...
    given: tuple[str, ...] = ()  # preconditions (tests/app/matrix.py GIVEN) for an allowed role to succeed


E = "/api/v1/evaluations/{evaluation}"
DRAFT = "/api/v1/responses/{draft}"
SUBMITTED = "/api/v1/responses/{submitted}"

API_MATRIX = [
    Row("get", "/api/v1/openapi.json", PUBLIC),
    Row("get", "/api/v1/me", SIGNED_IN),
    Row("get", "/api/v1/evaluations", BUYER_STAFF),
    Row("post", "/api/v1/evaluations", MANAGERS | {"other_buyer"}, body=new_evaluation),
    Row("get", E, STAFF_READERS, OUTSIDE_BUYER),
    Row("patch", E, MANAGERS, OUTSIDE_BUYER, body=new_weight),
    Row("post", E + "/open-early", MANAGERS, OUTSIDE_BUYER, body=open_early, given=("sealed",)),
    Row("post", E + "/close-scoring", MANAGERS, OUTSIDE_BUYER, given=("deadline passed",)),
    Row("get", E + "/rescore", MANAGERS, OUTSIDE_BUYER, given=("scoring closed",)),
    Row("post", E + "/rescore", MANAGERS, OUTSIDE_BUYER, body=rescore_confirmation, given=("scoring closed",)),
    Row("get", E + "/requirements", STAFF_READERS, OUTSIDE_BUYER),
    Row("put", E + "/requirements", MANAGERS, OUTSIDE_BUYER, body=requirements),
    Row("get", E + "/invitations", MANAGERS, OUTSIDE_BUYER),
    Row("post", E + "/invitations", MANAGERS, OUTSIDE_BUYER, body=invitation),
    Row("post", E + "/invitations/{invitation}/resend", MANAGERS, OUTSIDE_BUYER),
    Row("post", E + "/invitations/{invitation}/revoke", MANAGERS, OUTSIDE_BUYER),
    Row("get", E + "/evaluators", STAFF_READERS, OUTSIDE_BUYER),
    Row("post", E + "/evaluators", MANAGERS, OUTSIDE_BUYER, body=evaluator),
    Row("get", E + "/responses", STAFF_READERS, OUTSIDE_BUYER),
    Row("get", E + "/ranking", RESULT_READERS, OUTSIDE_BUYER),
    Row("get", E + "/responses/{submitted}/scorecard", RESULT_READERS, OUTSIDE_BUYER),
    Row("get", "/api/v1/questionnaires", BUYER_STAFF),
    Row("get", "/api/v1/questionnaires/{questionnaire}", BUYER_STAFF),
    Row("get", "/api/v1/responses", VENDORS),
    Row("get", SUBMITTED, STAFF_READERS | {"vendor_b"}, OUTSIDE_SUBMITTED),
    Row("get", SUBMITTED + "/questions", STAFF_READERS | {"vendor_b"}, OUTSIDE_SUBMITTED),
    Row("get", SUBMITTED + "/answers", STAFF_READERS | {"vendor_b"}, OUTSIDE_SUBMITTED),
    Row("put", DRAFT + "/answers", {"vendor_a"}, OUTSIDE_DRAFT, body=answers),
    Row("put", DRAFT + "/answers/PRV-01", {"vendor_a"}, OUTSIDE_DRAFT, body=one_answer),
    Row("post", DRAFT + "/submit", {"vendor_a"}, OUTSIDE_DRAFT, given=("draft complete",)),
    Row("post", SUBMITTED + "/withdraw", {"vendor_b"}, OUTSIDE_SUBMITTED),
    Row("get", SUBMITTED + "/evidence", STAFF_READERS | {"vendor_b"}, OUTSIDE_SUBMITTED),
    Row("post", DRAFT + "/questions/PRV-05/evidence", {"vendor_a"}, OUTSIDE_DRAFT, body=evidence_file),
    Row("get", "/api/v1/evidence/{submitted_attachment}", STAFF_READERS | {"vendor_b"}, OUTSIDE_SUBMITTED),
    Row("delete", "/api/v1/evidence/{attachment}", {"vendor_a"}, OUTSIDE_DRAFT),
    Row("get", SUBMITTED + "/scores", EVALUATORS, OUTSIDE_SUBMITTED),
    Row("put", SUBMITTED + "/scores", EVALUATORS, OUTSIDE_SUBMITTED, body=scores),
    Row("post", SUBMITTED + "/scores/submit", EVALUATORS, OUTSIDE_SUBMITTED, body=scores),
    Row("post", SUBMITTED + "/declaration", EVALUATORS, OUTSIDE_SUBMITTED, body=declaration),
    Row("get", SUBMITTED + "/consensus", {"lead"}, OUTSIDE_SUBMITTED, given=("scores submitted",)),
    Row(
        "put",
        SUBMITTED + "/consensus/{scored_question}",
        {"lead"},
        OUTSIDE_SUBMITTED,
        body=consensus,
        given=("scores submitted",),
    ),
]
ROWS = {f"{row.method.upper()} {row.url}": row for row in API_MATRIX}
# Any id fills a template for finding the rule it names (no database needed).
PLACEHOLDERS = {
    name: 1
    for name in (
        "evaluation",
        "draft",
        "submitted",
        "invitation",
        "questionnaire",
        "attachment",
        "submitted_attachment",
    )
} | {"scored_question": "Q-1"}


def _operations(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def _rule_of(app, method: str, url: str) -> tuple[str, str]:
    rule, _ = app.url_map.bind("datavet.test").match(url, method=method.upper(), return_rule=True)
    return method.upper(), rule.rule


def test_every_api_operation_has_a_row(app):
    rows = [_rule_of(app, row.method, row.url.format(**PLACEHOLDERS)) for row in API_MATRIX]
    assert len(rows) == len(set(rows)), "one row per operation"
    assert set(rows) == _operations(app), "add every new API operation to API_MATRIX with the roles allowed"


def test_the_api_document_names_no_operation_without_a_row(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    documented = {
        _rule_of(app, method, path.format(**dict.fromkeys(_names(path), 1)))
        for path, operations in paths.items()
        for method in operations
        if method != "parameters"
    }
    assert documented <= _operations(app)
    assert documented, "the document lists the API's operations"


def _names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(ROWS))
def test_api_operation_refuses_everyone_it_should(client, login, matrix_scene, operation, role):
    row = ROWS[operation]
    prepare(client, matrix_scene, row.given)
    body = row.body(matrix_scene) if row.body else {}
    answer = request_as(client, login, matrix_scene, role, row.method, matrix_scene.url(row.url), **body)
    got = answer.status_code
    if role in row.allowed:
        assert 200 <= got < 300, (
            f"{role} should succeed at {operation} (got {got}: {answer.get_data(as_text=True)[:300]})"
        )
    elif role == "anonymous":
        assert got == 401 and answer.get_json()["code"] == "unauthorized"
    else:
        expected = 404 if role in row.hidden else 403
        assert got == expected, f"{role} must be refused {expected} at {operation} (got {got})"
        assert answer.get_json()["code"] == {403: "forbidden", 404: "not_found"}[expected]
