"""A vendor's response through the API: questions, answers, submission and evidence files."""

from __future__ import annotations

from collections import Counter
from datetime import UTC

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user

from app import permissions
from app.api import response_schemas as rs
from app.api.common import ID, QUESTION_ID, api_blueprint, requires, with_attachment, with_response
from app.api.errors import ErrorSchema, fail
from app.api.evaluations import response_summary
from app.api.pagination import PageArgs, page_of, paginate_list, paginate_query
from app.extensions import db
from app.models import Answer, Attachment, Response
from app.questionnaires import store
from app.questionnaires.answers import visible_questions
from app.responses import evidence, services
from app.transaction import after_commit

blp = api_blueprint("api_responses", "Vendors' responses: questions, answers, submission, evidence files.")
SUBMITTED = "This response has been submitted. Withdraw it first to make changes."
HIDDEN = "This question does not apply given the other answers (it is hidden)."


def response_data(response: Response) -> dict:
    values = services.answer_values(response)
    return response_summary(response) | {
        "vendor_organisation_id": response.vendor_organisation_id,
        "questionnaire_id": response.questionnaire_id,
        "can_edit": permissions.can_edit_response(current_user, response),
        "answered": sum(1 for value in values.values() if value not in (None, "", [])),
        "missing_required": [q.id for q in services.missing_for_submission(response)],
    }


def question_data(question, section_titles: dict[str, str]) -> dict:
    options = [{"key": o.key, "label": o.label} for o in question.options]
    return {
        "id": question.id,
        "section_id": question.section_id,
        "section": section_titles[question.section_id],
        "text": question.text,
        "help": question.help,
        "type": question.type,
        "required": question.required,
        "unit": question.unit,
        "min": question.min,
        "max": question.max,
        "options": options,
        "columns": [
            {
                "id": c.id,
                "type": c.type,
                "label": c.label,
                "required": c.required,
                "unit": c.unit,
                "options": [{"key": o.key, "label": o.label} for o in c.options],
            }
            for c in question.columns
        ],
        "file": {"types": list(question.file.types), "max_mb": question.file.max_mb} if question.file else None,
    }


def answer_data(answer: Answer) -> dict:
    return {
        "question_id": answer.question_id,
        "value": answer.value,
        "revision": answer.revision,
        "evidence_level": answer.evidence_level,
        "updated_at": answer.updated_at,
    }


def _check_editable(response: Response) -> None:
    """Refuse with 409, and why, when the caller's own response cannot change."""
    if not permissions.can_edit_response(current_user, response):
        fail(409, SUBMITTED)


@blp.route("/responses")
class OwnResponses(MethodView):
    @requires(permissions.is_vendor)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(rs.ResponseSchema, "ResponsePage"))
    def get(self, page):
        """List your organisation's responses (vendors)"""
        query = (
            sa.select(Response)
            .where(Response.vendor_organisation_id == current_user.organisation_id)
            .order_by(Response.id.desc())
        )
        result = paginate_query(query, page)
        return result | {"items": [response_data(r) for r in result["items"]]}


@blp.route(f"/responses/<{ID}:response_id>")
class ResponseItem(MethodView):
    @with_response(permissions.can_view_response)
    @blp.response(200, rs.ResponseSchema)
    def get(self, response: Response):
        """A response with its progress (buyers see it once submitted and unsealed)"""
        return response_data(response)


@blp.route(f"/responses/<{ID}:response_id>/questions")
class ResponseQuestions(MethodView):
    @with_response(permissions.can_view_response)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(rs.QuestionSchema, "QuestionPage"))
    def get(self, page, response: Response):
        """The questions that apply, given the evaluation's modalities and the answers so far"""
        questionnaire = store.parsed(response.questionnaire)
        titles = {s.id: s.title for s in questionnaire.sections}
        shown = visible_questions(questionnaire, response.evaluation.modalities, services.answer_values(response))
        return paginate_list([question_data(q, titles) for q in shown], page)


