"""Evaluators score submitted responses blind; the lead evaluator sets consensus."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import limits, permissions
from app.extensions import db
from app.models import EvidenceLevel, User
from app.questionnaires import store
from app.reviews import services, verification
from app.reviews.agreement import evaluation_agreement
from app.scoring.autoscorers import get_scorer
from app.scoring.model import Requirements
from app.web.loaders import evaluation_or_404, response_or_404

bp = Blueprint("reviews", __name__, url_prefix="/reviews")


def _score_inputs(question_ids) -> tuple[dict[str, services.ScoreInput], dict[str, str]]:
    inputs, errors = {}, {}
    for question_id in question_ids:
        raw = request.form.get(f"score.{question_id}", "").strip()
        comment = request.form.get(f"comment.{question_id}", "")
        value = None
        if raw:
            if raw.isdigit() and 0 <= int(raw) <= 4:
                value = int(raw)
            else:
                errors[question_id] = "Choose a score from 0 to 4."
        if len(comment) > limits.SCORE_COMMENT:
            errors[question_id] = f"Comment: {limits.too_long_message(limits.SCORE_COMMENT)}"
        inputs[question_id] = services.ScoreInput(value, comment)
    return inputs, errors


def _auto_results(response, questions, answers) -> dict:
    """What the auto-scorers make of the answers, shown beside them (the same rule as the ranking)."""
    requirements = Requirements.from_dict(response.evaluation.requirements or {})
    return {
        q.id: get_scorer(q.scoring.auto)(answers.get(q.id), q.scoring.params, requirements)
        for q in questions
        if q.is_auto_scored and q.weight > 0
    }


def _declare(response):
    """The declaration page: no conflict (then scoring opens) or a conflict, with its reason."""
    form = FlaskForm()
    error = ""
    if request.method == "POST" and form.validate_on_submit():
        choice = request.form.get("declaration", "")
        try:
            if choice == "no_conflict":
                services.declare_no_conflict(response, current_user)
                return redirect(url_for("reviews.score", response_id=response.id))
            if choice == "conflict":
                services.declare_conflict(response, current_user, request.form.get("reason", ""))
                flash(
                    f"Conflict of interest recorded: you are recused from {response.vendor_organisation.name}. "
                    "The buyer sees your declaration.",
                    "info",
                )
                return redirect(url_for("evaluations.show", evaluation_id=response.evaluation_id))
            error = "Choose one of the two declarations."
        except services.ScoringError as refusal:
            error = str(refusal)
    return render_template(
        "reviews/declare.html", response=response, form=form, error=error, reason=request.form.get("reason", "")
    ), (422 if error else 200)


@bp.route("/<int:response_id>", methods=["GET", "POST"])
def score(response_id: int):
    response = response_or_404(response_id, permissions.can_score)
    if not permissions.has_declared_no_conflict(current_user, response):
        return _declare(response)
    form = FlaskForm()
    scope = services.questions_in_scope(response, current_user)
    questions = [q for q in scope if services.is_scored_by_people(q)]
    answers = {a.question_id: a.value for a in response.answers}
    errors: dict[str, str] = {}
    level_errors: dict[str, str] = {}
    typed: dict[str, services.ScoreInput] = {}
    typed_levels: dict[str, str] = {}
    missing: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        permissions.require(permissions.can_give_scores(current_user, response))
        action = request.form.get("action", "save")
        # Every evidence field posted is read, so one outside the evaluator's sections is refused aloud.
        posted = [key.removeprefix("evidence.") for key in request.form if key.startswith("evidence.")]
        levels, level_errors = verification.parse_levels(request.form, posted)
        typed_levels = {qid: str(level) for qid, level in levels.items()}
        if action in ("save", "submit"):
            typed, errors = _score_inputs([q.id for q in questions])
        if not errors and not level_errors:
            try:
                verification.set_evidence_levels(response, current_user, levels, [q.id for q in scope])
                if action in ("save", "submit"):
                    missing = services.save_scores(response, current_user, typed, submit=action == "submit")
            except (services.ScoringError, verification.EvidenceError) as error:
                db.session.rollback()
                flash(str(error), "error")
                return redirect(url_for("reviews.score", response_id=response.id))
            if not missing:
                flash(
                    {"submit": "Review submitted.", "save": "Scores saved."}.get(action, "Evidence levels saved."),
                    "success",
                )
                return redirect(url_for("reviews.score", response_id=response.id))
            flash(f"Score every question before submitting: {len(missing)} still open. Nothing was saved.", "error")
        else:
            flash("Some entries are not valid; nothing was saved.", "error")
    submitted = permissions.has_submitted_review(current_user, response)
    # Blind scoring: others' scores and marks appear only once one's own review is submitted.
    see_others = permissions.can_see_other_reviews(current_user, response)
    return render_template(
        "reviews/score.html",
        response=response,
        evaluation=response.evaluation,
        scope=scope,
        to_score={q.id for q in questions},
        answers=answers,
        own=services.own_scores(response, current_user),
        typed=typed,
        errors=errors,
        missing=missing,
        submitted=submitted,
        others=services.submitted_scores(response) if see_others else {},
        other_marks=verification.submitted_marks(response) if see_others else {},
        form=form,
        questionnaire=store.parsed(response.questionnaire),
        findings=verification.answer_findings(scope, answers),
        levels=verification.evidence_levels(response) | verification.own_marks(response, current_user),
        typed_levels=typed_levels,
        level_errors=level_errors,
        level_choices=verification.EVIDENCE_LABELS,
        level_help=verification.EVIDENCE_HELP,
        auto=_auto_results(response, scope, answers),
        can_mark=permissions.can_mark_evidence(current_user, response),
    ), (422 if errors or missing or level_errors else 200)


@bp.route("/<int:response_id>/consensus", methods=["GET", "POST"])
def consensus(response_id: int):
    response = response_or_404(response_id, permissions.can_open_consensus)
    form = FlaskForm()
    if not permissions.can_set_consensus(current_user, response):
        # The lead is an evaluator too: blind scoring holds until their own review is in.
        return render_template(
            "reviews/consensus.html",
            response=response,
            evaluation=response.evaluation,
            blocked=True,
            form=form,
            questions=[],
        ), 403
    questionnaire = store.parsed(response.questionnaire)
    scores = services.submitted_scores(response)
    error_for: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        question_id = request.form.get("question_id", "")
        raw = request.form.get("value", "").strip()
        try:
            services.set_consensus(
                response,
                current_user,
                question_id,
                int(raw) if raw.isdigit() else (None if not raw else -1),
                request.form.get("rationale", ""),
            )
        except services.ScoringError as error:
            error_for[question_id] = str(error)
        else:
            flash(f"Consensus for {question_id} recorded.", "success")
            return redirect(url_for("reviews.consensus", response_id=response.id, _anchor=f"c-{question_id}"))
    evaluators = {uid: db.session.get(User, uid) for per_q in scores.values() for uid in per_q}
    questions = [q for q in questionnaire.questions if q.id in scores]
    answers = {a.question_id: a.value for a in response.answers}
    agreement = evaluation_agreement(response.evaluation)
    return render_template(
        "reviews/consensus.html",
        response=response,
        evaluation=response.evaluation,
        scores=scores,
        summaries={qid: services.score_summary(per) for qid, per in scores.items()},
        consensus=services.consensus_scores(response),
        evaluators=evaluators,
        form=form,
        blocked=False,
        questions=questions,
        error_for=error_for,
        answers=answers,
        agreement=agreement,
        gaps=agreement.gaps_for(response.id),
        findings=verification.answer_findings(questions, answers),
        levels=verification.evidence_levels(response),
        rationale_max=limits.CONSENSUS_RATIONALE,
    ), (422 if error_for else 200)


@bp.get("/evaluations/<int:evaluation_id>/agreement")
def agreement(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_results)
    if not permissions.may_see_results(current_user, evaluation):
        return render_template("reports/sealed.html", evaluation=evaluation), 403
    return render_template("reviews/agreement.html", evaluation=evaluation, agreement=evaluation_agreement(evaluation))


@bp.app_template_global()
def answer_findings(questions, values) -> dict:
    """Consistency findings per question, for templates that show answers (e.g. the response page)."""
    return verification.answer_findings(questions, values)


@bp.app_template_global()
def answer_evidence(response) -> dict[str, str]:
    """Evidence level labels per answered question of a response."""
    return {qid: verification.evidence_label(level) for qid, level in verification.evidence_levels(response).items()}


@bp.app_template_filter()
def evidence_label(level: EvidenceLevel | str | None) -> str:
    return verification.evidence_label(level)
