"""All models, importable from one place (Alembic and the app load this module)."""

from app.models.api_token import ApiToken
from app.models.audit import AuditEvent
from app.models.evaluation import Evaluation, EvaluationStatus, EvaluatorAssignment, Invitation, SectionWeight
from app.models.frozen import FrozenResult
from app.models.job import Job, JobStatus
from app.models.people import STAFF_ROLES, AccountToken, Organisation, OrganisationKind, Role, TokenPurpose, User
from app.models.portal import Clarification, SentReminder
from app.models.questionnaire import QuestionnaireVersion
from app.models.response import Answer, Attachment, EvidenceLevel, Response, ResponseStatus
from app.models.review import ConflictDeclaration, ConsensusScore, EvidenceMark, Score
from app.models.sample_batch import BatchStatus, SampleBatch, SampleBatchRequirement
from app.models.security import LoginThrottle
from app.models.workflow import PriceFormula, ScoringSettings

__all__ = [
    "LoginThrottle",
    "BatchStatus",
    "SampleBatch",
    "SampleBatchRequirement",
    "ApiToken",
    "PriceFormula",
    "ScoringSettings",
    "Clarification",
    "SentReminder",
    "Job",
    "JobStatus",
    "AccountToken",
    "TokenPurpose",
    "Answer",
    "Attachment",
    "AuditEvent",
    "ConflictDeclaration",
    "ConsensusScore",
    "EvidenceMark",
    "Evaluation",
    "FrozenResult",
    "EvaluationStatus",
    "EvaluatorAssignment",
    "EvidenceLevel",
    "Invitation",
    "Organisation",
    "OrganisationKind",
    "QuestionnaireVersion",
    "Response",
    "ResponseStatus",
    "Role",
    "STAFF_ROLES",
    "Score",
    "SectionWeight",
    "User",
]
