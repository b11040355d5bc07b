"""Schemas of the buyer's resources: evaluations, requirements, invitations, evaluators, questionnaires."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app import limits
from app.api.fields import UTCDateTime, ids_field, in_future, max_length, not_blank, single_line
from app.evaluations.services import MODALITIES
from app.scoring.model import CURRENCIES, DEFAULT_CURRENCY, DEFAULT_MUST_HAVE_SHARE


class OpenEarlySchema(ma.Schema):
    reason = fields.String(
        required=True,
        validate=[max_length(limits.OPEN_EARLY_REASON), not_blank],
        metadata={"description": "Why the responses are opened before the deadline; every invited vendor is told."},
    )


class MeSchema(ma.Schema):
    """The user the token acts as."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "admin, buyer, evaluator, viewer or vendor."})
    organisation_id = fields.Integer(required=True)
    organisation = fields.String(required=True)


class SectionWeightSchema(ma.Schema):
    section_id = fields.String(required=True)
    title = fields.String(required=True)
    weight = fields.Float(required=True, metadata={"description": "Relative weight as entered (0 to 1000)."})
    share = fields.Float(required=True, metadata={"description": "Share of the total, 0..1."})


class EvaluationSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "open or closed."})
    deadline = UTCDateTime(required=True)
    sealed = fields.Boolean(required=True, metadata={"description": "Responses stay sealed until the deadline."})
    is_sealed = fields.Boolean(
        required=True, metadata={"description": "Sealed right now (sealed and before the deadline)."}
    )
    modalities = fields.List(fields.String(), required=True)
    questionnaire_id = fields.Integer(required=True)
    created_at = UTCDateTime(required=True)


class EvaluationSchema(EvaluationSummarySchema):
    description = fields.String(required=True)
    questionnaire = fields.String(required=True, metadata={"description": "Title and version."})
    weights = fields.List(
        fields.Nested(SectionWeightSchema),
        required=True,
        metadata={"description": "The sections that apply to the evaluation's modalities."},
    )


class EvaluationCreateSchema(ma.Schema):
    title = fields.String(required=True, validate=[max_length(limits.EVALUATION_TITLE), not_blank, single_line])
    description = fields.String(load_default="", validate=max_length(limits.EVALUATION_DESCRIPTION))
    questionnaire_id = ids_field(
        required=True, metadata={"description": "A current questionnaire version (GET /questionnaires)."}
    )
    deadline = UTCDateTime(required=True, validate=in_future)
    modalities = fields.List(
        fields.String(validate=validate.OneOf(sorted(MODALITIES))),
        required=True,
        validate=validate.Length(min=1, max=len(MODALITIES)),
    )
    sealed = fields.Boolean(load_default=True)


class EvaluationUpdateSchema(ma.Schema):
    deadline = UTCDateTime()
    weights = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=50)),
        values=fields.Float(validate=validate.Range(min=0, max=1000)),
        metadata={"description": "Relative weight per section id (0 to 1000); sections left out keep theirs."},
    )


class LocaleTargetSchema(ma.Schema):
    locale = fields.String(
        required=True,
        validate=[validate.Length(min=1), max_length(limits.LOCALE), single_line],
        metadata={"description": "BCP 47 locale, e.g. en-GB."},
    )
    min_contributors = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))
    min_hours = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0, max=10**9))


