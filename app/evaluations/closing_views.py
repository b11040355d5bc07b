"""Closing scoring and re-scoring a closed evaluation, on the evaluations blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app import permissions
from app.evaluations import closing
from app.evaluations.forms import CloseScoringForm, RescoreForm
from app.evaluations.views import bp
from app.web.loaders import evaluation_or_404


@bp.post("/<int:evaluation_id>/close-scoring")
def close_scoring(evaluation_id: int):
    """Freeze the results: every page, PDF, export and the API show them from now on."""
    evaluation = evaluation_or_404(evaluation_id, permissions.can_close_scoring)
    form = CloseScoringForm(prefix="close")
    if not form.validate_on_submit():
        flash("Tick the confirmation to close scoring.", "error")
    else:
        try:
            closing.close_scoring(evaluation, actor=current_user)
        except closing.ClosingError as error:
            flash(str(error), "error")
        else:
            flash("Scoring is closed: the results are frozen as they are now.", "success")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id, _anchor="scoring"))


@bp.get("/<int:evaluation_id>/rescore")
def rescore_preview(evaluation_id: int):
    """What re-scoring would change, per vendor, before anything is replaced."""
    evaluation = evaluation_or_404(evaluation_id, permissions.can_rescore)
    try:
        preview = closing.rescore_preview(evaluation)
    except closing.ClosingError as error:
        flash(str(error), "error")
        return redirect(url_for("evaluations.show", evaluation_id=evaluation.id, _anchor="scoring"))
    form = RescoreForm(prefix="rescore", data={"fingerprint": preview.fingerprint})
    return render_template("evaluations/rescore.html", evaluation=evaluation, preview=preview, form=form)


@bp.post("/<int:evaluation_id>/rescore")
def rescore(evaluation_id: int):
    """Replace the stored results with those computed now, as previewed (audited)."""
    evaluation = evaluation_or_404(evaluation_id, permissions.can_rescore)
    form = RescoreForm(prefix="rescore")
    if not form.validate_on_submit():
        flash("Tick the confirmation to replace the stored results.", "error")
        return redirect(url_for("evaluations.rescore_preview", evaluation_id=evaluation.id))
    try:
        closing.rescore(evaluation, actor=current_user, fingerprint=form.fingerprint.data)
    except closing.ClosingError as error:
        flash(str(error), "error")
        return redirect(url_for("evaluations.rescore_preview", evaluation_id=evaluation.id))
    flash("Re-scored: the stored results are replaced and the audit trail records the differences.", "success")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id, _anchor="scoring"))
