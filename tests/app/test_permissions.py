"""Role x route matrix: every route of the app, every kind of user.

The list of routes comes from the app's URL map, so a new route without a row
here fails the suite.
"""
from __future__ import annotations

import pytest

from tests.app.matrix import (
    MANAGERS,
    PUBLIC,
    ROLES,
    SIGNED_IN,
    STAFF_READERS,
    prepare,
    request_as,
)

# endpoint: (method, url template, roles allowed)
MATRIX = {
    "main.dashboard": ("get", "/", SIGNED_IN),
    "main.healthz": ("get", "/healthz", PUBLIC),
    "auth.login": ("get", "/login", PUBLIC),
    "auth.logout": ("post", "/logout", SIGNED_IN),
    "auth.accept_invitation": ("get", "/invitations/not-a-token", PUBLIC),
    "auth.set_password": ("get", "/activate/not-a-token", PUBLIC),
    "admin.people": ("get", "/admin/people", {"admin"}),
    "admin.toggle_active": ("post", "/admin/people/{buyer}/active", {"admin"}),
    "evaluations.create": ("get", "/evaluations/new", MANAGERS | {"other_buyer"}),
    "evaluations.show": ("get", "/evaluations/{evaluation}", STAFF_READERS),
    "evaluations.settings": ("get", "/evaluations/{evaluation}/settings", MANAGERS),
    "evaluations.open_early": ("post", "/evaluations/{evaluation}/open-early", MANAGERS),
    "evaluations.requirements": ("get", "/evaluations/{evaluation}/requirements", MANAGERS),
    "evaluations.invite": ("post", "/evaluations/{evaluation}/invitations", MANAGERS),
    "evaluations.invitation_action": ("post", "/evaluations/{evaluation}/invitations/{invitation}/revoke", MANAGERS),
    "evaluations.assign": ("post", "/evaluations/{evaluation}/evaluators", MANAGERS),
    "responses.edit": ("get", "/responses/{draft}", {"vendor_a"}),
    "responses.save": ("post", "/responses/{draft}", {"vendor_a"}),
    "responses.submit": ("post", "/responses/{draft}/submit", {"vendor_a"}),
    "responses.withdraw": ("post", "/responses/{draft}/withdraw", {"vendor_a"}),
    "responses.view": ("get", "/responses/{submitted}/view", STAFF_READERS | {"vendor_b"}),
    "responses.upload_evidence": ("post", "/responses/{draft}/evidence", {"vendor_a"}),
    "responses.download_evidence": ("get", "/responses/evidence/{attachment}", {"vendor_a"}),
    "responses.delete_evidence": ("post", "/responses/evidence/{attachment}/delete", {"vendor_a"}),
    "jobs.show": ("get", "/jobs/{job}", {"buyer"}),
    "jobs.status": ("get", "/jobs/{job}.json", {"buyer"}),
    "jobs.download": ("get", "/jobs/{job}/download", {"buyer"}),
    "workbooks.questionnaire_workbook": ("get", "/questionnaires/{questionnaire}.xlsx", STAFF_READERS | {"other_buyer"}),
    "workbooks.offline": ("get", "/responses/{draft}/offline", {"vendor_a"}),
    "workbooks.response_workbook": ("get", "/responses/{draft}/workbook.xlsx", {"vendor_a"}),
    "workbooks.upload_response_workbook": ("post", "/responses/{draft}/workbook", {"vendor_a"}),
    "workbooks.upload_requirements": ("post", "/evaluations/{evaluation}/requirements/upload", MANAGERS),
    "reviews.score": ("get", "/reviews/{submitted}", {"evaluator", "lead"}),
    "reviews.consensus": ("get", "/reviews/{submitted}/consensus", {"lead"}),
    "reviews.agreement": ("get", "/reviews/evaluations/{evaluation}/agreement", {"admin", "buyer", "viewer"}),
    "evaluations.weights_page": ("get", "/evaluations/{evaluation}/weights", MANAGERS),
    "evaluations.weights_ahp": ("get", "/evaluations/{evaluation}/weights/ahp", MANAGERS),
    "evaluations.price_settings": ("get", "/evaluations/{evaluation}/price", MANAGERS),
    "responses.autosave": ("post", "/responses/{draft}/autosave", {"vendor_a"}),
    "clarifications.index": ("get", "/evaluations/{evaluation}/clarifications", STAFF_READERS | {"vendor_a", "vendor_b"}),
    "clarifications.ask": ("post", "/evaluations/{evaluation}/clarifications", {"vendor_a", "vendor_b"}),
    "clarifications.answer": ("post", "/clarifications/{clarification}/answer", MANAGERS),
    "profile.edit": ("get", "/profile", SIGNED_IN),
    "auth.forgot_password": ("get", "/password/forgot", PUBLIC),
    "audit_trail.evaluation_trail": ("get", "/evaluations/{evaluation}/audit", MANAGERS),
    "privacy.overview": ("get", "/privacy", SIGNED_IN),
    "privacy.my_data": ("get", "/privacy/my-data.json", SIGNED_IN),
    "privacy.member_data": ("get", "/privacy/people/{buyer}/data.json", {"admin"}),
    "privacy.erase_member": ("get", "/privacy/people/{buyer}/erase", {"admin"}),
    "reports.ranking": ("get", "/evaluations/{evaluation}/ranking", {"admin", "buyer", "viewer"}),
    "reports.scorecard": ("get", "/evaluations/{evaluation}/vendors/{submitted}/scorecard.pdf", {"admin", "buyer", "viewer"}),
    "reports.comparison": ("get", "/evaluations/{evaluation}/comparison", {"admin", "buyer", "viewer"}),
    "reports.start_pack": ("post", "/evaluations/{evaluation}/comparison/pack", {"admin", "buyer", "viewer"}),
    "reports.export": ("get", "/evaluations/{evaluation}/export.xlsx", {"admin", "buyer", "viewer"}),
    "sample_batches.requirements": ("get", "/evaluations/{evaluation}/samples", MANAGERS),
    "sample_batches.batches": ("get", "/responses/{submitted}/samples", STAFF_READERS | {"vendor_b"}),
    "sample_batches.upload": ("post", "/responses/{draft}/samples/audio", {"vendor_a"}),
    "sample_batches.analyse": ("post", "/responses/{draft}/samples/audio/analyse", {"vendor_a"}),
    # Personal API tokens (web page) and the JSON API, which signs in with a bearer token (see below).
    "api_tokens.index": ("get", "/account/tokens", SIGNED_IN),
    "api_tokens.create": ("post", "/account/tokens", SIGNED_IN),
    "api_tokens.revoke": ("post", "/account/tokens/{token}/revoke", {"buyer"}),
    "api-docs.openapi_json": ("get", "/api/v1/openapi.json", PUBLIC),
    "api_evaluations.Me": ("get", "/api/v1/me", SIGNED_IN),
    "api_evaluations.Evaluations": ("post", "/api/v1/evaluations", MANAGERS | {"other_buyer"}),
    "api_evaluations.EvaluationItem": ("patch", "/api/v1/evaluations/{evaluation}", MANAGERS),
    "api_evaluations.OpenEarly": ("post", "/api/v1/evaluations/{evaluation}/open-early", MANAGERS),
    "api_evaluations.EvaluationRequirements": ("get", "/api/v1/evaluations/{evaluation}/requirements", STAFF_READERS),
    "api_evaluations.EvaluationInvitations": ("post", "/api/v1/evaluations/{evaluation}/invitations", MANAGERS),
    "api_evaluations.InvitationResend": ("post", "/api/v1/evaluations/{evaluation}/invitations/{invitation}/resend", MANAGERS),
    "api_evaluations.InvitationRevoke": ("post", "/api/v1/evaluations/{evaluation}/invitations/{invitation}/revoke", MANAGERS),
    "api_evaluations.EvaluationEvaluators": ("post", "/api/v1/evaluations/{evaluation}/evaluators", MANAGERS),
    "api_evaluations.EvaluationResponses": ("get", "/api/v1/evaluations/{evaluation}/responses", STAFF_READERS),
    "api_evaluations.Questionnaires": ("get", "/api/v1/questionnaires", STAFF_READERS | {"other_buyer"}),
    "api_evaluations.QuestionnaireItem": ("get", "/api/v1/questionnaires/{questionnaire}", STAFF_READERS | {"other_buyer"}),
    "api_responses.OwnResponses": ("get", "/api/v1/responses", {"vendor_a", "vendor_b"}),
    "api_responses.ResponseItem": ("get", "/api/v1/responses/{submitted}", STAFF_READERS | {"vendor_b"}),
    "api_responses.ResponseQuestions": ("get", "/api/v1/responses/{draft}/questions", {"vendor_a"}),
    "api_responses.ResponseAnswers": ("put", "/api/v1/responses/{draft}/answers", {"vendor_a"}),
    "api_responses.ResponseAnswer": ("put", "/api/v1/responses/{draft}/answers/PRV-01", {"vendor_a"}),
    "api_responses.ResponseSubmit": ("post", "/api/v1/responses/{draft}/submit", {"vendor_a"}),
    "api_responses.ResponseWithdraw": ("post", "/api/v1/responses/{submitted}/withdraw", {"vendor_b"}),
    "api_responses.ResponseEvidence": ("get", "/api/v1/responses/{submitted}/evidence", STAFF_READERS | {"vendor_b"}),
    "api_responses.QuestionEvidence": ("post", "/api/v1/responses/{draft}/questions/PRV-05/evidence", {"vendor_a"}),
    "api_responses.EvidenceFile": ("get", "/api/v1/evidence/{attachment}", {"vendor_a"}),
    "api_reviews.Scores": ("get", "/api/v1/responses/{submitted}/scores", {"evaluator", "lead"}),
    "api_reviews.ScoresSubmission": ("post", "/api/v1/responses/{submitted}/scores/submit", {"evaluator", "lead"}),
    "api_reviews.Declaration": ("post", "/api/v1/responses/{submitted}/declaration", {"evaluator", "lead"}),
    "api_reviews.Consensus": ("get", "/api/v1/responses/{submitted}/consensus", {"lead"}),
    "api_reviews.ConsensusQuestion": ("put", "/api/v1/responses/{submitted}/consensus/PRV-01", {"lead"}),
    "api_reports.Ranking": ("get", "/api/v1/evaluations/{evaluation}/ranking", {"admin", "buyer", "viewer"}),
    "api_reports.Scorecard": ("get", "/api/v1/evaluations/{evaluation}/responses/{submitted}/scorecard", {"admin", "buyer", "viewer"}),
}
EXEMPT = {"static", "bootstrap.static"}  # files shipped with the app and its CSS framework


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - EXEMPT
    assert endpoints == set(MATRIX), "add every new route to MATRIX with the roles allowed"


# Rows whose allowed roles succeed only in a given state (tests/app/matrix.py GIVEN); the states
# before it are rows of test_permission_states.py.
GIVEN_FOR = {endpoint: ("scores submitted",) for endpoint in
             ("reviews.consensus", "api_reviews.Consensus", "api_reviews.ConsensusQuestion")}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_refuses_everyone_it_should(client, login, matrix_scene, endpoint, role):
    method, template, allowed = MATRIX[endpoint]
    prepare(client, matrix_scene, GIVEN_FOR.get(endpoint, ()))
    url = matrix_scene.url(template)
    api = url.startswith("/api/")
    answer = request_as(client, login, matrix_scene, role, method, url)
    if role in allowed:
        assert answer.status_code not in (401, 403, 404, 405), f"{role} should reach {endpoint}"
        assert answer.status_code < 500
    elif role == "anonymous" and api:
        assert answer.status_code == 401 and answer.get_json()["code"] == "unauthorized"
    elif role == "anonymous":
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    else:
        assert answer.status_code in (403, 404), f"{role} must not reach {endpoint} (got {answer.status_code})"