def _save(response: Response, raw: dict, revisions: dict[str, int]) -> list[str]:
    """Save all the answers or none; refuse with 422 (invalid) or 409 (changed meanwhile)."""
    questionnaire = store.parsed(response.questionnaire)
    known = {q.id: q for q in questionnaire.questions}
    errors = {qid: ["There is no such question in this questionnaire."] for qid in raw if qid not in known}
    errors |= {
        qid: ["Upload files to this question's evidence instead."]
        for qid in raw
        if qid in known and known[qid].type == "file"
    }
    if errors:
        fail(422, "Some answers cannot be saved; nothing was changed.", errors)
    try:
        saved, conflicts, pending = [], [], dict(raw)
        # An answer can reveal follow-up questions sent in the same request; those are saved in a next pass.
        while pending:
            result = services.save_answers(response, user=current_user, raw=pending, revisions=revisions)
            saved += result.saved
            errors |= result.errors
            conflicts += result.conflicts
            handled = set(result.saved) | set(result.errors) | {c.question_id for c in result.conflicts}
            pending = {qid: value for qid, value in pending.items() if qid not in handled}
            if not result.saved:
                break
    except services.ResponseClosed as error:
        fail(409, str(error))
    shown = {
        q.id for q in visible_questions(questionnaire, response.evaluation.modalities, services.answer_values(response))
    }
    errors |= {qid: [HIDDEN] for qid in pending if qid not in shown and qid not in errors}
    if conflicts:
        db.session.rollback()
        stored = services.answers_by_question(response)
        fail(
            409,
            "Someone changed some of these answers meanwhile; nothing was saved. Compare and send again.",
            errors,
            conflicts=[_conflict(c, stored.get(c.question_id)) for c in conflicts],
        )
    if errors:
        fail(422, "Some answers are not valid; nothing was saved.", errors)
    return saved


def _conflict(conflict: services.Conflict, stored: Answer | None) -> dict:
    return {
        "question_id": conflict.question_id,
        "yours": conflict.yours,
        "theirs": stored.value if stored else conflict.theirs,
        "revision": stored.revision if stored else 0,
        "changed_by": conflict.changed_by,
        # Error bodies are not dumped through a schema, so the time is written as ISO 8601 here.
        "changed_at": conflict.changed_at.astimezone(UTC).isoformat(),
    }


def _saved_answers(response: Response, saved: list[str], asked: list[str]) -> dict:
    stored = services.answers_by_question(response)
    return {"saved": saved, "answers": [answer_data(stored[qid]) for qid in asked if qid in stored]}


@blp.route(f"/responses/<{ID}:response_id>/answers")
class ResponseAnswers(MethodView):
    @with_response(permissions.can_view_response)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(rs.AnswerSchema, "AnswerPage"))
    def get(self, page, response: Response):
        """All the answers of a response"""
        query = sa.select(Answer).where(Answer.response_id == response.id).order_by(Answer.question_id)
        result = paginate_query(query, page)
        return result | {"items": [answer_data(a) for a in result["items"]]}

    @with_response(permissions.is_own_response)
    @blp.arguments(rs.AnswersWriteSchema)
    @blp.response(200, rs.SavedAnswersSchema)
    @blp.alt_response(
        409,
        schema=rs.AnswerConflictErrorSchema,
        description="Changed meanwhile (conflicts show both values), submitted or past the deadline.",
    )
    def put(self, data, response: Response):
        """Save several answers at once: all are saved or none"""
        _check_editable(response)
        items = data["answers"]
        duplicates = {qid for qid, count in Counter(item["question_id"] for item in items).items() if count > 1}
        if duplicates:
            fail(422, "Send each question once.", {qid: ["Sent more than once."] for qid in sorted(duplicates)})
        raw = {item["question_id"]: item["value"] for item in items}
        saved = _save(response, raw, {item["question_id"]: item["revision"] for item in items})
        return _saved_answers(response, saved, list(raw))


@blp.route(f"/responses/<{ID}:response_id>/answers/<{QUESTION_ID}:question_id>")
class ResponseAnswer(MethodView):
    @with_response(permissions.is_own_response)
    @blp.arguments(rs.AnswerWriteSchema)
    @blp.response(200, rs.SavedAnswersSchema)
    @blp.alt_response(
        409,
        schema=rs.AnswerConflictErrorSchema,
        description="Changed meanwhile (conflicts show both values), submitted or past the deadline.",
    )
    def put(self, data, response: Response, question_id: str):
        """Save one answer"""
        _check_editable(response)
        saved = _save(response, {question_id: data["value"]}, {question_id: data["revision"]})
        return _saved_answers(response, saved, [question_id])


