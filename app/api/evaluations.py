"""Evaluations, their requirements, invitations and evaluators, and questionnaire versions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import request
from flask.views import MethodView
from flask_login import current_user

from app import notifications, permissions
from app.api import schemas
from app.api.common import ID, api_blueprint, requires, with_evaluation
from app.api.errors import ErrorSchema, fail
from app.api.pagination import PageArgs, page_of, paginate_list, paginate_query
from app.api.requirements import requirements_from_json
from app.evaluations import invitations, pricing, services, weights
from app.evaluations.requirements import RequirementsError, set_requirements, unscored_questions, vocabulary
from app.extensions import db
from app.models import Evaluation, Invitation, QuestionnaireVersion, Response, User
from app.questionnaires import store
from app.scoring.model import Requirements
from app.transaction import after_commit
from app.web.loaders import invitation_or_404

blp = api_blueprint("api_evaluations", "Evaluations, requirements, invitations, evaluators and questionnaires.")


def evaluation_summary(evaluation: Evaluation) -> dict:
    return {
        "id": evaluation.id,
        "title": evaluation.title,
        "status": evaluation.status,
        "deadline": evaluation.deadline,
        "sealed": evaluation.sealed,
        "is_sealed": permissions.is_sealed(evaluation),
        "modalities": list(evaluation.modalities),
        "questionnaire_id": evaluation.questionnaire_id,
        "created_at": evaluation.created_at,
    }


def evaluation_detail(evaluation: Evaluation) -> dict:
    items = weights.criteria(evaluation, price_in_use=pricing.load_settings(evaluation).scorable)
    return evaluation_summary(evaluation) | {
        "description": evaluation.description,
        "questionnaire": f"{evaluation.questionnaire.title} v{evaluation.questionnaire.version}",
        "weights": [
            {"section_id": c.id, "title": c.title, "weight": c.weight, "share": c.share}
            for c in items
            if c.id != weights.PRICE_CRITERION
        ],
    }


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, schemas.MeSchema)
    def get(self):
        """Who the token acts as"""
        return {
            "id": current_user.id,
            "email": current_user.email,
            "name": current_user.name,
            "role": current_user.role,
            "organisation_id": current_user.organisation_id,
            "organisation": current_user.organisation.name,
        }


@blp.route("/evaluations")
class Evaluations(MethodView):
    @requires(permissions.is_buyer_staff)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(schemas.EvaluationSummarySchema, "EvaluationPage"))
    def get(self, page):
        """List the evaluations you may open, newest deadline first"""
        return paginate_list([evaluation_summary(e) for e in services.evaluations_for(current_user)], page)

    @requires(permissions.can_create_evaluation)
    @blp.arguments(schemas.EvaluationCreateSchema)
    @blp.response(201, schemas.EvaluationSchema)
    def post(self, data):
        """Open an evaluation from a current questionnaire version"""
        questionnaire = next((v for v in store.latest_versions() if v.id == data["questionnaire_id"]), None)
        if questionnaire is None:
            fail(
                422,
                "Choose a current questionnaire version.",
                {"questionnaire_id": ["Not a current questionnaire version; see GET /api/v1/questionnaires."]},
            )
        evaluation = services.create_evaluation(
            owner=current_user,
            questionnaire=questionnaire,
            title=data["title"],
            description=data["description"],
            deadline=data["deadline"],
            modalities=data["modalities"],
            sealed=data["sealed"],
        )
        return evaluation_detail(evaluation)


@blp.route(f"/evaluations/<{ID}:evaluation_id>")
class EvaluationItem(MethodView):
    @with_evaluation(permissions.can_view_evaluation)
    @blp.response(200, schemas.EvaluationSchema)
    def get(self, evaluation: Evaluation):
        """An evaluation with its section weights"""
        return evaluation_detail(evaluation)

    @with_evaluation(permissions.can_manage_evaluation)
    @blp.arguments(schemas.EvaluationUpdateSchema)
    @blp.response(200, schemas.EvaluationSchema)
    def patch(self, data, evaluation: Evaluation):
        """Move the deadline and/or change section weights"""
        new_weights = data.get("weights", {})
        items = weights.criteria(evaluation, price_in_use=pricing.load_settings(evaluation).scorable)
        refused = weights.check_weights(items, new_weights)
        if refused:
            fail(
                422,
                "Some weights are not valid; nothing was changed.",
                {f"weights.{key}" if key else "weights": [message] for key, message in refused.items()},
            )
        previous = evaluation.deadline
        try:
            moved = services.move_deadline(
                evaluation, actor=current_user, deadline=data.get("deadline", evaluation.deadline)
            )
        except services.DeadlineError as error:
            fail(422, str(error), {"deadline": [str(error)]})
        if new_weights:
            weights.set_weights(evaluation, actor=current_user, weights=new_weights, method="direct")
        if moved:  # vendors are told as when the deadline moves on the web
            after_commit(lambda: notifications.notify_deadline_moved(evaluation, previous=previous, actor=current_user))
        return evaluation_detail(evaluation)


@blp.route(f"/evaluations/<{ID}:evaluation_id>/open-early")
class OpenEarly(MethodView):
    @with_evaluation(permissions.can_manage_evaluation)
    @blp.arguments(schemas.OpenEarlySchema)
    @blp.response(200, schemas.EvaluationSchema)
    def post(self, data, evaluation: Evaluation):
        """Open sealed responses before the deadline: the evaluation closes to vendors now, and they are told"""
        try:
            previous = services.open_early(evaluation, actor=current_user, reason=data["reason"])
        except services.DeadlineError as error:
            fail(409, str(error))
        after_commit(
            lambda: notifications.notify_opened_early(
                evaluation, previous=previous, reason=data["reason"], actor=current_user
            )
        )
        return evaluation_detail(evaluation)


def _requirements_out(evaluation: Evaluation) -> dict:
    profile = Requirements.from_dict(evaluation.requirements or {})
    questionnaire = store.parsed(evaluation.questionnaire)
    words = vocabulary(questionnaire)
    # to_dict writes the date as text; the schema writes dates itself.
    return profile.to_dict() | {
        "award_date": profile.award_date,
        "modalities": list(evaluation.modalities),
        "choices": {"devices": dict(words.devices.options), "environments": dict(words.environments.options)},
        "demographic_choices": {
            key: {"label": words.attributes.options[key], "categories": dict(choices.options)}
            for key, choices in words.demographics.items()
        },
        "not_scored": [
            {"question_id": line.question_id, "text": line.text, "reason": line.reason}
            for line in unscored_questions(questionnaire, evaluation.modalities, profile)
        ],
    }


@blp.route(f"/evaluations/<{ID}:evaluation_id>/requirements")
class EvaluationRequirements(MethodView):
    @with_evaluation(permissions.can_view_evaluation)
    @blp.response(200, schemas.RequirementsOutSchema)
    def get(self, evaluation: Evaluation):
        """The requirements profile"""
        return _requirements_out(evaluation)

    @with_evaluation(permissions.can_manage_evaluation)
    @blp.arguments(schemas.RequirementsSchema)
    @blp.response(200, schemas.RequirementsOutSchema)
    def put(self, data, evaluation: Evaluation):
        """Set the requirements profile: the fields sent replace the stored ones, the others stay

        An empty body is refused: it would otherwise clear every requirement without saying so.
        """
        sent = set(request.get_json(silent=True) or {})
        if not sent:
            fail(
                422,
                'Send at least one requirement (for example {"locales": [...]}); nothing was changed.',
                {"_schema": ["The body names no requirement."]},
            )
        stored = _requirements_out(evaluation)
        data = {key: (value if key in sent else stored[key]) for key, value in data.items()}
        try:
            profile = requirements_from_json(
                data, modalities=evaluation.modalities, words=vocabulary(store.parsed(evaluation.questionnaire))
            )
        except RequirementsError as error:
            fail(422, "Some requirements are not valid; nothing was changed.", error.errors)
        set_requirements(evaluation, profile, actor=current_user)
        return _requirements_out(evaluation)


def invitation_data(invitation: Invitation) -> dict:
    return {
        "id": invitation.id,
        "email": invitation.email,
        "vendor": invitation.vendor_organisation.name,
        "vendor_organisation_id": invitation.vendor_organisation_id,
        "state": invitation.state,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
        "revoked_at": invitation.revoked_at,
    }


@blp.route(f"/evaluations/<{ID}:evaluation_id>/invitations")
class EvaluationInvitations(MethodView):
    @with_evaluation(permissions.can_manage_evaluation)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(schemas.InvitationSchema, "InvitationPage"))
    def get(self, page, evaluation: Evaluation):
        """List the vendor invitations"""
        query = sa.select(Invitation).where(Invitation.evaluation_id == evaluation.id).order_by(Invitation.id)
        result = paginate_query(query, page)
        return result | {"items": [invitation_data(i) for i in result["items"]]}

    @with_evaluation(permissions.can_manage_evaluation)
    @blp.arguments(schemas.InvitationCreateSchema)
    @blp.response(201, schemas.InvitationSchema)
    def post(self, data, evaluation: Evaluation):
        """Invite a vendor contact (the link goes out by e-mail; a pending invitation is sent again)"""
        try:
            invitation = invitations.invite_vendor(
                evaluation, vendor_name=data["vendor_name"], email=data["email"], invited_by=current_user
            )
        except invitations.InvitationError as error:
            fail(422, str(error), {"email": [str(error)]})
        return invitation_data(invitation)


def _invitation_action(evaluation: Evaluation, invitation_id: int, action) -> dict:
    invitation = invitation_or_404(evaluation, invitation_id)
    try:
        action(invitation, actor=current_user)
    except invitations.InvitationError as error:
        fail(409, str(error))
    return invitation_data(invitation)


@blp.route(f"/evaluations/<{ID}:evaluation_id>/invitations/<{ID}:invitation_id>/resend")
class InvitationResend(MethodView):
    @with_evaluation(permissions.can_manage_evaluation)
    @blp.response(200, schemas.InvitationSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Already accepted.")
    def post(self, evaluation: Evaluation, invitation_id: int):
        """Send the invitation again with a fresh link (the old link stops working)"""
        return _invitation_action(evaluation, invitation_id, invitations.resend_invitation)


@blp.route(f"/evaluations/<{ID}:evaluation_id>/invitations/<{ID}:invitation_id>/revoke")
class InvitationRevoke(MethodView):
    @with_evaluation(permissions.can_manage_evaluation)
    @blp.response(200, schemas.InvitationSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Already accepted.")
    def post(self, evaluation: Evaluation, invitation_id: int):
        """Withdraw the invitation"""
        return _invitation_action(evaluation, invitation_id, invitations.revoke_invitation)


@blp.route(f"/evaluations/<{ID}:evaluation_id>/evaluators")
class EvaluationEvaluators(MethodView):
    @with_evaluation(permissions.can_view_evaluation)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(schemas.EvaluatorSchema, "EvaluatorPage"))
    def get(self, page, evaluation: Evaluation):
        """List the evaluators assigned and the sections they score"""
        rows = sorted(evaluation.assignments, key=lambda a: (a.user.email, a.section_id))
        return paginate_list(
            [
                {
                    "user_id": a.user_id,
                    "name": a.user.name,
                    "email": a.user.email,
                    "section_id": a.section_id,
                    "is_lead": a.is_lead,
                }
                for a in rows
            ],
            page,
        )

    @with_evaluation(permissions.can_manage_evaluation)
    @blp.arguments(schemas.EvaluatorAssignSchema)
    @blp.response(201, schemas.EvaluatorSchema)
    def post(self, data, evaluation: Evaluation):
        """Assign an evaluator to one section or to all"""
        if data["section_id"] and data["section_id"] not in {s.id for s in services.active_sections(evaluation)}:
            fail(422, "Choose a section of this evaluation.", {"section_id": ["Not a section of this evaluation."]})
        evaluator = db.session.get(User, data["user_id"])
        try:
            if evaluator is None:
                raise ValueError("Only evaluators of your organisation can be assigned.")
            services.assign_evaluator(
                evaluation,
                actor=current_user,
                evaluator=evaluator,
                section_id=data["section_id"],
                is_lead=data["is_lead"],
            )
        except ValueError as error:
            fail(422, str(error), {"user_id": [str(error)]})
        return {
            "user_id": evaluator.id,
            "name": evaluator.name,
            "email": evaluator.email,
            "section_id": data["section_id"],
            "is_lead": data["is_lead"],
        }


@blp.route(f"/evaluations/<{ID}:evaluation_id>/responses")
class EvaluationResponses(MethodView):
    @with_evaluation(permissions.can_view_evaluation)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(schemas.ResponseSummarySchema, "ResponseSummaryPage"))
    def get(self, page, evaluation: Evaluation):
        """List the vendors' responses and whether they submitted (answers stay sealed until the deadline)"""
        query = sa.select(Response).where(Response.evaluation_id == evaluation.id).order_by(Response.id)
        result = paginate_query(query, page)
        return result | {"items": [response_summary(r) for r in result["items"]]}


