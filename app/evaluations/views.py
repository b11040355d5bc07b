"""The buyer's side of an evaluation: create, configure, invite, assign evaluators."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app import audit, notifications, permissions
from app.evaluations import invitations, pricing, services, weights
from app.evaluations.forms import AssignEvaluatorForm, DeadlineForm, EvaluationForm, InviteVendorForm, RequirementsForm
from app.evaluations.requirements import RequirementsError, form_data, requirement_choices, requirements_from_form
from app.extensions import db
from app.models import Response, Role, User
from app.questionnaires import store
from app.scoring.model import Requirements
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
            owner=current_user, questionnaire=questionnaire, title=form.title.data,
            description=form.description.data or "", deadline=form.deadline.data,
            modalities=form.modalities.data, sealed=form.sealed.data,
        )
        db.session.commit()
        flash("Evaluation created. State your requirements, check the weights and invite vendors.", "success")
        return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template("evaluations/new.html", form=form)


@bp.get("/<int:evaluation_id>")
def show(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_view_evaluation)
    responses = db.session.scalars(
        sa.select(Response).where(Response.evaluation_id == evaluation.id)
        .options(sa.orm.joinedload(Response.vendor_organisation)).order_by(Response.id)
    ).all()
    evaluators = db.session.scalars(
        sa.select(User).where(User.organisation_id == evaluation.organisation_id, User.role == Role.EVALUATOR,
                              User.active.is_(True)).order_by(User.email)
    ).all()
    sections = services.active_sections(evaluation)
    assign_form = AssignEvaluatorForm()
    assign_form.evaluator.choices = {u.id: u.display_name for u in evaluators}
    assign_form.section.choices = {"": "All sections"} | {s.id: s.title for s in sections}
    return render_template(
        "evaluations/show.html", evaluation=evaluation, responses=responses, sections=sections,
        criteria=[c for c in weights.criteria(evaluation, price_in_use=pricing.load_settings(evaluation).scorable)
                  if c.in_use],
        invite_form=InviteVendorForm(), assign_form=assign_form,
        action_form=FlaskForm(), requirements=Requirements.from_dict(evaluation.requirements or {}),
        sealed=permissions.is_sealed(evaluation),
    )


@bp.route("/<int:evaluation_id>/settings", methods=["GET", "POST"])
def settings(evaluation_id: int):
    """The deadline (weights have their own page: ``weights_views``)."""
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    form = DeadlineForm(data={"deadline": evaluation.deadline})
    if form.validate_on_submit():
        previous_deadline = evaluation.deadline
        services.move_deadline(evaluation, actor=current_user, deadline=form.deadline.data)
        db.session.commit()
        flash("Deadline saved.", "success")
        if evaluation.deadline != previous_deadline:  # every invited vendor is told, after the change is stored
            told = notifications.notify_deadline_moved(evaluation, previous=previous_deadline, actor=current_user)
            db.session.commit()
            flash(f"{len(told.sent)} vendor contact(s) were e-mailed the new deadline"
                  + (f"; {len(told.failed)} e-mail(s) could not be sent." if told.failed else "."),
                  "error" if told.failed else "info")
        return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template("evaluations/settings.html", evaluation=evaluation, form=form)


@bp.route("/<int:evaluation_id>/requirements", methods=["GET", "POST"])
def requirements(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    stored = Requirements.from_dict(evaluation.requirements or {})
    form = RequirementsForm(data=form_data(stored))
    choices = requirement_choices(store.parsed(evaluation.questionnaire))
    form.devices.choices, form.environments.choices = choices["devices"], choices["environments"]
    if form.validate_on_submit():
        try:
            profile = requirements_from_form(form, evaluation.modalities)
        except RequirementsError as error:
            for name, messages in error.errors.items():
                form[name].errors = list(form[name].errors) + messages
        else:
            evaluation.requirements = profile.to_dict()
            audit.record("evaluation.requirements_changed", actor=current_user, evaluation_id=evaluation.id,
                         details=evaluation.requirements)
            db.session.commit()
            flash("Requirements saved.", "success")
            return redirect(url_for("evaluations.show", evaluation_id=evaluation.id))
    return render_template("evaluations/requirements.html", evaluation=evaluation, form=form)


@bp.post("/<int:evaluation_id>/invitations")
def invite(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    form = InviteVendorForm()
    if form.validate_on_submit():
        invitations.invite_vendor(evaluation, vendor_name=form.vendor_name.data, email=form.email.data,
                                  invited_by=current_user)
        db.session.commit()
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
            db.session.commit()
            flash(f"Invitation to {invitation.email} {'sent again' if action == 'resend' else 'withdrawn'}.", "success")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id, _anchor="vendors"))


@bp.post("/<int:evaluation_id>/evaluators")
def assign(evaluation_id: int):
    evaluation = evaluation_or_404(evaluation_id, permissions.can_manage_evaluation)
    form = AssignEvaluatorForm()
    form.evaluator.choices = {u.id: u.email for u in db.session.scalars(
        sa.select(User).where(User.organisation_id == evaluation.organisation_id, User.role == Role.EVALUATOR))}
    form.section.choices = {"": "All sections"} | {s.id: s.title for s in services.active_sections(evaluation)}
    if form.validate_on_submit():
        evaluator = db.session.get(User, form.evaluator.data)
        services.assign_evaluator(evaluation, actor=current_user, evaluator=evaluator,
                                  section_id=form.section.data, is_lead=form.is_lead.data)
        db.session.commit()
        flash(f"{evaluator.display_name} assigned.", "success")
    else:
        flash("Choose an evaluator and a section.", "error")
    return redirect(url_for("evaluations.show", evaluation_id=evaluation.id, _anchor="evaluators"))
