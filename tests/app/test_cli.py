from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Evaluation, Organisation, Response, ResponseStatus
from app.reports.ranking import compute_results
from tests.conftest import QUESTIONNAIRE_DIR


def test_seed_demo_is_idempotent_and_gives_a_ranked_comparison(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data created." in first.output and "buyer@acme.example" in first.output
    counts = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
    second = runner.invoke(args=["seed-demo"])
    assert "already present" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == counts

    closed = db.session.scalar(sa.select(Evaluation).where(Evaluation.title.like("Multilingual%")))
    submitted = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .where(Response.evaluation_id == closed.id, Response.status == ResponseStatus.SUBMITTED)
    )
    assert submitted == 3
    results = compute_results(closed)
    assert len(results.ranked) == 2 and len(results.disqualified) == 1
    assert results.ranked[0].vendor == "Polyglot Voices Ltd"
    assert results.ranked[0].total > results.ranked[1].total


def test_questionnaire_validate_reports_problems_and_exit_status(runner, tmp_path):
    good = sorted(QUESTIONNAIRE_DIR.glob("*.yaml"))
    ok = runner.invoke(args=["questionnaire", "validate", *map(str, good)])
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: broken\ntitle: Broken\nversion: one\nsections: []\n")
    result = runner.invoke(args=["questionnaire", "validate", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml" in result.output


def test_questionnaire_import_refuses_changed_content_under_same_version(runner, tmp_path):
    source = next(iter(sorted(QUESTIONNAIRE_DIR.glob("data-collection-vendor.yaml"))))
    same = runner.invoke(args=["questionnaire", "import", str(source)])
    assert same.exit_code == 0 and "Already stored" in same.output
    edited = tmp_path / "edited.yaml"
    edited.write_text(source.read_text().replace("title:", "title: Edited", 1))
    refused = runner.invoke(args=["questionnaire", "import", str(edited)])
    assert refused.exit_code == 1 and "raise 'version'" in refused.output
