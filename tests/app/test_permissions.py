"""Role x route matrix: every route of the app, every kind of user.

The list of routes comes from the app's URL map, so a new route without a row
here fails the suite. An allowed role must get what it asked for (valid requests are
sent), a refused one 401, 403 or 404.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.auth import services as auth_services
from app.auth.tokens import new_token
from app.evaluations import closing
from app.extensions import db
from app.models import JobStatus, Role, TokenPurpose
from app.models.base import utcnow
from tests.api.answering import answer_everything
from tests.api.helpers import as_user
from tests.app.helpers import form_post, raw_answers
from tests.app.matrix import (
    MANAGERS,
    PUBLIC,
    ROLES,
    SIGNED_IN,
    STAFF_READERS,
    Scene,
    prepare,
    request_as,
)
from tests.factories import PASSWORD, UserFactory
from tests.sample_batches import archives

# endpoint: (method, url template, roles allowed)
MATRIX = {
    "main.dashboard": ("get", "/", SIGNED_IN),
    "main.healthz": ("get", "/healthz", PUBLIC),
    "auth.login": ("get", "/login", PUBLIC),
    "auth.logout": ("post", "/logout", SIGNED_IN),
    "auth.accept_invitation": ("get", "/invitations/{invitation_link}", PUBLIC),
    "auth.set_password": ("get", "/activate/{activation_link}", PUBLIC),
    "admin.people": ("get", "/admin/people", {"admin"}),
    "admin.toggle_active": ("post", "/admin/people/{buyer}/active", {"admin"}),
    "evaluations.create": ("get", "/evaluations/new", MANAGERS | {"other_buyer"}),
    "evaluations.show": ("get", "/evaluations/{evaluation}", STAFF_READERS),
    "evaluations.settings": ("get", "/evaluations/{evaluation}/settings", MANAGERS),
    "evaluations.open_early": ("post", "/evaluations/{evaluation}/open-early", MANAGERS),
    "evaluations.close_scoring": ("post", "/evaluations/{evaluation}/close-scoring", MANAGERS),
    "evaluations.rescore_preview": ("get", "/evaluations/{evaluation}/rescore", MANAGERS),
    "evaluations.rescore": ("post", "/evaluations/{evaluation}/rescore", MANAGERS),
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
    "workbooks.questionnaire_workbook": (
        "get",
        "/questionnaires/{questionnaire}.xlsx",
        STAFF_READERS | {"other_buyer"},
    ),
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
    "clarifications.index": (
        "get",
        "/evaluations/{evaluation}/clarifications",
        STAFF_READERS | {"vendor_a", "vendor_b"},
    ),
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
    "reports.scorecard": (
        "get",
        "/evaluations/{evaluation}/vendors/{submitted}/scorecard.pdf",
        {"admin", "buyer", "viewer"},
    ),
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
    "api_scoring.CloseScoring": ("post", "/api/v1/evaluations/{evaluation}/close-scoring", MANAGERS),
    "api_scoring.Rescore": ("get", "/api/v1/evaluations/{evaluation}/rescore", MANAGERS),
    "api_evaluations.EvaluationRequirements": ("get", "/api/v1/evaluations/{evaluation}/requirements", STAFF_READERS),
    "api_evaluations.EvaluationInvitations": ("post", "/api/v1/evaluations/{evaluation}/invitations", MANAGERS),
    "api_evaluations.InvitationResend": (
        "post",
        "/api/v1/evaluations/{evaluation}/invitations/{invitation}/resend",
        MANAGERS,
    ),
    "api_evaluations.InvitationRevoke": (
        "post",
        "/api/v1/evaluations/{evaluation}/invitations/{invitation}/revoke",
        MANAGERS,
    ),
    "api_evaluations.EvaluationEvaluators": ("post", "/api/v1/evaluations/{evaluation}/evaluators", MANAGERS),
    "api_evaluations.EvaluationResponses": ("get", "/api/v1/evaluations/{evaluation}/responses", STAFF_READERS),
    "api_evaluations.Questionnaires": ("get", "/api/v1/questionnaires", STAFF_READERS | {"other_buyer"}),
    "api_evaluations.QuestionnaireItem": (
        "get",
        "/api/v1/questionnaires/{questionnaire}",
        STAFF_READERS | {"other_buyer"},
    ),
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
    "api_reviews.ConsensusQuestion": ("put", "/api/v1/responses/{submitted}/consensus/PRO-01", {"lead"}),
    "api_reports.Ranking": ("get", "/api/v1/evaluations/{evaluation}/ranking", {"admin", "buyer", "viewer"}),
    "api_reports.Scorecard": (
        "get",
        "/api/v1/evaluations/{evaluation}/responses/{submitted}/scorecard",
        {"admin", "buyer", "viewer"},
    ),
}
EXEMPT = {"static", "bootstrap.static"}  # files shipped with the app and its CSS framework


def _file(name: str = "consent.txt") -> dict:
    return {"file": (io.BytesIO(b"Consent text, English version.\n"), name)}


def _complete_draft(client, world, ids) -> dict:
    """Answer every question of vendor A's draft (through the API, which ignores the browser session)."""
    answer_everything(as_user(client, world.vendor_a), world.response_a.id)
    return {}


