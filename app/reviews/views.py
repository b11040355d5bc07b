"""Evaluators score submitted responses blind; the lead evaluator sets consensus."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import permissions
from app.extensions import db
from app.models import User
from app.questionnaires import store
from app.reviews import services
from app.web.loaders import response_or_404

bp = Blueprint("reviews", __name__, url_prefix="/reviews")


def _score_inputs(question_ids) -> tuple[dict[str, services.ScoreInput], dict[str, str]]:
    inputs, errors = {}, {}
    for question_id in question_ids:
        raw = request.form.get(f"score.{question_id}", "").strip()
        comment = request.form.get(f"comment.{question_id}", "")[:5000]
        value = None
        if raw:
            if raw.isdigit() and 0 <= int(raw) <= 4:
                value = int(raw)
            else:
                errors[question_id] = "Choose a score from 0 to 4."
        inputs[question_id] = services.ScoreInput(value, comment)
    return inputs, errors


@bp.route("/<int:response_id>", methods=["GET", "POST"])
def score(response_id: int):
    response = response_or_404(response_id, permissions.can_score)
    form = FlaskForm()
    if not services.has_declared(response, current_user):
        if request.method == "POST" and form.validate_on_submit() and request.form.get("no_conflict") == "yes":
            services.declare_no_conflict(response, current_user)
            db.session.commit()
            return redirect(url_for("reviews.score", response_id=response.id))
        return render_template("reviews/declare.html", response=response, form=form,
                               error=request.method == "POST")
    questions = services.questions_to_score(response, current_user)
    answers = {a.question_id: a.value for a in response.answers}
    errors: dict[str, str] = {}
    typed: dict[str, services.ScoreInput] = {}
    missing: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        typed, errors = _score_inputs([q.id for q in questions])
        if not errors:
            try:
                missing = services.save_scores(response, current_user, typed,
                                               submit=request.form.get("action") == "submit")
            except services.ScoringError as error:
                db.session.rollback()
                flash(str(error), "error")
                return redirect(url_for("reviews.score", response_id=response.id))
            db.session.commit()
            if not missing:
                flash("Scores submitted." if request.form.get("action") == "submit" else "Scores saved.", "success")
                return redirect(url_for("reviews.score", response_id=response.id))
            flash(f"Score every question before submitting: {len(missing)} still open.", "error")
        else:
            flash("Some scores are not valid; nothing was saved.", "error")
    own = services.own_scores(response, current_user)
    submitted = any(s.submitted_at for s in own.values())
    # Blind scoring: others' scores appear only after one's own are submitted.
    others = services.submitted_scores(response) if submitted else {}
    return render_template(
        "reviews/score.html", response=response, evaluation=response.evaluation, questions=questions,
        answers=answers, own=own, typed=typed, errors=errors, missing=missing, submitted=submitted,
        others=others, form=form, questionnaire=store.parsed(response.questionnaire),
    ), (422 if errors or missing else 200)


@bp.route("/<int:response_id>/consensus", methods=["GET", "POST"])
def consensus(response_id: int):
    response = response_or_404(response_id, permissions.can_set_consensus)
    form = FlaskForm()
    questionnaire = store.parsed(response.questionnaire)
    scores = services.submitted_scores(response)
    error_for: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        question_id = request.form.get("question_id", "")
        if question_id in scores:
            raw = request.form.get("value", "")
            try:
                services.set_consensus(response, current_user, question_id,
                                       int(raw) if raw.isdigit() else -1, request.form.get("rationale", ""))
            except services.ScoringError as error:
                db.session.rollback()
                error_for[question_id] = str(error)
            else:
                db.session.commit()
                flash(f"Consensus for {question_id} recorded.", "success")
                return redirect(url_for("reviews.consensus", response_id=response.id, _anchor=f"c-{question_id}"))
    evaluators = {uid: db.session.get(User, uid) for per_q in scores.values() for uid in per_q}
    return render_template(
        "reviews/consensus.html", response=response, evaluation=response.evaluation, scores=scores,
        consensus=services.consensus_scores(response), evaluators=evaluators, form=form,
        questions=[q for q in questionnaire.questions if q.id in scores], error_for=error_for,
        answers={a.question_id: a.value for a in response.answers},
    ), (422 if error_for else 200)
