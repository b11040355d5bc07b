"""The buyer's weights (direct or AHP) and price settings, on the evaluations blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import permissions
from app.evaluations import pricing, weights
from app.evaluations.views import bp
from app.extensions import db
from app.models import PriceFormula
from app.questionnaires import store
from app.scoring.weights import MAX_CONSISTENCY_RATIO, RANDOM_INDEX_TABLE, InconsistentJudgements
from app.web.loaders import evaluation_or_404


@bp.route("/<int:evaluation_id>/weights", methods=["GET", "POST"])
def weights_page(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    price = pricing.load_settings(evaluation)
    items = weights.criteria(evaluation, price_in_use=price.scorable)
    form = FlaskForm()
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        typed = {c.id: request.form.get(f"weight.{c.id}", "") for c in items}
        values, errors = weights.parse_weights(typed, items)
        if not errors:
            changed = weights.set_weights(evaluation, actor=current_user, weights=values, method="direct")
            flash("Weights saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("evaluations.weights_page", evaluation_id=evaluation.id))
        flash("Some weights are not valid; nothing was saved.", "error")
    return render_template(
        "evaluations/weights.html",
        evaluation=evaluation,
        criteria=items,
        form=form,
        typed=typed,
        errors=errors,
        price=price,
        ahp_cr=weights.weights_from_ahp(evaluation, items),
        price_id=weights.PRICE_CRITERION,
    ), (422 if errors else 200)


@bp.route("/<int:evaluation_id>/weights/ahp", methods=["GET", "POST"])
def weights_ahp(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    price = pricing.load_settings(evaluation)
    items = [c for c in weights.criteria(evaluation, price_in_use=price.scorable) if c.in_use]
    pairs = weights.pairs(items)
    keys = [weights.pair_key(a.id, b.id) for a, b in pairs]
    stored = weights.scoring_settings(evaluation)
    previous = (stored.ahp_judgements or {}) if stored else {}
    typed = {key: previous.get(key, "1") for key in keys}
    form = FlaskForm()
    errors: dict[str, str] = {}
    refusal = problem = None
    result = None
    bad_pairs: frozenset[str] = frozenset()
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        judgements, typed, errors = weights.parse_judgements(
            {key: request.form.get(f"pair.{key}", "") for key in keys}, items
        )
        if errors:
            status = 422
        else:
            try:
                result = weights.judge(items, judgements)
            except ValueError as error:
                problem, status = str(error), 422
        if result is not None:
            if result.cr > MAX_CONSISTENCY_RATIO:
                refusal = weights.inconsistency_message(result, items)
                bad_pairs = weights.inconsistent_pair(result)
            if request.form.get("action") == "apply":
                try:
                    weights.apply_ahp(evaluation, actor=current_user, items=items, typed=typed, result=result)
                except InconsistentJudgements:
                    db.session.rollback()
                    flash("These weights were not applied: the judgements are too inconsistent.", "error")
                    status = 422
                else:
                    flash(f"AHP weights applied (consistency ratio {result.cr:.3f}).", "success")
                    return redirect(url_for("evaluations.weights_page", evaluation_id=evaluation.id))
    return render_template(
        "evaluations/weights_ahp.html",
        evaluation=evaluation,
        criteria=items,
        pairs=pairs,
        typed=typed,
        errors=errors,
        result=result,
        refusal=refusal,
        problem=problem,
        bad_pairs=bad_pairs,
        form=form,
        options={key: weights.saaty_options(a.title, b.title) for key, (a, b) in zip(keys, pairs, strict=True)},
        pair_key=weights.pair_key,
        max_cr=MAX_CONSISTENCY_RATIO,
        random_index_table=RANDOM_INDEX_TABLE,
        random_index=weights.random_index_rows(),
        price=price,
    ), status


@bp.route("/<int:evaluation_id>/price", methods=["GET", "POST"])
def price_settings(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    questionnaire = store.parsed(evaluation.questionnaire)
    choices = {q.id: q.text for q in pricing.rejection_choices(questionnaire)}
    current = pricing.load_settings(evaluation)
    form = FlaskForm()
    typed = {"formula": current.formula, "rejection_question": current.rejection_question or ""}
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        typed = {
            "formula": request.form.get("formula", ""),
            "rejection_question": request.form.get("rejection_question", ""),
        }
        if typed["formula"] not in {f.value for f in PriceFormula}:
            errors["formula"] = "Choose the absolute or the relative formula."
        if choices and typed["rejection_question"] not in choices:
            errors["rejection_question"] = "Choose the question that holds the vendor's rejection rate."
        if not errors:
            pricing.save_settings(
                evaluation,
                actor=current_user,
                formula=typed["formula"],
                rejection_question=typed["rejection_question"] or None,
            )
            flash("Price settings saved.", "success")
            return redirect(url_for("evaluations.price_settings", evaluation_id=evaluation.id))
        flash("Some price settings are not valid; nothing was saved.", "error")
    share = next(
        (
            c.share
            for c in weights.criteria(evaluation, price_in_use=current.scorable)
            if c.id == weights.PRICE_CRITERION
        ),
        0.0,
    )
    return render_template(
        "evaluations/weights_price.html",
        evaluation=evaluation,
        price=current,
        form=form,
        typed=typed,
        errors=errors,
        choices=choices,
        formulas=pricing.FORMULAS,
        share=share,
    ), (422 if errors else 200)
