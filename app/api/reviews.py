"""Evaluators' blind scores and the lead evaluator's consensus, through the API."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from marshmallow import fields, validate

from app import limits, permissions
from app.api.common import ID, QUESTION_ID, api_blueprint, with_response
from app.api.errors import fail
from app.api.fields import UTCDateTime, max_length, not_blank
from app.api.pagination import PageArgs, page_of, paginate_list
from app.models import Response
from app.questionnaires import store
from app.reviews import services

blp = api_blueprint("api_reviews", "Blind scoring by evaluators; consensus by the lead evaluator.")
DECLARE_FIRST = "Declare that you have no conflict of interest with this vendor first (POST .../declaration)."


class ScoringQuestionSchema(ma.Schema):
    question_id = fields.String(required=True)
    section_id = fields.String(required=True)
    text = fields.String(required=True)


class ScoreSchema(ma.Schema):
    question_id = fields.String(required=True)
    value = fields.Integer(required=True, metadata={"description": "Rubric score 0..4."})
    comment = fields.String(required=True)
    submitted_at = UTCDateTime(required=True, allow_none=True)


class OtherScoreSchema(ma.Schema):
    question_id = fields.String(required=True)
    evaluator_id = fields.Integer(required=True)
    evaluator = fields.String(required=True)
    value = fields.Integer(required=True)
    comment = fields.String(required=True)


class ScoresSchema(ma.Schema):
    declared_no_conflict = fields.Boolean(required=True)
    submitted = fields.Boolean(required=True, metadata={"description": "Your scores are submitted (final)."})
    questions = fields.List(
        fields.Nested(ScoringQuestionSchema), required=True, metadata={"description": "The questions you score."}
    )
    own = fields.List(fields.Nested(ScoreSchema), required=True)
    others = fields.List(
        fields.Nested(OtherScoreSchema),
        required=True,
        metadata={"description": "Other evaluators' submitted scores; empty until you submit yours (blind scoring)."},
    )


class ScoreWriteSchema(ma.Schema):
    question_id = fields.String(required=True, validate=validate.Length(min=1, max=20))
    value = fields.Integer(
        required=True,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=0, max=4),
        metadata={"description": "0..4, or null to clear the score."},
    )
    comment = fields.String(load_default="", validate=max_length(limits.SCORE_COMMENT))


class ScoresWriteSchema(ma.Schema):
    scores = fields.List(fields.Nested(ScoreWriteSchema), load_default=list, validate=validate.Length(max=500))


class DeclarationSchema(ma.Schema):
    no_conflict = fields.Boolean(
        required=True,
        metadata={
            "description": "true: you have no conflict of interest with this vendor; false: you have one "
            "(give the reason), which recuses you from this response."
        },
    )
    reason = fields.String(load_default="", validate=max_length(limits.CONFLICT_REASON))


class ConsensusValueSchema(ma.Schema):
    value = fields.Integer(required=True)
    rationale = fields.String(required=True)
    set_by_id = fields.Integer(required=True)
    set_at = UTCDateTime(required=True)


class ConsensusQuestionSchema(ma.Schema):
    question_id = fields.String(required=True)
    text = fields.String(required=True)
    scores = fields.List(fields.Nested(OtherScoreSchema), required=True)
    consensus = fields.Nested(ConsensusValueSchema, required=True, allow_none=True)


class ConsensusWriteSchema(ma.Schema):
    value = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=4))
    rationale = fields.String(required=True, validate=[max_length(limits.CONSENSUS_RATIONALE), not_blank])


def _scores_data(response: Response) -> dict:
    own = services.own_scores(response, current_user)
    # Blind scoring: others' scores appear only once one's own review is submitted.
    see_others = permissions.can_see_other_reviews(current_user, response)
    others = services.submitted_scores(response) if see_others else {}
    return {
        "declared_no_conflict": permissions.has_declared_no_conflict(current_user, response),
        "submitted": permissions.has_submitted_review(current_user, response),
        "questions": [
            {"question_id": q.id, "section_id": q.section_id, "text": q.text}
            for q in services.questions_to_score(response, current_user)
        ],
        "own": [
            {"question_id": qid, "value": s.value, "comment": s.comment, "submitted_at": s.submitted_at}
            for qid, s in sorted(own.items())
        ],
        "others": [
            _other(s) for qid in sorted(others) for uid, s in sorted(others[qid].items()) if uid != current_user.id
        ],
    }


def _other(score) -> dict:
    return {
        "question_id": score.question_id,
        "evaluator_id": score.evaluator_id,
        "evaluator": score.evaluator.display_name,
        "value": score.value,
        "comment": score.comment,
    }


def _save(response: Response, items: list[dict], *, submit: bool) -> None:
    if not permissions.has_declared_no_conflict(current_user, response):
        fail(409, DECLARE_FIRST)
    allowed = {q.id for q in services.questions_to_score(response, current_user)}
    errors = {
        item["question_id"]: ["You do not score this question."] for item in items if item["question_id"] not in allowed
    }
    if errors:
        fail(422, "Some scores are for questions you do not score; nothing was saved.", errors)
    inputs = {item["question_id"]: services.ScoreInput(item["value"], item["comment"]) for item in items}
    try:
        missing = services.save_scores(response, current_user, inputs, submit=submit)
    except services.ScoringError as error:
        fail(409, str(error))
    if missing:
        fail(
            422,
            f"Score every question before submitting: {len(missing)} still open; nothing was saved.",
            {qid: ["Score this question before submitting."] for qid in missing},
        )


@blp.route(f"/responses/<{ID}:response_id>/scores")
class Scores(MethodView):
    @with_response(permissions.can_score)
    @blp.response(200, ScoresSchema)
    def get(self, response: Response):
        """Your scores for a response (others' only after you submit yours)"""
        return _scores_data(response)

    @with_response(permissions.can_score)
    @blp.arguments(ScoresWriteSchema)
    @blp.response(200, ScoresSchema)
    def put(self, data, response: Response):
        """Save draft scores (only you see them until you submit)"""
        _save(response, data["scores"], submit=False)
        return _scores_data(response)


@blp.route(f"/responses/<{ID}:response_id>/scores/submit")
class ScoresSubmission(MethodView):
    @with_response(permissions.can_score)
    @blp.arguments(ScoresWriteSchema, required=False)
    @blp.response(200, ScoresSchema)
    def post(self, data, response: Response):
        """Submit your scores (with any last changes); every question needs a score"""
        _save(response, data.get("scores", []), submit=True)
        return _scores_data(response)


@blp.route(f"/responses/<{ID}:response_id>/declaration")
class Declaration(MethodView):
    @with_response(permissions.can_score)
    @blp.arguments(DeclarationSchema)
    @blp.response(200, ScoresSchema)
    def post(self, data, response: Response):
        """Declare whether you have a conflict of interest with this vendor (needed before reading it)"""
        permissions.require(permissions.can_declare_conflict(current_user, response))
        try:
            if data["no_conflict"]:
                services.declare_no_conflict(response, current_user)
            else:
                services.declare_conflict(response, current_user, data["reason"])
        except services.ScoringError as error:
            fail(
                409 if data["no_conflict"] else 422, str(error), {} if data["no_conflict"] else {"reason": [str(error)]}
            )
        return _scores_data(response)


def _require_own_review(response: Response) -> None:
    if not permissions.can_set_consensus(current_user, response):
        fail(
            403,
            "Submit your own review of this response first: scoring is blind, so the other evaluators' "
            "scores stay hidden until yours are in.",
        )


def _consensus_items(response: Response) -> list[dict]:
    questionnaire = store.parsed(response.questionnaire)
    scores = services.submitted_scores(response)
    agreed = services.consensus_scores(response)
    return [
        {
            "question_id": q.id,
            "text": q.text,
            "scores": [_other(s) for _, s in sorted(scores[q.id].items())],
            "consensus": (
                {
                    "value": agreed[q.id].value,
                    "rationale": agreed[q.id].rationale,
                    "set_by_id": agreed[q.id].set_by_id,
                    "set_at": agreed[q.id].set_at,
                }
                if q.id in agreed
                else None
            ),
        }
        for q in questionnaire.questions
        if q.id in scores
    ]


@blp.route(f"/responses/<{ID}:response_id>/consensus")
class Consensus(MethodView):
    @with_response(permissions.can_open_consensus)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ConsensusQuestionSchema, "ConsensusPage"))
    def get(self, page, response: Response):
        """Submitted scores per question and the consensus so far (lead evaluator, after their own review)"""
        _require_own_review(response)
        return paginate_list(_consensus_items(response), page)


@blp.route(f"/responses/<{ID}:response_id>/consensus/<{QUESTION_ID}:question_id>")
class ConsensusQuestion(MethodView):
    # Checked before the body is read, so a lead who has not submitted learns nothing from validation.
    @with_response(permissions.can_set_consensus)
    @blp.arguments(ConsensusWriteSchema)
    @blp.response(200, ConsensusQuestionSchema)
    def put(self, data, response: Response, question_id: str):
        """Set the consensus score of one question, with the reason (lead evaluator, after their own review)"""
        if question_id not in services.submitted_scores(response):
            fail(404, f"No evaluator has submitted a score for {question_id} yet.")
        try:
            services.set_consensus(response, current_user, question_id, data["value"], data["rationale"])
        except services.ScoringClosedError as error:
            fail(409, str(error))
        except services.ScoringError as error:
            fail(422, str(error), {"rationale": [str(error)]})
        return next(item for item in _consensus_items(response) if item["question_id"] == question_id)
