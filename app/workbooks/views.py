"""Spreadsheets people exchange with DataVet: questionnaire and response workbooks, requirements files."""

from __future__ import annotations

import re

from flask import Blueprint, Response as HttpResponse, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import permissions
from app.evaluations.brief import scoring_brief
from app.evaluations.requirements import set_requirements, vocabulary
from app.extensions import db
from app.models import QuestionnaireVersion
from app.questionnaires import store
from app.questionnaires.workbook import answers_from_xlsx, questionnaire_to_xlsx, response_to_xlsx
from app.responses import services as responses
from app.scoring.model import Requirements
from app.web.loaders import evaluation_or_404, response_or_404
from app.workbooks.requirements_sheet import merged, read_requirements_file

bp = Blueprint("workbooks", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> HttpResponse:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "workbook"
    return HttpResponse(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{safe}.xlsx"'})


@bp.get("/questionnaires/<int:version_id>.xlsx")
def questionnaire_workbook(version_id: int):
    permissions.require(permissions.is_buyer_staff(current_user))
    version = db.get_or_404(QuestionnaireVersion, version_id)
    return _xlsx(questionnaire_to_xlsx(store.parsed(version)), f"{version.key}-v{version.version}")


@bp.get("/responses/<int:response_id>/offline")
def offline(response_id: int):
    response = response_or_404(response_id, permissions.is_own_response)
    return render_template("workbooks/offline.html", response=response, form=FlaskForm(), errors=[])


@bp.get("/responses/<int:response_id>/workbook.xlsx")
def response_workbook(response_id: int):
    response = response_or_404(response_id, permissions.is_own_response)
    questionnaire = store.parsed(response.questionnaire)
    data = response_to_xlsx(
        questionnaire,
        responses.answer_values(response),
        response.evaluation.modalities,
        scoring_brief(response.evaluation).rows(),
    )
    return _xlsx(data, f"{response.evaluation.title}-{response.vendor_organisation.name}")


@bp.post("/responses/<int:response_id>/workbook")
def upload_response_workbook(response_id: int):
    response = response_or_404(response_id, permissions.can_edit_response)
    form = FlaskForm()
    upload = request.files.get("workbook")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash("Choose the filled workbook (.xlsx) to upload.", "error")
        return redirect(url_for("workbooks.offline", response_id=response.id))
    questionnaire = store.parsed(response.questionnaire)
    imported = answers_from_xlsx(questionnaire, upload.read(), response.evaluation.modalities)
    if imported.errors:
        return render_template("workbooks/offline.html", response=response, form=form, errors=imported.errors), 422
    stored = responses.answers_by_question(response)
    revisions = {qid: answer.revision for qid, answer in stored.items()}
    try:
        result = responses.save_answers(response, user=current_user, raw=imported.answers, revisions=revisions)
    except responses.ResponseClosed as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("workbooks.offline", response_id=response.id))
    if not result.ok:
        # The workbook was checked cell by cell; anything left is a rule checked only on save.
        db.session.rollback()
        problems = [f"{qid}: {'; '.join(messages)}" for qid, messages in result.errors.items()]
        problems += [f"{c.question_id}: changed by {c.changed_by} meanwhile" for c in result.conflicts]
        return render_template("workbooks/offline.html", response=response, form=form, errors=problems), 422
    flash(f"Workbook imported: {len(result.saved)} answer(s) changed; nothing else was touched.", "success")
    return redirect(url_for("responses.edit", response_id=response.id))


@bp.post("/evaluations/<int:evaluation_id>/requirements/upload")
def upload_requirements(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    upload = request.files.get("requirements")
    if not FlaskForm().validate_on_submit() or upload is None or not upload.filename:
        flash("Choose a .csv or .xlsx file with the requirements.", "error")
        return redirect(url_for("evaluations.requirements", evaluation_id=evaluation.id))
    words = vocabulary(store.parsed(evaluation.questionnaire))
    imported = read_requirements_file(upload.filename, upload.read(), words)
    if imported.errors:
        for message in imported.errors[:20]:
            flash(message, "error")
        flash("Nothing was imported; correct the file and upload it again.", "error")
        return redirect(url_for("evaluations.requirements", evaluation_id=evaluation.id))
    profile = merged(Requirements.from_dict(evaluation.requirements or {}), imported)
    set_requirements(evaluation, profile, actor=current_user, source=upload.filename)
    flash(f"Imported {imported.summary} from {upload.filename}.", "success")
    return redirect(url_for("evaluations.requirements", evaluation_id=evaluation.id))