class RequirementsSchema(ma.Schema):
    """The buyer's requirements profile (what the auto-scorers compare answers with)."""

    locales = fields.List(fields.Nested(LocaleTargetSchema), load_default=list, validate=validate.Length(max=500))
    demographics = fields.Dict(
        keys=fields.String(validate=[validate.Length(min=1), max_length(limits.REQUIREMENT_ITEM), single_line]),
        values=fields.Dict(
            keys=fields.String(validate=[validate.Length(min=1), max_length(limits.REQUIREMENT_ITEM), single_line]),
            values=fields.Float(validate=validate.Range(min=0, max=100)),
        ),
        load_default=dict,
        metadata={
            "description": 'Target shares per attribute, e.g. {"gender": {"female": 50, "male": 50}}; '
            "shares add up to 1 or 100 and are stored as shares of 1. Attributes and categories are those "
            "of demographic_choices, by key or label (case-insensitive); they are stored by key."
        },
    )
    devices = fields.List(fields.String(validate=[max_length(limits.REQUIREMENT_ITEM), single_line]), load_default=list)
    environments = fields.List(
        fields.String(validate=[max_length(limits.REQUIREMENT_ITEM), single_line]), load_default=list
    )
    award_date = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "Certificates must be valid on this date."}
    )
    budget_per_unit = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=0.01, max=10**9))
    unit = fields.String(load_default="hour", validate=validate.OneOf(["hour", "image", "item"]))
    currency = fields.String(
        load_default=DEFAULT_CURRENCY,
        validate=[validate.Length(min=1), max_length(limits.REQUIREMENT_ITEM), single_line],
        metadata={"description": f"ISO 4217 code of the budget, one of {', '.join(CURRENCIES)}."},
    )
    must_have_share = fields.Float(
        load_default=DEFAULT_MUST_HAVE_SHARE,
        validate=validate.Range(min=0, max=1, min_inclusive=False),
        metadata={
            "description": "Share (above 0, at most 1) of each mandatory locale's required contributors or hours "
            "a vendor must commit to pass the coverage must-have."
        },
    )


class DemographicChoiceSchema(ma.Schema):
    label = fields.String(required=True, metadata={"description": "The attribute as vendors see it."})
    categories = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class UnscoredQuestionSchema(ma.Schema):
    question_id = fields.String(required=True)
    text = fields.String(required=True)
    reason = fields.String(required=True, metadata={"description": "The target the question's scorer needs."})


class RequirementsOutSchema(RequirementsSchema):
    modalities = fields.List(fields.String(), required=True)
    choices = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.String()),
        required=True,
        metadata={"description": "Accepted device and environment keys with labels."},
    )
    demographic_choices = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(DemographicChoiceSchema),
        required=True,
        metadata={"description": "Accepted demographic attributes by key, with their label and categories."},
    )
    not_scored = fields.List(
        fields.Nested(UnscoredQuestionSchema),
        required=True,
        metadata={"description": "Scored questions these requirements leave unscored, with the target they need."},
    )


class InvitationSchema(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    vendor = fields.String(required=True)
    vendor_organisation_id = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"description": "pending, accepted, expired or revoked."})
    created_at = UTCDateTime(required=True)
    expires_at = UTCDateTime(required=True)
    accepted_at = UTCDateTime(required=True, allow_none=True)
    revoked_at = UTCDateTime(required=True, allow_none=True)


class InvitationCreateSchema(ma.Schema):
    vendor_name = fields.String(required=True, validate=[max_length(limits.VENDOR_NAME), not_blank, single_line])
    email = fields.Email(required=True, validate=[max_length(limits.EMAIL), single_line])


class EvaluatorSchema(ma.Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    section_id = fields.String(required=True, metadata={"description": "The section scored; empty for all."})
    is_lead = fields.Boolean(required=True, metadata={"description": "The lead evaluator sets consensus scores."})


class EvaluatorAssignSchema(ma.Schema):
    user_id = ids_field(required=True, metadata={"description": "An evaluator of your organisation."})
    section_id = fields.String(
        load_default="",
        validate=validate.Length(max=50),
        metadata={"description": "A section id, or empty for every section."},
    )
    is_lead = fields.Boolean(load_default=False)


class QuestionnaireSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    latest = fields.Boolean(required=True, metadata={"description": "The newest version of this questionnaire."})
    created_at = UTCDateTime(required=True)


class QuestionnaireSchema(QuestionnaireSummarySchema):
    definition = fields.Dict(
        required=True, metadata={"description": "The validated definition (see questionnaires/README.md)."}
    )


class ResponseSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    evaluation_id = fields.Integer(required=True)
    evaluation = fields.String(required=True)
    vendor = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "draft or submitted."})
    submitted_at = UTCDateTime(required=True, allow_none=True)
    deadline = UTCDateTime(required=True)
