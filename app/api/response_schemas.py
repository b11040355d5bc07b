"""Schemas of a vendor's response: questions, answers, evidence files."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from app.api.errors import ErrorSchema
from app.api.fields import UTCDateTime
from app.api.schemas import ResponseSummarySchema


class ResponseSchema(ResponseSummarySchema):
    vendor_organisation_id = fields.Integer(required=True)
    questionnaire_id = fields.Integer(required=True)
    can_edit = fields.Boolean(required=True, metadata={"description": "Whether you may change it now."})
    answered = fields.Integer(required=True, metadata={"description": "Questions with an answer."})
    missing_required = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Required questions still unanswered (block submission)."},
    )


class OptionSchema(ma.Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)


class ColumnSchema(ma.Schema):
    id = fields.String(required=True)
    type = fields.String(required=True)
    label = fields.String(required=True)
    required = fields.Boolean(required=True)
    unit = fields.String(required=True, allow_none=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)


class FileSpecSchema(ma.Schema):
    types = fields.List(fields.String(), required=True)
    max_mb = fields.Float(required=True)


class QuestionSchema(ma.Schema):
    id = fields.String(required=True)
    section_id = fields.String(required=True)
    section = fields.String(required=True)
    text = fields.String(required=True)
    help = fields.String(required=True, allow_none=True)
    type = fields.String(
        required=True,
        metadata={"description": "yes_no, single_choice, multi_choice, number, percentage, date, text, file or table."},
    )
    required = fields.Boolean(required=True)
    unit = fields.String(required=True, allow_none=True)
    min = fields.Float(required=True, allow_none=True)
    max = fields.Float(required=True, allow_none=True)
    options = fields.List(fields.Nested(OptionSchema), required=True)
    columns = fields.List(fields.Nested(ColumnSchema), required=True)
    file = fields.Nested(FileSpecSchema, required=True, allow_none=True)


class AnswerSchema(ma.Schema):
    question_id = fields.String(required=True)
    value = fields.Raw(
        required=True,
        allow_none=True,
        metadata={
            "description": 'Canonical value: true/false, option key(s), number, "YYYY-MM-DD", text, '
            "table rows (objects keyed by column id) or, for files, the attached files."
        },
    )
    revision = fields.Integer(required=True, metadata={"description": "Send it back when changing the answer."})
    evidence_level = fields.String(required=True, metadata={"description": "self_attested, evidenced or verified."})
    updated_at = UTCDateTime(required=True)


class AnswerWriteSchema(ma.Schema):
    value = fields.Raw(
        required=True,
        allow_none=True,
        metadata={"description": "The answer; typed JSON or text as a form would send it. null clears it."},
    )
    revision = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "The revision your change starts from (0 for a question not answered yet)."},
    )


class AnswerItemWriteSchema(AnswerWriteSchema):
    question_id = fields.String(required=True, validate=validate.Length(min=1, max=20))


class AnswersWriteSchema(ma.Schema):
    answers = fields.List(fields.Nested(AnswerItemWriteSchema), required=True, validate=validate.Length(min=1, max=500))


class SavedAnswersSchema(ma.Schema):
    saved = fields.List(fields.String(), required=True, metadata={"description": "Questions whose answer changed."})
    answers = fields.List(
        fields.Nested(AnswerSchema),
        required=True,
        metadata={"description": "The current answers of the questions sent."},
    )


class ConflictSchema(ma.Schema):
    question_id = fields.String(required=True)
    yours = fields.Raw(required=True, allow_none=True, metadata={"description": "The value you sent (as read)."})
    theirs = fields.Raw(required=True, allow_none=True, metadata={"description": "The value stored meanwhile."})
    revision = fields.Integer(required=True, metadata={"description": "The stored revision to start again from."})
    changed_by = fields.String(required=True)
    changed_at = UTCDateTime(required=True)


class AnswerConflictErrorSchema(ErrorSchema):
    conflicts = fields.List(
        fields.Nested(ConflictSchema),
        metadata={"description": "Present when answers changed meanwhile: your value and the stored one."},
    )


class AttachmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    question_id = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    created_at = UTCDateTime(required=True)


class EvidenceUploadSchema(ma.Schema):
    file = Upload(
        required=True,
        metadata={"description": "PDF, PNG, JPEG, DOCX, XLSX, CSV or plain text; the type is judged by the content."},
    )
