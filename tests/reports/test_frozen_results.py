"""Closing scoring freezes the demo's results; only an explicit, previewed, audited re-score changes them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.evaluations import closing
from app.extensions import db
from app.models import AuditEvent, FrozenResult, Response, User
from app.reports import frozen
from app.reports.ranking import EvaluationResults, compute_live_results, compute_results
from app.reviews import services as reviews
from app.scoring import scorer_registry
from app.scoring.model import ScoreResult
from app.scoring.scorer_registry import ENGINE_VERSION, SCORERS
from tests.api.helpers import bearer

CHANGED_SCORER = "threshold_bands"  # eight questions of the demo questionnaire use it


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _totals(results: EvaluationResults) -> dict[int, tuple[float, int | None]]:
    return {v.response_id: (v.total, v.rank) for v in results.ranked + results.disqualified}


def _close(demo) -> FrozenResult:
    row = closing.close_scoring(demo, actor=_user("buyer@acme.example"))
    db.session.commit()
    return row


@pytest.fixture
def stricter_threshold(monkeypatch):
    """A later release changes the threshold scorer: every answer it reads now scores 0 (version 2)."""
    monkeypatch.setitem(
        SCORERS, CHANGED_SCORER, lambda value, params, requirements: ScoreResult(0.0, "Stricter bands: 0")
    )
    monkeypatch.setitem(scorer_registry.SCORER_VERSIONS, CHANGED_SCORER, 2)


def _actions(demo, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.evaluation_id == demo.id, AuditEvent.action == action)
        )
    )


def test_stored_results_read_back_as_the_same_dataclasses(demo):
    results = compute_live_results(demo)
    assert results.ranked and results.disqualified, "the demo ranks vendors and sets one apart"
    assert frozen.from_json(EvaluationResults, frozen.to_json(results)) == results


def test_closing_stores_the_whole_result_with_its_versions_and_is_audited(demo):
    live = compute_live_results(demo)
    row = _close(demo)

    assert demo.scoring_closed_at is not None and demo.scoring_closed_by_id == _user("buyer@acme.example").id
    assert frozen.from_json(EvaluationResults, row.results) == live
    assert (row.questionnaire_key, row.questionnaire_version) == (demo.questionnaire.key, demo.questionnaire.version)
    assert row.engine_version == ENGINE_VERSION
    assert row.scorer_versions[CHANGED_SCORER] == 1 and "coverage" in row.scorer_versions
    assert row.fingerprint == frozen.fingerprint(row.results)
    (event,) = _actions(demo, "evaluation.scoring_closed")
    assert event.details["fingerprint"] == row.fingerprint
    assert event.details["standings"][str(live.ranked[0].response_id)]["rank"] == 1
    with pytest.raises(closing.ClosingError, match="already closed"):
        closing.close_scoring(demo, actor=_user("buyer@acme.example"))


@pytest.fixture
def closed_demo(demo) -> object:
    """The demo with scoring closed under today's scorers."""
    _close(demo)
    return demo


def test_stored_totals_survive_a_scorer_change_until_re_scored(closed_demo, monkeypatch, client):
    demo = closed_demo
    stored = compute_results(demo)
    monkeypatch.setitem(
        SCORERS, CHANGED_SCORER, lambda value, params, requirements: ScoreResult(0.0, "Stricter bands: 0")
    )
    assert _totals(compute_live_results(demo)) != _totals(stored), "the changed scorer moves the live totals"

    assert compute_results(demo) == stored, "a closed evaluation shows what was stored"
    ranking = client.get(f"/api/v1/evaluations/{demo.id}/ranking", headers=bearer(_user("viewer@acme.example")))
    assert ranking.status_code == 200
    body = ranking.get_json()
    assert body["scoring_closed_at"] is not None
    assert {v["response_id"]: v["total"] for v in body["ranked"] + body["disqualified"]} == {
        rid: total for rid, (total, _) in _totals(stored).items()
    }


def test_the_preview_lists_the_differences_and_changes_nothing(closed_demo, stricter_threshold):
    demo = closed_demo
    stored = compute_results(demo)
    live = compute_live_results(demo)

    preview = closing.rescore_preview(demo)

    assert not preview.identical and preview.changed_vendors
    assert preview.scorer_changes == ((CHANGED_SCORER, 1, 2),)
    for change in preview.vendors:
        was, now = stored.vendor(change.response_id), live.vendor(change.response_id)
        assert (change.total_before, change.rank_before) == (was.total, was.rank)
        assert (change.total_after, change.rank_after) == (now.total, now.rank)
        moved = {q.question_id for q in was.questions if q.scorer == CHANGED_SCORER and q.score != 0}
        assert {q.question_id for q in change.questions} == moved
        assert all(q.after == 0 for q in change.questions)
    assert compute_results(demo) == stored, "looking at the differences replaces nothing"
    assert not _actions(demo, "evaluation.rescored")


