"""Every main page sends the same number of queries however many vendors, evaluators or answers there are.

A page that loads related rows one at a time (N+1) sends more queries for a bigger evaluation and
fails here; ``make bench`` shows the same counts on a large data set.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db


def closed_pages(built) -> dict[str, tuple[object, str]]:
    """Page name -> (who opens it, path), for a closed, scored evaluation."""
    evaluation, response = built.evaluation.id, built.responses[0].id
    return {
        "dashboard": (built.buyer, "/"),
        "evaluation page": (built.buyer, f"/evaluations/{evaluation}"),
        "response view": (built.buyer, f"/responses/{response}/view"),
        "scoring page": (built.evaluator, f"/reviews/{response}"),
        "consensus page": (built.lead, f"/reviews/{response}/consensus"),
        "ranking page": (built.buyer, f"/evaluations/{evaluation}/ranking"),
        "PDF scorecard": (built.buyer, f"/evaluations/{evaluation}/vendors/{response}/scorecard.pdf"),
        "comparison page": (built.buyer, f"/evaluations/{evaluation}/comparison"),
    }


def query_counts(app, pages, signed_in, count_queries) -> dict[str, int]:
    """Queries of the second request of each page (the first warms process-wide caches).

    Each request runs in an app context of its own, as in a server: a fresh session whose identity
    map holds nothing the test built, so rows loaded one by one are counted.
    """
    counts = {}
    for name, (user, path) in pages.items():
        client = signed_in(user)
        with app.app_context():
            assert client.get(path).status_code == 200, f"{name} ({path}) did not answer 200"
        with app.app_context(), count_queries() as statements:
            answer = client.get(path)
        assert answer.status_code == 200, name
        counts[name] = len(statements)
    return counts


def test_count_queries_counts_every_statement(count_queries):
    with count_queries() as statements:
        for _ in range(3):
            db.session.execute(sa.text("SELECT 1"))
    assert len(statements) == 3


@pytest.mark.slow
def test_main_pages_do_not_query_more_for_more_vendors_and_evaluators(
    app_ctx, build_evaluation, signed_in, count_queries
):
    small = build_evaluation(vendors=2, evaluators=2)
    large = build_evaluation(vendors=6, evaluators=4)
    assert query_counts(app_ctx, closed_pages(large), signed_in, count_queries) == query_counts(
        app_ctx, closed_pages(small), signed_in, count_queries
    )


@pytest.mark.slow
def test_main_pages_do_not_query_more_for_more_answers(app_ctx, build_evaluation, signed_in, count_queries):
    half = build_evaluation(vendors=3, evaluators=2, share=0.5)
    full = build_evaluation(vendors=3, evaluators=2)
    assert query_counts(app_ctx, closed_pages(full), signed_in, count_queries) == query_counts(
        app_ctx, closed_pages(half), signed_in, count_queries
    )


def test_response_editor_queries_do_not_grow(app_ctx, build_evaluation, signed_in, count_queries):
    small = build_evaluation(vendors=2, evaluators=2, closed=False, share=0.5)
    large = build_evaluation(vendors=6, evaluators=2, closed=False)

    def editor(built):
        return {"response editor": (built.vendors[-1], f"/responses/{built.responses[-1].id}")}

    assert query_counts(app_ctx, editor(large), signed_in, count_queries) == query_counts(
        app_ctx, editor(small), signed_in, count_queries
    )
