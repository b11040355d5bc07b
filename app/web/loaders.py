"""Load an object named in the URL and check access in the same step (404 or 403)."""

from __future__ import annotations

from collections.abc import Callable

from flask_login import current_user

from app import permissions
from app.extensions import db
from app.models import Attachment, Evaluation, Invitation, Response


def evaluation_or_404(evaluation_id: int, rule: Callable) -> Evaluation:
    evaluation = db.get_or_404(Evaluation, evaluation_id)
    permissions.require(rule(current_user, evaluation), hide=not permissions.belongs_to_buyer(current_user, evaluation))
    return evaluation


def response_or_404(response_id: int, rule: Callable) -> Response:
    response = db.get_or_404(Response, response_id)
    visible = permissions.is_own_response(current_user, response) or permissions.belongs_to_buyer(
        current_user, response.evaluation
    )
    permissions.require(rule(current_user, response), hide=not visible)
    return response


def invitation_or_404(evaluation: Evaluation, invitation_id: int) -> Invitation:
    invitation = db.get_or_404(Invitation, invitation_id)
    permissions.require(invitation.evaluation_id == evaluation.id, hide=True)
    return invitation


def attachment_or_404(attachment_id: int) -> Attachment:
    attachment = db.get_or_404(Attachment, attachment_id)
    response_or_404(attachment.response_id, permissions.can_view_response)
    return attachment