def test_re_scoring_replaces_the_stored_results_and_is_audited(closed_demo, stricter_threshold):
    demo = closed_demo
    buyer = _user("buyer@acme.example")
    preview = closing.rescore_preview(demo)

    with pytest.raises(closing.ClosingError, match="changed since"):
        closing.rescore(demo, actor=buyer, fingerprint="0" * 64)
    row = closing.rescore(demo, actor=buyer, fingerprint=preview.fingerprint)
    db.session.commit()

    assert compute_results(demo) == compute_live_results(demo)
    assert row.reason == "rescored" and row.scorer_versions[CHANGED_SCORER] == 2
    (event,) = _actions(demo, "evaluation.rescored")
    assert event.actor_id == buyer.id
    assert event.details["before"]["scorer_versions"][CHANGED_SCORER] == 1
    assert event.details["after"]["scorer_versions"][CHANGED_SCORER] == 2
    assert {c["response_id"] for c in event.details["changes"]} == {v.response_id for v in preview.changed_vendors}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FrozenResult)) == 2, "the first stays on record"


def test_re_scoring_an_open_evaluation_is_refused(demo):
    with pytest.raises(closing.ClosingError, match="still open"):
        closing.rescore_preview(demo)


def test_scores_consensus_and_evidence_levels_are_refused_once_closed(closed_demo, client):
    demo = closed_demo
    response = db.session.scalar(sa.select(Response).where(Response.evaluation_id == demo.id).limit(1))
    lead = _user("eval2@acme.example")
    question = next(iter(reviews.submitted_scores(response)))
    with pytest.raises(reviews.ScoringClosedError):
        reviews.set_consensus(response, lead, question, 2, "Changed our minds.")
    with pytest.raises(reviews.ScoringClosedError):
        reviews.save_scores(response, lead, {question: reviews.ScoreInput(1, "")}, submit=False)

    answer = client.put(
        f"/api/v1/responses/{response.id}/consensus/{question}",
        json={"value": 2, "rationale": "Changed our minds."},
        headers=bearer(lead),
    )
    assert answer.status_code == 409 and "closed" in answer.get_json()["message"]


def test_closing_is_refused_before_the_deadline(app_ctx, world):
    world.evaluation.sealed = False
    db.session.commit()
    with pytest.raises(closing.ClosingError, match="until the deadline"):
        closing.close_scoring(world.evaluation, actor=world.buyer)
    assert world.evaluation.scoring_closed_at is None


def test_the_evaluation_page_closes_scoring_after_confirmation_and_previews_a_re_score(
    demo, demo_user, client, monkeypatch
):
    demo_user("buyer@acme.example")
    page = client.get(f"/evaluations/{demo.id}").get_data(as_text=True)
    assert "Close scoring" in page

    refused = client.post(f"/evaluations/{demo.id}/close-scoring", data={})
    assert refused.status_code == 302 and demo.scoring_closed_at is None, "nothing closes without the tick"

    done = client.post(f"/evaluations/{demo.id}/close-scoring", data={"close-confirm": "y"})
    assert done.status_code == 302
    db.session.refresh(demo)
    assert demo.scoring_closed_at is not None
    assert "scoring closed" in client.get(f"/evaluations/{demo.id}").get_data(as_text=True)

    monkeypatch.setitem(
        SCORERS, CHANGED_SCORER, lambda value, params, requirements: ScoreResult(0.0, "Stricter bands: 0")
    )
    preview = client.get(f"/evaluations/{demo.id}/rescore")
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    expected = closing.rescore_preview(demo)
    changed = expected.changed_vendors[0]
    assert changed.vendor in text and changed.questions[0].question_id in text
    assert expected.fingerprint in text

    applied = client.post(
        f"/evaluations/{demo.id}/rescore", data={"rescore-fingerprint": expected.fingerprint, "rescore-confirm": "y"}
    )
    assert applied.status_code == 302
    assert compute_results(demo) == compute_live_results(demo)
