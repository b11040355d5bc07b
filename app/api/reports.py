"""The ranking with its robustness, and the PDF scorecards, through the API."""

from __future__ import annotations

import re

import marshmallow as ma
from flask import Response as HttpResponse
from flask.views import MethodView
from flask_login import current_user
from marshmallow import fields

from app import audit, permissions
from app.api.common import ID, api_blueprint, with_evaluation
from app.api.errors import ErrorSchema, fail
from app.api.fields import UTCDateTime
from app.models import Evaluation
from app.reports.pack import vendor_scorecard
from app.reports.pdf import render_pdf
from app.reports.ranking import EvaluationResults, VendorResult, compute_results
from app.reports.sensitivity import assess

blp = api_blueprint("api_reports", "Ranking with robustness, and PDF scorecards.")
SEALED = "Responses are sealed until the deadline."


class SectionResultSchema(ma.Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    score = fields.Float(required=True, metadata={"description": "0..100 within the section."})
    weight_share = fields.Float(required=True)
    points = fields.Float(required=True, metadata={"description": "Points added to the 0..100 total."})


class FailureSchema(ma.Schema):
    question_id = fields.String(required=True)
    reason = fields.String(required=True)
    detail = fields.String(required=True)


class CriterionResultSchema(ma.Schema):
    question_id = fields.String(required=True)
    text = fields.String(required=True)
    section_id = fields.String(required=True)
    method = fields.String(
        required=True,
        metadata={
            "description": "How the score was reached, in words: automatic (with the rule's name), "
            "consensus, mean of N evaluators..."
        },
    )
    score = fields.Float(required=True, allow_none=True, metadata={"description": "0..4; null when not scored yet."})
    points = fields.Float(required=True)
    explanation = fields.String(required=True)


class VendorResultSchema(ma.Schema):
    response_id = fields.Integer(required=True)
    vendor = fields.String(required=True)
    total = fields.Float(required=True, metadata={"description": "Weighted total, 0..100."})
    rank = fields.Integer(required=True, allow_none=True, metadata={"description": "null when set apart."})
    disqualified = fields.Boolean(required=True)
    failures = fields.List(fields.Nested(FailureSchema), required=True)
    sections = fields.List(fields.Nested(SectionResultSchema), required=True)
    criteria = fields.List(fields.Nested(CriterionResultSchema), required=True)
    scored_by_people = fields.Integer(required=True)
    awaiting_people = fields.Integer(required=True)


class WeightChangeSchema(ma.Schema):
    section_id = fields.String(required=True)
    weight_share = fields.Float(required=True)
    change = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "Smallest signed change of the share that changes the winner."},
    )
    new_share = fields.Float(required=True, allow_none=True)
    new_winner_response_id = fields.Integer(required=True, allow_none=True)


class AcceptabilitySchema(ma.Schema):
    response_id = fields.Integer(required=True)
    first_place_share = fields.Float(required=True)
    rank_shares = fields.List(
        fields.Float(), required=True, metadata={"description": "Share of weight draws giving rank 1, 2, ..."}
    )


class RobustnessSchema(ma.Schema):
    available = fields.Boolean(required=True)
    note = fields.String(required=True, metadata={"description": "Why figures are missing, if they are."})
    winner_response_id = fields.Integer(required=True, allow_none=True)
    critical_weight_changes = fields.List(fields.Nested(WeightChangeSchema), required=True)
    rank_acceptability = fields.List(fields.Nested(AcceptabilitySchema), required=True)
    seed = fields.Integer(required=True)
    draws = fields.Integer(required=True)
    concentration = fields.Float(required=True)


class RankingSchema(ma.Schema):
    evaluation_id = fields.Integer(required=True)
    title = fields.String(required=True)
    questionnaire = fields.String(required=True)
    ranked = fields.List(fields.Nested(VendorResultSchema), required=True)
    disqualified = fields.List(
        fields.Nested(VendorResultSchema),
        required=True,
        metadata={"description": "Vendors that failed a must-have: shown, not ranked."},
    )
    not_submitted = fields.List(fields.String(), required=True)
    robustness = fields.Nested(RobustnessSchema, required=True)
    scoring_closed_at = UTCDateTime(
        allow_none=True,
        required=True,
        metadata={"description": "Set once scoring is closed: these are the stored (frozen) results."},
    )


