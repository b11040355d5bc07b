"""``flask report pdf|scorecard|xlsx``."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import AuditEvent, Response
from app.models.base import utcnow
from app.reports.ranking import compute_results


@pytest.mark.slow
def test_report_commands_write_pack_scorecard_and_spreadsheet(runner, demo, tmp_path):
    results = compute_results(demo)
    pack = tmp_path / "pack.pdf"
    outcome = runner.invoke(args=["report", "pdf", "--evaluation", str(demo.id), "--out", str(pack)])
    assert outcome.exit_code == 0, outcome.output
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.read_bytes())).pages)
    assert all(v.vendor in text for v in results.ranked + results.disqualified)

    second = results.ranked[1]
    organisation_id = db.session.get(Response, second.response_id).vendor_organisation_id
    for vendor_id in (second.response_id, organisation_id):
        card = tmp_path / f"card-{vendor_id}.pdf"
        outcome = runner.invoke(
            args=["report", "scorecard", "--evaluation", str(demo.id), "--vendor", str(vendor_id), "--out", str(card)]
        )
        assert outcome.exit_code == 0, outcome.output
        card_text = PdfReader(io.BytesIO(card.read_bytes())).pages[0].extract_text()
        assert second.vendor in card_text and f"{second.total:.1f}" in card_text

    sheet = tmp_path / "all.xlsx"
    outcome = runner.invoke(args=["report", "xlsx", "--evaluation", str(demo.id), "--out", str(sheet)])
    assert outcome.exit_code == 0, outcome.output
    ranking = pd.read_excel(sheet, sheet_name="Ranking")
    assert ranking.loc[0, "Total (0-100)"] == round(results.ranked[0].total, 4)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export.downloaded")).all()
    assert len(events) == 4 and all(e.actor_id is None and e.details["via"] == "command line" for e in events)


def test_report_commands_refuse_unknown_vendors_and_sealed_evaluations(runner, demo, tmp_path):
    out = tmp_path / "x.pdf"
    outcome = runner.invoke(
        args=["report", "scorecard", "--evaluation", str(demo.id), "--vendor", "99999", "--out", str(out)]
    )
    assert outcome.exit_code == 1 and "Submitted responses:" in outcome.output and not out.exists()
    assert runner.invoke(args=["report", "xlsx", "--evaluation", "99999", "--out", str(out)]).exit_code == 1
    demo.sealed = True
    demo.deadline = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    outcome = runner.invoke(args=["report", "xlsx", "--evaluation", str(demo.id), "--out", str(out)])
    assert outcome.exit_code == 1 and "sealed" in outcome.output and not out.exists()