@blp.route(f"/responses/<{ID}:response_id>/submit")
class ResponseSubmit(MethodView):
    @with_response(permissions.is_own_response)
    @blp.response(200, rs.ResponseSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Already submitted, or past the deadline.")
    def post(self, response: Response):
        """Submit the response; refused with the list of required questions still unanswered"""
        try:
            missing = services.submit(response, user=current_user)
        except services.ResponseClosed as error:
            fail(409, str(error))
        except services.SubmissionRefused as refused:
            fail(422, f"{refused} Nothing was submitted.", refused.errors)
        if missing:
            fail(
                422,
                f"{len(missing)} required question(s) still need an answer; nothing was submitted.",
                {q.id: ["Required: answer it before submitting."] for q in missing},
            )
        return response_data(response)


@blp.route(f"/responses/<{ID}:response_id>/withdraw")
class ResponseWithdraw(MethodView):
    @with_response(permissions.is_own_response)
    @blp.response(200, rs.ResponseSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Past the deadline.")
    def post(self, response: Response):
        """Take a submitted response back to draft (until the deadline)"""
        try:
            services.withdraw(response, user=current_user)
        except services.ResponseClosed as error:
            fail(409, str(error))
        return response_data(response)


def attachment_data(attachment: Attachment) -> dict:
    return {
        "id": attachment.id,
        "question_id": attachment.question_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "created_at": attachment.created_at,
    }


@blp.route(f"/responses/<{ID}:response_id>/evidence")
class ResponseEvidence(MethodView):
    @with_response(permissions.can_view_response)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(rs.AttachmentSchema, "AttachmentPage"))
    def get(self, page, response: Response):
        """List the evidence files of a response"""
        query = sa.select(Attachment).where(Attachment.response_id == response.id).order_by(Attachment.id)
        result = paginate_query(query, page)
        return result | {"items": [attachment_data(a) for a in result["items"]]}


@blp.route(f"/responses/<{ID}:response_id>/questions/<{QUESTION_ID}:question_id>/evidence")
class QuestionEvidence(MethodView):
    @with_response(permissions.is_own_response)
    @blp.arguments(rs.EvidenceUploadSchema, location="files")
    @blp.response(201, rs.AttachmentSchema)
    def post(self, files, response: Response, question_id: str):
        """Attach an evidence file to a file question"""
        _check_editable(response)
        questionnaire = store.parsed(response.questionnaire)
        shown = visible_questions(questionnaire, response.evaluation.modalities, services.answer_values(response))
        question = next((q for q in shown if q.id == question_id and q.type == "file"), None)
        if question is None:
            fail(404, f"{question_id} is not a file question of this response.")
        upload = files["file"]
        try:
            attachment = evidence.add_evidence(
                response, question, filename=upload.filename or "evidence", data=upload.read(), user=current_user
            )
        except evidence.EvidenceRejected as error:
            fail(422, str(error), {"file": [str(error)]})
        except services.ResponseClosed as error:
            fail(409, str(error))
        return attachment_data(attachment)


EVIDENCE_CONTENT = {
    kind: {"schema": {"type": "string", "format": "binary"}} for kind in sorted(set(evidence.CONTENT_TYPES.values()))
}


@blp.route(f"/evidence/<{ID}:attachment_id>")
class EvidenceFile(MethodView):
    @with_attachment
    @blp.doc(responses={"200": {"description": "The file, as uploaded.", "content": EVIDENCE_CONTENT}})
    def get(self, attachment: Attachment):
        """Download an evidence file"""
        return evidence.download(attachment)

    @with_attachment
    @blp.response(204)
    def delete(self, attachment: Attachment):
        """Remove an evidence file from your draft"""
        permissions.require(permissions.is_own_response(current_user, attachment.response))
        _check_editable(attachment.response)
        try:
            stored = evidence.remove_evidence(attachment, user=current_user)
        except services.ResponseClosed as error:
            fail(409, str(error))
        after_commit(lambda: stored.unlink(missing_ok=True))
        return None
