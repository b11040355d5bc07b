"""Closing scoring (the results are frozen) and re-scoring a closed evaluation, through the API.

The same services as the evaluation page (:mod:`app.evaluations.closing`) and the same predicates.
"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from marshmallow import fields

from app import permissions
from app.api.common import ID, api_blueprint, with_evaluation
from app.api.errors import ErrorSchema, fail
from app.api.fields import UTCDateTime
from app.evaluations import closing
from app.models import Evaluation

blp = api_blueprint("api_scoring", "Closing scoring (frozen results) and re-scoring a closed evaluation.")


class VersionsSchema(ma.Schema):
    questionnaire = fields.String(required=True, metadata={"description": "Questionnaire key and version."})
    engine_version = fields.Integer(required=True, metadata={"description": "The totalling and ranking rules."})
    scorer_versions = fields.Dict(
        keys=fields.String(), values=fields.Integer(), required=True, metadata={"description": "Scorer: version."}
    )


class ScoringStateSchema(ma.Schema):
    closed = fields.Boolean(required=True, metadata={"description": "Results are frozen: pages and API show them."})
    closed_at = UTCDateTime(allow_none=True, required=True)
    closed_by = fields.String(required=True)
    frozen_at = UTCDateTime(
        allow_none=True, required=True, metadata={"description": "When the results shown were stored."}
    )
    rescored = fields.Boolean(required=True)
    versions = fields.Nested(VersionsSchema, allow_none=True, required=True)


class QuestionChangeSchema(ma.Schema):
    question_id = fields.String(required=True)
    text = fields.String(required=True)
    before = fields.Float(allow_none=True, required=True, metadata={"description": "0..4; null: not scored."})
    after = fields.Float(allow_none=True, required=True)


class VendorChangeSchema(ma.Schema):
    response_id = fields.Integer(required=True)
    vendor = fields.String(required=True)
    changed = fields.Boolean(required=True)
    total_before = fields.Float(allow_none=True, required=True)
    total_after = fields.Float(allow_none=True, required=True)
    rank_before = fields.Integer(allow_none=True, required=True, metadata={"description": "null: set apart."})
    rank_after = fields.Integer(allow_none=True, required=True)
    disqualified_before = fields.Boolean(required=True)
    disqualified_after = fields.Boolean(required=True)
    questions = fields.List(fields.Nested(QuestionChangeSchema), required=True)


class RescorePreviewSchema(ma.Schema):
    fingerprint = fields.String(
        required=True, metadata={"description": "Send it back to POST .../rescore to apply exactly these results."}
    )
    identical = fields.Boolean(required=True, metadata={"description": "Nothing at all would change."})
    versions_before = fields.Nested(VersionsSchema, required=True)
    versions_after = fields.Nested(VersionsSchema, required=True)
    vendors = fields.List(fields.Nested(VendorChangeSchema), required=True)


class RescoreSchema(ma.Schema):
    fingerprint = fields.String(
        required=True,
        validate=ma.validate.Length(equal=64),
        metadata={"description": "The fingerprint of the preview (GET .../rescore) being confirmed."},
    )


def _state(evaluation: Evaluation) -> dict:
    state = closing.scoring_state(evaluation)
    return {
        "closed": state.closed,
        "closed_at": state.closed_at,
        "closed_by": state.closed_by,
        "frozen_at": state.frozen_at,
        "rescored": state.rescored,
        "versions": state.versions.as_dict() if state.versions else None,
    }


@blp.route(f"/evaluations/<{ID}:evaluation_id>/close-scoring")
class CloseScoring(MethodView):
    @with_evaluation(permissions.can_close_scoring)
    @blp.response(200, ScoringStateSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Before the deadline, or scoring already closed.")
    def post(self, evaluation: Evaluation):
        """Close scoring: store every score, must-have result, total and the ranking with their versions"""
        try:
            closing.close_scoring(evaluation, actor=current_user)
        except closing.ClosingError as error:
            fail(409, str(error))
        return _state(evaluation)


@blp.route(f"/evaluations/<{ID}:evaluation_id>/rescore")
class Rescore(MethodView):
    @with_evaluation(permissions.can_rescore)
    @blp.response(200, RescorePreviewSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Scoring is still open.")
    def get(self, evaluation: Evaluation):
        """What re-scoring would change: per vendor, total and rank before and after, and the question scores"""
        try:
            preview = closing.rescore_preview(evaluation)
        except closing.ClosingError as error:
            fail(409, str(error))
        return {
            "fingerprint": preview.fingerprint,
            "identical": preview.identical,
            "versions_before": preview.versions_before.as_dict(),
            "versions_after": preview.versions_after.as_dict(),
            "vendors": [
                {
                    "response_id": v.response_id,
                    "vendor": v.vendor,
                    "changed": v.changed,
                    "total_before": v.total_before,
                    "total_after": v.total_after,
                    "rank_before": v.rank_before,
                    "rank_after": v.rank_after,
                    "disqualified_before": v.disqualified_before,
                    "disqualified_after": v.disqualified_after,
                    "questions": [
                        {"question_id": q.question_id, "text": q.text, "before": q.before, "after": q.after}
                        for q in v.questions
                    ],
                }
                for v in preview.vendors
            ],
        }

    @with_evaluation(permissions.can_rescore)
    @blp.arguments(RescoreSchema)
    @blp.response(200, ScoringStateSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Scoring is open, or the results changed since the preview.")
    def post(self, data, evaluation: Evaluation):
        """Re-score: replace the stored results with those of the preview whose fingerprint is sent (audited)"""
        try:
            closing.rescore(evaluation, actor=current_user, fingerprint=data["fingerprint"])
        except closing.ClosingError as error:
            fail(409, str(error))
        return _state(evaluation)
