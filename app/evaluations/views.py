"""The buyer's side of an evaluation: create, configure, invite, assign evaluators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import notifications, permissions
from app.evaluations import closing, invitations, pricing, services, weights
from app.evaluations.forms import (
    AssignEvaluatorForm,
    CloseScoringForm,
    DeadlineForm,
    EvaluationForm,
    InviteVendorForm,
    OpenEarlyForm,
    RequirementsForm,
)
from app.evaluations.requirements import (
    RequirementsError,
    form_data,
    requirements_from_form,
    set_requirements,
    unscored_questions,
    vocabulary,
)
from app.extensions import db
from app.models import Response, Role, User
from app.questionnaires import store
from app.scoring.model import Requirements
from app.transaction import after_commit
from app.web.loaders import evaluation_or_404, invitation_or_404

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")


@bp.route("/new", methods=["GET", "POST"])
def create():
    permissions.require(permissions.can_create_evaluation(current_user))
    form = EvaluationForm()
    versions = store.latest_versions()
    form.questionnaire.choices = {v.id: f"{v.title} (v{v.version})" for v in versions}
    if form.validate_on_submit():
        questionnaire = next(v for v in versions if v.id == form.questionnaire.data)
        evaluation = services.create_evaluation(
            owner=current_user,
            questionnaire=questionnaire,
            title=form.title.data,
            description=form.description.data or "",
            deadline=form.deadline.data,
            modalities=form.modalities.data,
            sealed=form.sealed.data,
        )
        flash("Evaluation created. State your requirements, check the weights and invite vendors.", "success")
        return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template("evaluations/new.html", form=form)


@bp.get("/<int:evaluation_id>")
def show(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_evaluation)
    responses = db.session.scalars(
        sa.select(Response)
        .where(Response.evaluation_id == evaluation.id)
        # The scoring links ask each response's declarations: load them with the responses, not one by one.
        .options(sa.orm.joinedload(Response.vendor_organisation), sa.orm.selectinload(Response.declarations))
        .order_by(Response.id)
    ).all()
    evaluators = db.session.scalars(
        sa.select(User)
        .where(User.organisation_id == evaluation.organisation_id, User.role == Role.EVALUATOR, User.active.is_(True))
        .order_by(User.email)
    ).all()
    sections = services.active_sections(evaluation)
    assign_form = AssignEvaluatorForm()
    assign_form.evaluator.choices = {u.id: u.display_name for u in evaluators}
    assign_form.section.choices = {"": "All sections"} | {s.id: s.title for s in sections}
    return render_template(
        "evaluations/show.html",
        evaluation=evaluation,
        responses=responses,
        sections=sections,
        criteria=[
            c for c in weights.criteria(evaluation, price_in_use=pricing.load_settings(evaluation).scorable) if c.in_use
        ],
        invite_form=InviteVendorForm(),
        assign_form=assign_form,
        action_form=FlaskForm(),
        requirements=Requirements.from_dict(evaluation.requirements or {}),
        sealed=permissions.is_sealed(evaluation),
        scoring=closing.scoring_state(evaluation),
        close_form=CloseScoringForm(prefix="close"),
    )


@bp.route("/<int:evaluation_id>/settings", methods=["GET", "POST"])
def settings(evaluation_id: int):
    """The deadline (weights have their own page: ``weights_views``)."""
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    form = DeadlineForm(data={"deadline": evaluation.deadline})
    status = 200
    if form.validate_on_submit():
        previous_deadline = evaluation.deadline
        try:
            moved = services.move_deadline(evaluation, actor=current_user, deadline=form.deadline.data)
        except services.DeadlineError as error:
            form.deadline.errors = [str(error)]
            return render_template(
                "evaluations/settings.html",
                evaluation=evaluation,
                form=form,
                open_form=OpenEarlyForm(prefix="open"),
                sealed=permissions.is_sealed(evaluation),
            ), 422
        flash("Deadline saved.", "success")
        if moved:  # every invited vendor is told, after the change is stored

            def tell_vendors() -> None:
                told = notifications.notify_deadline_moved(evaluation, previous=previous_deadline, actor=current_user)
                flash(
                    f"{len(told.sent)} vendor contact(s) were e-mailed the new deadline"
                    + (f"; {len(told.failed)} e-mail(s) could not be sent." if told.failed else "."),
                    "error" if told.failed else "info",
                )

            after_commit(tell_vendors)
        return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    if form.is_submitted():
        status = 422
    return render_template(
        "evaluations/settings.html",
        evaluation=evaluation,
        form=form,
        open_form=OpenEarlyForm(prefix="open"),
        sealed=permissions.is_sealed(evaluation),
    ), status


@bp.post("/<int:evaluation_id>/open-early")
def open_early(evaluation_id: int):
    """Open sealed responses before the deadline (closes the evaluation; every vendor is told)."""
    evaluation = evaluation_or_404(evaluation_id, permissions.can_open_early)
    form = OpenEarlyForm(prefix="open")
    if form.validate_on_submit():
        try:
            previous = services.open_early(evaluation, actor=current_user, reason=form.reason.data)
        except services.DeadlineError as error:
            form.reason.errors = [str(error)]
        else:
            reason = form.reason.data

            def tell_vendors() -> None:
                told = notifications.notify_opened_early(
                    evaluation, previous=previous, reason=reason, actor=current_user
                )
                flash(
                    f"Responses are open; the evaluation is closed to vendors. {len(told.sent)} vendor contact(s) "
                    "were told" + (f"; {len(told.failed)} e-mail(s) could not be sent." if told.failed else "."),
                    "error" if told.failed else "success",
                )

            after_commit(tell_vendors)
            return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template(
        "evaluations/settings.html",
        evaluation=evaluation,
        form=DeadlineForm(data={"deadline": evaluation.deadline}),
        open_form=form,
        sealed=permissions.is_sealed(evaluation),
    ), 422


@bp.route("/<int:evaluation_id>/requirements", methods=["GET", "POST"])
def requirements(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    stored = Requirements.from_dict(evaluation.requirements or {})
    questionnaire = store.parsed(evaluation.questionnaire)
    words = vocabulary(questionnaire)
    form = RequirementsForm(data=form_data(stored, words))
    form.devices.choices, form.environments.choices = dict(words.devices.options), dict(words.environments.options)
    if form.validate_on_submit():
        try:
            profile = requirements_from_form(form, evaluation.modalities, words)
        except RequirementsError as error:
            for name, messages in error.errors.items():
                form[name].errors = list(form[name].errors) + messages
        else:
            set_requirements(evaluation, profile, actor=current_user)
            flash("Requirements saved.", "success")
            return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template(
        "evaluations/requirements.html",
        evaluation=evaluation,
        form=form,
        demographic_choices=[
            (words.attributes.options[key], list(choices.options.values()))
            for key, choices in words.demographics.items()
        ],
        unscored=[str(line) for line in unscored_questions(questionnaire, evaluation.modalities, stored)],
    )


@bp.post("/<int:evaluation_id>/invitations")
def invite(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    form = InviteVendorForm()
    if form.validate_on_submit():
        try:
            invitations.invite_vendor(
                evaluation, vendor_name=form.vendor_name.data, email=form.email.data, invited_by=current_user
            )
        except invitations.InvitationError as error:
            flash(str(error), "error")
        else:
            flash(f"Invitation sent to {form.email.data}.", "success")
    else:
        for field in form:
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "error")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id, _anchor="vendors"))


@bp.post("/<int:evaluation_id>/invitations/<int:invitation_id>/<any(resend, revoke):action>")
def invitation_action(evaluation_id: int, invitation_id: int, action: str):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    invitation = invitation_or_404(evaluation, invitation_id)
    if FlaskForm().validate_on_submit():
        try:
            if action == "resend":
                invitations.resend_invitation(invitation, actor=current_user)
            else:
                invitations.revoke_invitation(invitation, actor=current_user)
        except invitations.InvitationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(f"Invitation to {invitation.email} {'sent again' if action == 'resend' else 'withdrawn'}.", "success")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id, _anchor="vendors"))


@bp.post("/<int:evaluation_id>/evaluators")
def assign(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    form = AssignEvaluatorForm()
    form.evaluator.choices = {
        u.id: u.email
        for u in db.session.scalars(
            sa.select(User).where(User.organisation_id == evaluation.organisation_id, User.role == Role.EVALUATOR)
        )
    }
    form.section.choices = {"": "All sections"} | {s.id: s.title for s in services.active_sections(evaluation)}
    if form.validate_on_submit():
        evaluator = db.session.get(User, form.evaluator.data)
        services.assign_evaluator(
            evaluation, actor=current_user, evaluator=evaluator, section_id=form.section.data, is_lead=form.is_lead.data
        )
        flash(f"{evaluator.display_name} assigned.", "success")
    else:
        flash("Choose an evaluator and a section.", "error")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id, _anchor="evaluators"))