def vendor_data(vendor: VendorResult) -> dict:
    return {
        "response_id": vendor.response_id,
        "vendor": vendor.vendor,
        "total": vendor.total,
        "rank": vendor.rank,
        "disqualified": vendor.disqualified,
        "failures": [{"question_id": f.question_id, "reason": f.reason, "detail": f.detail} for f in vendor.failures],
        "sections": [
            {"id": s.id, "title": s.title, "score": s.score, "weight_share": s.weight_share, "points": s.points}
            for s in vendor.sections
        ],
        "criteria": [
            {
                "question_id": q.question_id,
                "text": q.text,
                "section_id": q.section_id,
                "method": q.method,
                "score": q.score,
                "points": q.points,
                "explanation": q.explanation,
            }
            for q in vendor.questions
        ],
        "scored_by_people": vendor.scored_by_people,
        "awaiting_people": vendor.awaiting_people,
    }


def robustness_data(results: EvaluationResults) -> dict:
    """The comparison page's robustness figures (same seed and draws), as the API shows them."""
    figures = assess(results)
    winner = next((v.response_id for v in figures.acceptability if v.vendor == figures.winner), None)
    ids = {v.vendor: v.response_id for v in figures.acceptability}
    return {
        "available": figures.available,
        "note": figures.note,
        "winner_response_id": winner,
        "seed": figures.seed,
        "draws": figures.draws,
        "concentration": figures.concentration,
        "critical_weight_changes": [
            {
                "section_id": s.section_id,
                "weight_share": s.weight_share,
                "change": s.change,
                "new_share": s.new_share,
                "new_winner_response_id": ids.get(s.new_winner),
            }
            for s in figures.sections
        ],
        "rank_acceptability": [
            {"response_id": v.response_id, "first_place_share": v.first_place, "rank_shares": list(v.rank_shares)}
            for v in figures.acceptability
        ],
    }


@blp.route(f"/evaluations/<{ID}:evaluation_id>/ranking")
class Ranking(MethodView):
    @with_evaluation(permissions.can_view_results)
    @blp.response(200, RankingSchema)
    @blp.alt_response(403, schema=ErrorSchema, description=SEALED)
    def get(self, evaluation: Evaluation):
        """The ranking: totals, section scores, how each number was reached, and how sure the winner is"""
        if not permissions.may_see_results(current_user, evaluation):
            fail(403, SEALED)
        results = compute_results(evaluation)
        return {
            "evaluation_id": results.evaluation_id,
            "title": results.title,
            "questionnaire": results.questionnaire,
            "ranked": [vendor_data(v) for v in results.ranked],
            "disqualified": [vendor_data(v) for v in results.disqualified],
            "not_submitted": list(results.not_submitted),
            "robustness": robustness_data(results),
            "scoring_closed_at": evaluation.scoring_closed_at,
        }


def _filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "report"


@blp.route(f"/evaluations/<{ID}:evaluation_id>/responses/<{ID}:response_id>/scorecard")
class Scorecard(MethodView):
    @with_evaluation(permissions.can_view_results)
    @blp.doc(
        responses={
            "200": {
                "description": "The one-page PDF scorecard.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    )
    @blp.alt_response(403, schema=ErrorSchema, description=SEALED)
    def get(self, evaluation: Evaluation, response_id: int):
        """Download a vendor's one-page PDF scorecard"""
        if not permissions.may_see_results(current_user, evaluation):
            fail(403, SEALED)
        results = compute_results(evaluation)
        vendor = results.vendor(response_id)
        if vendor is None:
            fail(404, "This evaluation has no submitted response with that id.")
        card = vendor_scorecard(evaluation, results, vendor)
        pdf = render_pdf("reports/scorecard_pdf.html", card=card)
        audit.record(
            "export.downloaded", actor=current_user, evaluation_id=evaluation.id, subject=f"scorecard:{response_id}"
        )
        return HttpResponse(
            pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="scorecard-{_filename(vendor.vendor)}.pdf"'},
        )