def _declared(client, world, submitted: bool = False) -> list[dict]:
    """Both evaluators declare no conflict with vendor B; with ``submitted``, they also submit their scores.

    Returns a score for every question they score.
    """
    given: list[dict] = []
    for value, person in enumerate((world.evaluator, world.lead), start=1):
        api = as_user(client, person)
        assert api.post(f"/responses/{world.response_b.id}/declaration", json={"no_conflict": True}).status_code == 200
        offered = api.get(f"/responses/{world.response_b.id}/scores").get_json()["questions"]
        given = [{"question_id": q["question_id"], "value": value, "comment": ""} for q in offered]
        if submitted:
            done = api.post(f"/responses/{world.response_b.id}/scores/submit", json={"scores": given})
            assert done.status_code == 200, done.get_json()
    return given


def _signed_in(client, user):
    """Another browser, signed in as ``user``: setting things up leaves the tested client's session alone."""
    other = client.application.test_client()
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return other


def _audio_batch(client, world, uploaded: bool = False) -> dict:
    """The buyer asks for a speech sample batch; with ``uploaded``, vendor A has sent one (already analysed)."""
    buyer = _signed_in(client, world.buyer)
    assert buyer.post(f"/evaluations/{world.evaluation.id}/samples", data={"modalities": ["audio"]}).status_code == 302
    # Encoded here in memory: the test client spools bodies over 500 KB to a file it never closes.
    boundary, body = encode_multipart(
        MultiDict({"archive": FileStorage(io.BytesIO(archives.audio_batch()), filename="pilot.zip")})
    )
    request = {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}
    if uploaded:
        vendor = _signed_in(client, world.vendor_a)
        assert vendor.post(f"/responses/{world.response_a.id}/samples/audio", **request).status_code == 302
        return {}
    return request


def _response_workbook(client, world, ids) -> dict:
    """Vendor A's workbook, downloaded with the draft's answers in it, to upload back."""
    vendor = _signed_in(client, world.vendor_a)
    assert (
        vendor.post(f"/responses/{world.response_a.id}", data=form_post(raw_answers(world.response_a))).status_code
        == 302
    )
    workbook = vendor.get(f"/responses/{world.response_a.id}/workbook.xlsx")
    assert workbook.status_code == 200
    return {"data": {"workbook": (io.BytesIO(workbook.data), "filled.xlsx")}, "content_type": "multipart/form-data"}


# What a valid request to a route sends (and anything that must exist first), for routes that need more
# than the URL: an allowed role must succeed, not be turned away for a missing field.
REQUESTS = {
    "evaluations.invite": lambda client, world, ids: {
        "data": {"vendor_name": "Newco Data", "email": "sales@newco.example"}
    },
    "evaluations.assign": lambda client, world, ids: {
        "data": {"evaluator": str(_new_evaluator(world).id), "section": ""}
    },
    "responses.submit": _complete_draft,
    "responses.upload_evidence": lambda client, world, ids: {
        "data": {"question_id": "PRV-05", **_file()},
        "content_type": "multipart/form-data",
    },
    "workbooks.upload_response_workbook": _response_workbook,
    "workbooks.upload_requirements": lambda client, world, ids: {
        "data": {"requirements": (io.BytesIO(b"locale,min_contributors,min_hours\nen-us,200,500\n"), "locales.csv")},
        "content_type": "multipart/form-data",
    },
    "sample_batches.upload": lambda client, world, ids: _audio_batch(client, world),
    "sample_batches.analyse": lambda client, world, ids: _audio_batch(client, world, uploaded=True),
    "clarifications.ask": lambda client, world, ids: {"data": {"question_id": "", "question": "Which locales?"}},
    "clarifications.answer": lambda client, world, ids: {
        "data": {f"c{ids['clarification']}-answer": "All of them.", f"c{ids['clarification']}-audience": "vendor"}
    },
    "api_tokens.create": lambda client, world, ids: {"data": {"name": "Matrix script"}},
    "api_evaluations.Evaluations": lambda client, world, ids: {
        "json": {
            "title": "Speech data by API",
            "questionnaire_id": world.evaluation.questionnaire_id,
            "modalities": ["speech"],
            "deadline": (utcnow() + timedelta(days=10)).isoformat(),
        }
    },
    "api_evaluations.EvaluationInvitations": lambda client, world, ids: {
        "json": {"vendor_name": "Newco Data", "email": "sales@newco.example"}
    },
    "api_evaluations.EvaluationEvaluators": lambda client, world, ids: {"json": {"user_id": _new_evaluator(world).id}},
    "api_responses.ResponseAnswers": lambda client, world, ids: {
        "json": {
            "answers": [{"question_id": "PRV-01", "revision": 0, "value": raw_answers(world.response_a)["PRV-01"]}]
        }
    },
    "api_responses.ResponseAnswer": lambda client, world, ids: {
        "json": {"revision": 0, "value": raw_answers(world.response_a)["PRV-01"]}
    },
    "api_responses.ResponseSubmit": _complete_draft,
    "api_responses.QuestionEvidence": lambda client, world, ids: {
        "data": _file(),
        "content_type": "multipart/form-data",
    },
    "api_reviews.Declaration": lambda client, world, ids: {"json": {"no_conflict": True}},
    "evaluations.open_early": lambda client, world, ids: {
        "data": {"open-reason": "The board meets before the deadline.", "open-confirm": "y"}
    },
    "evaluations.close_scoring": lambda client, world, ids: {"data": {"close-confirm": "y"}},
    "evaluations.rescore": lambda client, world, ids: {
        "data": {
            "rescore-fingerprint": closing.rescore_preview(world.evaluation).fingerprint,
            "rescore-confirm": "y",
        }
    },
    "api_evaluations.OpenEarly": lambda client, world, ids: {
        "json": {"reason": "The board meets before the deadline."}
    },
    "api_reviews.ScoresSubmission": lambda client, world, ids: {"json": {"scores": _declared(client, world)}},
    "api_reviews.ConsensusQuestion": lambda client, world, ids: _scored_then(
        {"json": {"value": 2, "rationale": "Documented process, no artefact."}}, client, world
    ),
}


