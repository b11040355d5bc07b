"""Ranking page and PDF scorecards."""
from __future__ import annotations

import re

from flask import Blueprint, Response as HttpResponse, abort, render_template
from flask_login import current_user

from app import audit, permissions
from app.extensions import db
from app.reports.pdf import render_pdf
from app.reports.ranking import compute_results
from app.reports.scorecard import build_scorecard
from app.web.loaders import evaluation_or_404

bp = Blueprint("reports", __name__, url_prefix="/evaluations")


@bp.get("/<int:evaluation_id>/ranking")
def ranking(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_results)
    if permissions.is_sealed(evaluation):
        return render_template("reports/sealed.html", evaluation=evaluation)
    results = compute_results(evaluation)
    return render_template("reports/ranking.html", evaluation=evaluation, results=results)


def _filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "report"


@bp.get("/<int:evaluation_id>/vendors/<int:response_id>/scorecard.pdf")
def scorecard(evaluation_id: int, response_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_results)
    if permissions.is_sealed(evaluation):
        abort(409, "Responses are sealed until the deadline.")
    results = compute_results(evaluation)
    vendor = results.vendor(response_id)
    if vendor is None:
        abort(404)
    pdf = render_pdf("reports/scorecard_pdf.html", card=build_scorecard(results, vendor))
    audit.record("export.downloaded", actor=current_user, evaluation_id=evaluation.id,
                 subject=f"scorecard:{response_id}")
    db.session.commit()
    return HttpResponse(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="scorecard-{_filename(vendor.vendor)}.pdf"'})
