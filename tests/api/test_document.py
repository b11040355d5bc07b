"""The OpenAPI document: generated from the code, served to anyone at /api/v1/openapi.json."""

from __future__ import annotations

from app.api import evaluations
from tests.api.helpers import API


def test_the_document_is_served_without_a_token_and_describes_sign_in_errors_and_pages(client):
    document = client.get(f"{API}/openapi.json")
    assert document.status_code == 200
    spec = document.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from the API tokens page.",
    }
    assert spec["security"] == [{"bearerAuth": []}]
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "errors"}
    assert error["properties"]["errors"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    page = spec["components"]["schemas"]["EvaluationPage"]
    assert set(page["required"]) == {"items", "page", "per_page", "total", "pages"}
    operations = [op for path in spec["paths"].values() for method, op in path.items() if method != "parameters"]
    assert len(operations) >= 30
    assert all(op.get("summary") and "default" in op["responses"] for op in operations)


def test_an_unexpected_failure_answers_500_in_the_same_shape(api_as, world, app, monkeypatch):
    def broken(evaluation):
        raise RuntimeError("bug")

    monkeypatch.setattr(evaluations, "evaluation_detail", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_TEST_ERRORS", False)
    answer = api_as(world.buyer).get(f"/evaluations/{world.evaluation.id}")
    assert answer.status_code == 500
    assert answer.get_json() == {"code": "internal_error", "message": "Something went wrong on our side.", "errors": {}}
