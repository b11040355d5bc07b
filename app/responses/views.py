"""The vendor's response editor, submission, and the read-only response page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import RequestEntityTooLarge

from app import audit, permissions
from app.evaluations.brief import scoring_brief
from app.extensions import db
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.responses import autosave as autosave_json, evidence, services
from app.responses.formdata import display_value, raw_answers
from app.sample_batches import services as sample_batches
from app.transaction import after_commit, keep_changes
from app.web.loaders import attachment_or_404, response_or_404

bp = Blueprint("responses", __name__, url_prefix="/responses")


def _editor(response, *, values=None, errors=None, conflicts=(), missing=(), status=200):
    questionnaire = store.parsed(response.questionnaire)
    stored = services.answers_by_question(response)
    current = {qid: a.value for qid, a in stored.items()}
    questions, progress = autosave_json.progress_view(questionnaire, response, current)
    shown = {q.id: display_value(q, current.get(q.id)) for q in questions}
    shown.update(values or {})
    sections = [(section, [q for q in questions if q.section_id == section.id]) for section in questionnaire.sections]
    sections = [(section, qs) for section, qs in sections if qs]
    by_id = {q.id: q for q in questionnaire.questions}
    return render_template(
        "responses/edit.html",
        response=response,
        evaluation=response.evaluation,
        sections=sections,
        values=shown,
        revisions={qid: a.revision for qid, a in stored.items()},
        errors=errors or {},
        bases={q.id: services.fingerprint(current.get(q.id)) for q in questions},
        conflicts={c.question_id: autosave_json.conflict_view(by_id[c.question_id], c) for c in conflicts},
        missing=missing,
        progress=progress,
        form=FlaskForm(),
        attachments=response.attachments,
        brief=scoring_brief(response.evaluation),
    ), status


@bp.get("/<int:response_id>")
def edit(response_id: int):
    response = response_or_404(response_id, permissions.can_view_response)
    if not permissions.can_edit_response(current_user, response):
        return redirect(url_for("responses.view", response_id=response.id))
    try:
        services.check_open(response)
    except services.ResponseClosed as error:
        flash(str(error), "error")
        return redirect(url_for("responses.view", response_id=response.id))
    return _editor(response)


@bp.post("/<int:response_id>")
def save(response_id: int):
    response = response_or_404(response_id, permissions.can_edit_response)
    if not FlaskForm().validate_on_submit():
        flash("Your session expired; nothing was lost, please save again.", "error")
        return _editor(response, values=_typed(response), status=400)
    questionnaire = store.parsed(response.questionnaire)
    raw, revisions = raw_answers(request.form, questionnaire.questions)
    started_from = {
        q.id: request.form[f"base.{q.id}"] for q in questionnaire.questions if f"base.{q.id}" in request.form
    }
    try:
        result = services.save_answers(
            response, user=current_user, raw=raw, revisions=revisions, started_from=started_from
        )
    except services.ResponseClosed as error:
        db.session.rollback()
        flash(str(error), "error")
        return _editor(response, values=_typed(response), status=409)
    if not result.ok:
        keep_changes()  # the valid answers are saved, as autosave does; the page shows the others
        if result.errors:
            flash(f"{len(result.errors)} answer(s) need correcting; the others were saved.", "error")
        if result.conflicts:
            flash("Someone else changed some answers while you were editing. Compare and save again.", "error")
        failed = set(result.errors) | {c.question_id for c in result.conflicts}
        return _editor(
            response,
            values={qid: raw[qid] for qid in failed},
            errors=result.errors,
            conflicts=result.conflicts,
            status=422,
        )
    if request.form.get("action") == "submit":
        return submit(response_id)
    flash("Draft saved.", "success")
    return redirect(url_for("responses.edit", response_id=response.id))


@bp.post("/<int:response_id>/autosave")
def autosave(response_id: int):
    """Background save from the editor: the changed answers in, JSON out (see app/responses/autosave.py)."""
    response = response_or_404(response_id, permissions.can_edit_response)
    questionnaire = store.parsed(response.questionnaire)
    raw, revisions = raw_answers(request.form, questionnaire.questions)
    try:
        result = services.save_answers(response, user=current_user, raw=raw, revisions=revisions)
    except services.ResponseClosed as error:
        db.session.rollback()
        return {"ok": False, "closed": True, "message": str(error)}, 409
    # 200 even when some answers were refused: the save ran, and "ok", "errors" and "conflicts" say how.
    return autosave_json.payload(response, questionnaire, result, list(raw))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    # Far beyond the limit the request is cut off before the view reads it: say so where the vendor was.
    response_id = (request.view_args or {}).get("response_id")
    if response_id is None:
        return error
    flash(
        f"The file is larger than {current_app.config['MAX_UPLOAD_MB']} MB and was not uploaded. "
        "Your draft is unchanged.",
        "error",
    )
    return redirect(url_for("responses.edit", response_id=response_id))


def _typed(response):
    questionnaire = store.parsed(response.questionnaire)
    raw, _ = raw_answers(request.form, questionnaire.questions)
    return raw


@bp.post("/<int:response_id>/submit")
def submit(response_id: int):
    response = response_or_404(response_id, permissions.can_edit_response)
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("responses.edit", response_id=response.id))
    try:
        missing = services.submit(response, user=current_user)
    except services.ResponseClosed as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("responses.view", response_id=response.id))
    except services.SubmissionRefused as refused:
        db.session.rollback()
        flash(f"{refused} Nothing was submitted.", "error")
        return _editor(response, errors=refused.errors, status=422)
    if missing:
        db.session.rollback()
        flash(f"{len(missing)} required question(s) still need an answer before you can submit.", "error")
        return _editor(response, missing=missing, status=422)
    # Sample-batch verification must describe the answers as submitted, not as they were at analysis.
    sample_batches.apply_evidence(response)
    flash("Response submitted. You can withdraw it to make changes until the deadline.", "success")
    return redirect(url_for("responses.view", response_id=response.id))


@bp.post("/<int:response_id>/withdraw")
def withdraw(response_id: int):
    response = response_or_404(response_id, permissions.is_own_response)
    if FlaskForm().validate_on_submit():
        try:
            services.withdraw(response, user=current_user)
        except services.ResponseClosed as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("responses.view", response_id=response.id))
        flash("Response withdrawn to draft. Submit it again before the deadline.", "success")
    return redirect(url_for("responses.edit", response_id=response.id))


@bp.get("/<int:response_id>/view")
def view(response_id: int):
    response = response_or_404(response_id, permissions.can_view_response)
    questionnaire = store.parsed(response.questionnaire)
    values = services.answer_values(response)
    questions = visible_questions(questionnaire, response.evaluation.modalities, values)
    return render_template(
        "responses/view.html",
        response=response,
        evaluation=response.evaluation,
        questionnaire=questionnaire,
        questions=questions,
        values=values,
        form=FlaskForm(),
    )


@bp.post("/<int:response_id>/evidence")
def upload_evidence(response_id: int):
    response = response_or_404(response_id, permissions.can_edit_response)
    back = redirect(
        url_for("responses.edit", response_id=response.id, _anchor=f"q-{request.form.get('question_id', '')}-block")
    )
    if not FlaskForm().validate_on_submit():
        flash("Your session expired; please upload again.", "error")
        return back
    questionnaire = store.parsed(response.questionnaire)
    values = services.answer_values(response)
    question = next(
        (
            q
            for q in visible_questions(questionnaire, response.evaluation.modalities, values)
            if q.id == request.form.get("question_id") and q.type == "file"
        ),
        None,
    )
    upload = request.files.get("file")
    if question is None:
        abort(400, "This question does not take files.")
    if upload is None or not upload.filename:
        flash(f"{question.id}: choose a file to upload.", "error")
        return back
    try:
        evidence.add_evidence(response, question, filename=upload.filename, data=upload.read(), user=current_user)
    except (evidence.EvidenceRejected, services.ResponseClosed) as error:
        db.session.rollback()
        flash(f"{question.id}: {error} Your draft is unchanged.", "error")
        return back
    flash(f"{question.id}: '{upload.filename}' attached.", "success")
    return back


@bp.get("/evidence/<int:attachment_id>")
def download_evidence(attachment_id: int):
    attachment = attachment_or_404(attachment_id)
    audit.record(
        "evidence.downloaded",
        actor=current_user,
        evaluation_id=attachment.response.evaluation_id,
        subject=f"response:{attachment.response_id}:{attachment.question_id}",
        details={"attachment": attachment.id, "sha256": attachment.sha256},
    )
    return evidence.download(attachment)


@bp.post("/evidence/<int:attachment_id>/delete")
def delete_evidence(attachment_id: int):
    attachment = attachment_or_404(attachment_id)
    response = response_or_404(attachment.response_id, permissions.can_edit_response)
    if FlaskForm().validate_on_submit():
        try:
            stored = evidence.remove_evidence(attachment, user=current_user)
        except services.ResponseClosed as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            after_commit(lambda: stored.unlink(missing_ok=True))
            flash(f"'{attachment.filename}' removed.", "success")
    return redirect(url_for("responses.edit", response_id=response.id))