def response_summary(response: Response) -> dict:
    return {
        "id": response.id,
        "evaluation_id": response.evaluation_id,
        "evaluation": response.evaluation.title,
        "vendor": response.vendor_organisation.name,
        "status": response.status,
        "submitted_at": response.submitted_at,
        "deadline": response.evaluation.deadline,
    }


def questionnaire_data(version: QuestionnaireVersion, latest: set[int]) -> dict:
    return {
        "id": version.id,
        "key": version.key,
        "version": version.version,
        "title": version.title,
        "latest": version.id in latest,
        "created_at": version.created_at,
    }


@blp.route("/questionnaires")
class Questionnaires(MethodView):
    @requires(permissions.is_buyer_staff)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(schemas.QuestionnaireSummarySchema, "QuestionnairePage"))
    def get(self, page):
        """List the stored questionnaire versions"""
        latest = {v.id for v in store.latest_versions()}
        query = sa.select(QuestionnaireVersion).order_by(QuestionnaireVersion.key, QuestionnaireVersion.version.desc())
        result = paginate_query(query, page)
        return result | {"items": [questionnaire_data(v, latest) for v in result["items"]]}


@blp.route(f"/questionnaires/<{ID}:questionnaire_id>")
class QuestionnaireItem(MethodView):
    @requires(permissions.is_buyer_staff)
    @blp.response(200, schemas.QuestionnaireSchema)
    def get(self, questionnaire_id: int):
        """One questionnaire version with its full definition"""
        version = db.get_or_404(QuestionnaireVersion, questionnaire_id)
        latest = {v.id for v in store.latest_versions()}
        return questionnaire_data(version, latest) | {"definition": version.definition}
