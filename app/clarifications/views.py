"""The clarification page of an evaluation: vendors ask, the buyer answers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app import permissions
from app.clarifications import services
from app.clarifications.forms import AnswerForm, AskForm
from app.extensions import db
from app.mail import deliver
from app.models import Clarification, Evaluation
from app.models.base import utcnow
from app.notifications import clarification_answered_mails, clarification_asked_mails
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.transaction import after_commit
from app.web.formatting import local_datetime

bp = Blueprint("clarifications", __name__)


def _evaluation_or_404(evaluation_id: int, rule) -> Evaluation:
    evaluation = db.get_or_404(Evaluation, evaluation_id)
    known = permissions.belongs_to_buyer(current_user, evaluation) or permissions.is_invited_vendor(
        current_user, evaluation
    )
    permissions.require(rule(current_user, evaluation), hide=not known)
    return evaluation


def _clarification_or_404(clarification_id: int, rule) -> Clarification:
    clarification = db.get_or_404(Clarification, clarification_id)
    known = permissions.belongs_to_buyer(current_user, clarification.evaluation) or permissions.can_view_clarification(
        current_user, clarification
    )
    permissions.require(rule(current_user, clarification), hide=not known)
    return clarification


def _ask_form(evaluation: Evaluation, form: AskForm | None = None) -> AskForm:
    form = form or AskForm(formdata=None)
    questionnaire = store.parsed(evaluation.questionnaire)
    questions = visible_questions(questionnaire, evaluation.modalities, {})
    form.question_id.choices = {"": "The evaluation as a whole"} | {q.id: f"{q.id} — {q.text[:90]}" for q in questions}
    return form


def _page(
    evaluation: Evaluation, *, ask_form: AskForm | None = None, answer_forms: dict | None = None, status: int = 200
):
    entries = services.entries_for(current_user, evaluation)
    forms = dict(answer_forms or {})
    for entry in entries:
        if entry.can_answer and entry.id not in forms:
            forms[entry.id] = AnswerForm(
                prefix=f"c{entry.id}",
                formdata=None,
                data={
                    "answer": entry.answer or "",
                    "audience": "all" if entry.published else "vendor",
                    "public_question": entry.published_as or entry.question,
                },
            )
    can_ask = permissions.can_ask_clarification(current_user, evaluation)
    return render_template(
        "clarifications/index.html",
        evaluation=evaluation,
        entries=entries,
        answer_forms=forms,
        ask_form=_ask_form(evaluation, ask_form) if can_ask else None,
        buyer_side=permissions.can_view_evaluation(current_user, evaluation),
        question_texts={q.id: q.text for q in store.parsed(evaluation.questionnaire).questions},
        deadline=local_datetime(evaluation.deadline),
        deadline_passed=evaluation.deadline <= utcnow(),
    ), status


@bp.get("/evaluations/<int:evaluation_id>/clarifications")
def index(evaluation_id: int):
    evaluation = _evaluation_or_404(evaluation_id, permissions.can_view_clarifications)
    return _page(evaluation)


@bp.post("/evaluations/<int:evaluation_id>/clarifications")
def ask(evaluation_id: int):
    evaluation = _evaluation_or_404(evaluation_id, permissions.can_ask_clarification)
    form = _ask_form(evaluation, AskForm())
    if not form.validate_on_submit():
        return _page(evaluation, ask_form=form, status=422)
    try:
        clarification = services.ask(
            evaluation, user=current_user, question=form.question.data, question_id=form.question_id.data
        )
    except services.ClarificationError as error:
        db.session.rollback()
        form.question.errors = [str(error)]
        return _page(evaluation, ask_form=form, status=409)
    mails = clarification_asked_mails(clarification)
    after_commit(lambda: deliver(mails))
    flash("Your question was sent to the buyer. You will get an e-mail when it is answered.", "success")
    return redirect(
        url_for("clarifications.index", evaluation_id=evaluation.id, _anchor=f"clarification-{clarification.id}")
    )


@bp.post("/clarifications/<int:clarification_id>/answer")
def answer(clarification_id: int):
    clarification = _clarification_or_404(clarification_id, permissions.can_answer_clarification)
    evaluation = clarification.evaluation
    form = AnswerForm(prefix=f"c{clarification.id}")
    if not form.validate_on_submit():
        return _page(evaluation, answer_forms={clarification.id: form}, status=422)
    publish = form.audience.data == "all"
    try:
        services.answer(
            clarification,
            user=current_user,
            text=form.answer.data,
            publish=publish,
            public_question=form.public_question.data or "",
        )
    except services.ClarificationError as error:
        db.session.rollback()
        form.audience.errors = [str(error)]
        return _page(evaluation, answer_forms={clarification.id: form}, status=409)
    mails = clarification_answered_mails(clarification)
    told = "every invited vendor" if publish else clarification.vendor_organisation.name

    def tell_vendors() -> None:
        report = deliver(mails)
        message = f"Answer sent to {told} ({len(report.sent)} e-mail(s))."
        if report.failed:
            message += f" {len(report.failed)} e-mail(s) could not be sent; the answer is on the page all the same."
        flash(message, "error" if report.failed else "success")

    after_commit(tell_vendors)
    return redirect(
        url_for("clarifications.index", evaluation_id=evaluation.id, _anchor=f"clarification-{clarification.id}")
    )
