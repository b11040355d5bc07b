"""Ranking and comparison pages, PDF scorecards and packs, spreadsheet exports."""

from __future__ import annotations

from flask import Blueprint, Response as HttpResponse, abort, redirect, render_template, url_for
from flask_login import current_user

from app import audit, permissions
from app.jobs import enqueue
from app.reports import exports
from app.reports.comparison import build_comparison
from app.reports.pack import PACK_JOB, safe_filename, vendor_scorecard
from app.reports.pdf import render_pdf
from app.reports.ranking import compute_results
from app.reports.summary import executive_summary
from app.web.loaders import evaluation_or_404

bp = Blueprint("reports", __name__, url_prefix="/evaluations")

SEALED = "Responses are sealed until the deadline."
EXPORT_FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
    "zip": ("application/zip", exports.to_csv_zip),
}


@bp.get("/<int:evaluation_id>/ranking")
def ranking(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_results)
    if not permissions.may_see_results(current_user, evaluation):
        return render_template("reports/sealed.html", evaluation=evaluation), 403
    results = compute_results(evaluation)
    return render_template("reports/ranking.html", evaluation=evaluation, results=results)


@bp.get("/<int:evaluation_id>/comparison")
def comparison(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_results)
    if not permissions.may_see_results(current_user, evaluation):
        return render_template("reports/sealed.html", evaluation=evaluation), 403
    found = build_comparison(evaluation)
    return render_template(
        "reports/comparison.html", evaluation=evaluation, comparison=found, summary=executive_summary(found)
    )


@bp.post("/<int:evaluation_id>/comparison/pack")
def start_pack(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_results)
    if not permissions.may_see_results(current_user, evaluation):
        return render_template("reports/sealed.html", evaluation=evaluation), 403
    job = enqueue(
        PACK_JOB,
        owner=current_user,
        title=f"Comparison pack · {evaluation.title}",
        evaluation_id=evaluation.id,
        params={
            "evaluation_id": evaluation.id,
            "requested_by": current_user.display_name,
            "timezone": current_user.timezone or "UTC",
        },
    )
    audit.record(
        "export.requested",
        actor=current_user,
        evaluation_id=evaluation.id,
        subject=f"job:{job.id}",
        details={"kind": PACK_JOB},
    )
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.get("/<int:evaluation_id>/vendors/<int:response_id>/scorecard.pdf")
def scorecard(evaluation_id: int, response_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_results)
    if not permissions.may_see_results(current_user, evaluation):
        abort(403, SEALED)
    results = compute_results(evaluation)
    vendor = results.vendor(response_id)
    if vendor is None:
        abort(404)
    card = vendor_scorecard(evaluation, results, vendor)
    pdf = render_pdf("reports/scorecard_pdf.html", card=card)
    audit.record(
        "export.downloaded", actor=current_user, evaluation_id=evaluation.id, subject=f"scorecard:{response_id}"
    )
    return HttpResponse(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="scorecard-{safe_filename(vendor.vendor)}.pdf"'},
    )


@bp.get("/<int:evaluation_id>/export.<any(xlsx, zip):fmt>")
def export(evaluation_id: int, fmt: str):
    """All answers, scores per evaluator, consensus and ranking: XLSX (a sheet each) or a zip of CSVs."""
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_results)
    if not permissions.may_see_results(current_user, evaluation):
        abort(403, SEALED)
    mimetype, write = EXPORT_FORMATS[fmt]
    data = write(exports.spreadsheet_tables(evaluation))
    filename = f"evaluation-{evaluation.id}-{safe_filename(evaluation.title)}.{fmt if fmt == 'xlsx' else 'csv.zip'}"
    audit.record(
        "export.downloaded",
        actor=current_user,
        evaluation_id=evaluation.id,
        subject=f"spreadsheet:{fmt}",
        details={"file": filename},
    )
    return HttpResponse(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