def _scored_then(request: dict, client, world) -> dict:
    """``request``, once both evaluators have submitted their scores (there is a consensus to set)."""
    _declared(client, world, submitted=True)
    return request


def _new_evaluator(world):
    evaluator = UserFactory(role=Role.EVALUATOR, organisation=world.buyer_org, email="new-evaluator@acme.example")
    db.session.commit()
    return evaluator


# Where an allowed request is sent on to, when that is not a page of the app for signed-in people.
REDIRECTS_TO = {"auth.logout": "/login"}


def assert_done(client, endpoint: str, role: str, answer) -> None:
    """An allowed role gets what it asked for: a success, or a redirect on (never back to the login page)
    that flashes no error (a refused form redirects back with one)."""
    status, location = answer.status_code, answer.headers.get("Location", "")
    if 300 <= status < 400:
        with client.session_transaction() as session:
            errors = [message for category, message in session.get("_flashes", []) if category in ("error", "danger")]
        assert not errors, f"{endpoint} refused {role}'s request: {errors}"
        expected = REDIRECTS_TO.get(endpoint)
        if expected is None:
            assert "/login" not in location, f"{role} was sent to sign in by {endpoint}: {location}"
        else:
            assert location.endswith(expected), f"{endpoint} sent {role} to {location}, not {expected}"
        return
    assert 200 <= status < 300, (
        f"{role} should succeed at {endpoint}, got {status}: {answer.get_data(as_text=True)[:300]}"
    )


# Rows whose allowed roles succeed only in a given state (tests/app/matrix.py GIVEN); the states
# before it are rows of test_permission_states.py.
GIVEN_FOR = {
    "reviews.consensus": ("scores submitted",),
    "api_reviews.Consensus": ("scores submitted",),
    "evaluations.open_early": ("sealed",),
    "api_evaluations.OpenEarly": ("sealed",),
    "evaluations.close_scoring": ("deadline passed",),
    "evaluations.rescore_preview": ("scoring closed",),
    "evaluations.rescore": ("scoring closed",),
    "api_scoring.CloseScoring": ("deadline passed",),
    "api_scoring.Rescore": ("scoring closed",),
}


def _links(client, scene: Scene) -> dict[str, object]:
    """Working invitation and activation links, and a finished job with a result to download."""
    invitation_link, scene.invitation.token_hash = new_token()
    activation_link = auth_services.issue_token(scene.world.viewer, TokenPurpose.ACTIVATE)
    job = scene.job
    job.status, job.result_file, job.result_name, job.result_mimetype = (
        JobStatus.DONE,
        "matrix-job-result",
        "result.txt",
        "text/plain",
    )
    db.session.commit()
    results = Path(client.application.config["JOB_RESULTS_FOLDER"])
    results.mkdir(parents=True, exist_ok=True)
    (results / "matrix-job-result").write_bytes(b"result")
    return {"invitation_link": invitation_link, "activation_link": activation_link}


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - EXEMPT
    assert endpoints == set(MATRIX), "add every new route to MATRIX with the roles allowed"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_refuses_everyone_it_should(client, login, matrix_scene, endpoint, role):
    method, template, allowed = MATRIX[endpoint]
    prepare(client, matrix_scene, GIVEN_FOR.get(endpoint, ()))
    ids = matrix_scene.ids() | _links(client, matrix_scene)
    url = template.format(**ids)
    request = REQUESTS[endpoint](client, matrix_scene.world, ids) if endpoint in REQUESTS else {}
    api = url.startswith("/api/")
    answer = request_as(client, login, matrix_scene, role, method, url, **request)
    if role in allowed:
        assert_done(client, endpoint, role, answer)
    elif role == "anonymous" and api:
        assert answer.status_code == 401 and answer.get_json()["code"] == "unauthorized"
    elif role == "anonymous":
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    else:
        assert answer.status_code in (403, 404), f"{role} must not reach {endpoint} (got {answer.status_code})"
