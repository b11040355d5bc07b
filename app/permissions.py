"""Every access rule of DataVet, as plain predicates, plus the one door views go through.

Views load an object, then call ``require(can_...(current_user, obj))``; templates ask
the same predicates (they are registered as Jinja globals). Nothing else decides access.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import abort

from app.extensions import db
from app.models import (
    ApiToken,
    Clarification,
    ConflictDeclaration,
    Evaluation,
    Job,
    OrganisationKind,
    Response,
    Role,
    User,
)
from app.models.base import utcnow

MANAGERS = (Role.ADMIN, Role.BUYER)
READERS = (Role.ADMIN, Role.BUYER, Role.VIEWER)


def _signed_in(user: User | None) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def is_buyer_staff(user: User) -> bool:
    return _signed_in(user) and user.organisation.kind == OrganisationKind.BUYER and user.role != Role.VENDOR


def is_vendor(user: User) -> bool:
    return _signed_in(user) and user.role == Role.VENDOR


def _same_buyer(user: User, evaluation: Evaluation) -> bool:
    return is_buyer_staff(user) and user.organisation_id == evaluation.organisation_id


def belongs_to_buyer(user: User, evaluation: Evaluation) -> bool:
    """Whether the evaluation's existence may be revealed to this user at all."""
    return _same_buyer(user, evaluation)


def can_manage_people(user: User) -> bool:
    return is_buyer_staff(user) and user.role == Role.ADMIN


def can_manage_user(user: User, member: User) -> bool:
    return can_manage_people(user) and member.organisation_id == user.organisation_id


def can_create_evaluation(user: User) -> bool:
    return is_buyer_staff(user) and user.role in MANAGERS


def can_manage_evaluation(user: User, evaluation: Evaluation) -> bool:
    """Change settings, weights, requirements, invitations and evaluators."""
    return _same_buyer(user, evaluation) and user.role in MANAGERS


def is_assigned_evaluator(user: User, evaluation: Evaluation) -> bool:
    return (
        _same_buyer(user, evaluation)
        and user.role == Role.EVALUATOR
        and any(a.user_id == user.id for a in evaluation.assignments)
    )


def is_lead_evaluator(user: User, evaluation: Evaluation) -> bool:
    return is_assigned_evaluator(user, evaluation) and any(
        a.user_id == user.id and a.is_lead for a in evaluation.assignments
    )


def can_view_evaluation(user: User, evaluation: Evaluation) -> bool:
    return (_same_buyer(user, evaluation) and user.role in READERS) or is_assigned_evaluator(user, evaluation)


def can_view_results(user: User, evaluation: Evaluation) -> bool:
    """The ranking, comparison and PDF scorecards (leadership reads these)."""
    return _same_buyer(user, evaluation) and user.role in READERS


def is_sealed(evaluation: Evaluation, now: datetime | None = None) -> bool:
    """Sealed responses stay closed to the buying side until the deadline passes (or the buyer opens
    them early, which closes the evaluation to vendors at the same moment)."""
    return evaluation.sealed and evaluation.opened_early_at is None and (now or utcnow()) < evaluation.deadline


def may_see_results(user: User, evaluation: Evaluation) -> bool:
    """Results (answers, scores, ranking, sample measurements) of an evaluation the user may read:
    not before its responses are unsealed."""
    return can_view_results(user, evaluation) and not is_sealed(evaluation)


def can_move_deadline(user: User, evaluation: Evaluation) -> bool:
    """Move the deadline: while sealed only later (the service refuses earlier dates)."""
    return can_manage_evaluation(user, evaluation)


def can_open_early(user: User, evaluation: Evaluation) -> bool:
    """Open sealed responses before the deadline: an explicit, audited act that closes the evaluation
    (the service refuses it for an evaluation that is not sealed)."""
    return can_manage_evaluation(user, evaluation)


def is_scoring_closed(evaluation: Evaluation) -> bool:
    """The buyer closed scoring: the stored results are shown, and scores and consensus no longer change."""
    return evaluation.scoring_closed_at is not None


def can_close_scoring(user: User, evaluation: Evaluation) -> bool:
    """Freeze the results (an audited act): the buyer's managers, once responses are unsealed (the
    service refuses it before the deadline and once scoring is closed)."""
    return can_manage_evaluation(user, evaluation) and not is_sealed(evaluation)


def can_rescore(user: User, evaluation: Evaluation) -> bool:
    """See what re-scoring a closed evaluation would change, and replace its stored results (audited;
    the service refuses it while scoring is open)."""
    return can_manage_evaluation(user, evaluation) and not is_sealed(evaluation)


def is_own_response(user: User, response: Response) -> bool:
    return is_vendor(user) and user.organisation_id == response.vendor_organisation_id


def can_edit_response(user: User, response: Response) -> bool:
    """Whether this user may change the response at all (the deadline is checked by the service)."""
    return is_own_response(user, response) and not response.is_submitted


def declaration_of(user: User, response: Response) -> ConflictDeclaration | None:
    """The evaluator's conflict-of-interest declaration for the response, if any (no query once loaded)."""
    return next((d for d in response.declarations if d.user_id == getattr(user, "id", None)), None)


def has_declared_no_conflict(user: User, response: Response) -> bool:
    """The evaluator stated they have no conflict of interest with this vendor."""
    declaration = declaration_of(user, response)
    return declaration is not None and not declaration.has_conflict


def has_declared_conflict(user: User, response: Response) -> bool:
    """The evaluator declared a conflict of interest: they are recused from this response."""
    declaration = declaration_of(user, response)
    return declaration is not None and declaration.has_conflict


def has_submitted_review(user: User, response: Response) -> bool:
    """The evaluator submitted their scores and evidence levels for this response (final)."""
    declaration = declaration_of(user, response)
    return declaration is not None and declaration.review_submitted_at is not None


def can_view_response(user: User, response: Response) -> bool:
    """The vendor's own people always; the buying side once submitted and unsealed; an assigned
    evaluator only after declaring no conflict of interest with the vendor."""
    if is_own_response(user, response):
        return True
    evaluation = response.evaluation
    if not response.is_submitted or is_sealed(evaluation):
        return False
    if can_view_results(user, evaluation):
        return True
    return is_assigned_evaluator(user, evaluation) and has_declared_no_conflict(user, response)


def can_score(user: User, response: Response) -> bool:
    """Open the scoring page (where the declaration is made): an assigned evaluator, not recused."""
    return (
        response.is_submitted
        and not is_sealed(response.evaluation)
        and is_assigned_evaluator(user, response.evaluation)
        and not has_declared_conflict(user, response)
    )


def can_declare_conflict(user: User, response: Response) -> bool:
    """Declare no conflict (before reading the response) or a conflict (any time before submitting,
    which recuses the evaluator from this response)."""
    return can_score(user, response) and not has_submitted_review(user, response)


def can_give_scores(user: User, response: Response) -> bool:
    """Save or submit scores and evidence levels: declared no conflict, review not yet submitted."""
    return (
        can_score(user, response)
        and has_declared_no_conflict(user, response)
        and not has_submitted_review(user, response)
    )


def can_see_other_reviews(user: User, response: Response) -> bool:
    """Blind scoring: other evaluators' scores, comments and evidence marks reach an evaluator only
    once their own review of the response is submitted."""
    return (
        can_score(user, response) and has_declared_no_conflict(user, response) and has_submitted_review(user, response)
    )


def can_set_consensus(user: User, response: Response) -> bool:
    """The lead evaluator reads everyone's scores and sets consensus, after submitting their own."""
    return can_see_other_reviews(user, response) and is_lead_evaluator(user, response.evaluation)


def can_open_consensus(user: User, response: Response) -> bool:
    """The consensus page itself: the lead, who is told to submit first when they have not."""
    return can_score(user, response) and is_lead_evaluator(user, response.evaluation)


def can_mark_evidence(user: User, response: Response) -> bool:
    """Mark answers self-attested, evidenced or verified: the assigned evaluators (each within
    their sections, which the review service checks per answer), until their review is submitted."""
    return can_give_scores(user, response)


def can_view_job(user: User, job: Job) -> bool:
    """A background job's progress and result belong to the person who started it."""
    return _signed_in(user) and job.owner_id == user.id


def can_use_api_tokens(user: User) -> bool:
    """Anyone signed in may hold API tokens; a token acts with its owner's role and organisation."""
    return _signed_in(user)


def can_revoke_api_token(user: User, token: ApiToken) -> bool:
    """A personal API token belongs to its owner alone."""
    return _signed_in(user) and token.user_id == user.id


def is_invited_vendor(user: User, evaluation: Evaluation) -> bool:
    """A vendor contact whose organisation was invited to the evaluation (it has a response there)."""
    return is_vendor(user) and bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    Response.evaluation_id == evaluation.id, Response.vendor_organisation_id == user.organisation_id
                )
            )
        )
    )


def can_view_clarifications(user: User, evaluation: Evaluation) -> bool:
    """The clarification page: the buying side sees every question, a vendor its own and published ones."""
    return can_view_evaluation(user, evaluation) or is_invited_vendor(user, evaluation)


def can_ask_clarification(user: User, evaluation: Evaluation) -> bool:
    return is_invited_vendor(user, evaluation)


def can_view_clarification(user: User, clarification: Clarification) -> bool:
    if can_view_evaluation(user, clarification.evaluation):
        return True
    if not is_vendor(user):
        return False
    if clarification.vendor_organisation_id == user.organisation_id:
        return True
    return clarification.published and clarification.is_answered and is_invited_vendor(user, clarification.evaluation)


def can_see_clarification_asker(user: User, clarification: Clarification) -> bool:
    """Who asked is shown to the buying side and the asker's own organisation, never to other vendors."""
    return can_view_evaluation(user, clarification.evaluation) or (
        is_vendor(user) and clarification.vendor_organisation_id == user.organisation_id
    )


def can_answer_clarification(user: User, clarification: Clarification) -> bool:
    return can_manage_evaluation(user, clarification.evaluation)


def can_edit_profile(user: User) -> bool:
    """Everyone signed in keeps their own preferences (time zone)."""
    return _signed_in(user)


def can_view_audit_trail(user: User, evaluation: Evaluation) -> bool:
    """The evaluation's audit trail: who changed what and when (buyers and administrators)."""
    return _same_buyer(user, evaluation) and user.role in MANAGERS


def can_download_own_data(user: User) -> bool:
    """Everyone signed in may download the personal data DataVet holds about them (GDPR Art. 15)."""
    return _signed_in(user)


def can_export_personal_data(user: User, member: User) -> bool:
    """An administrator answers access requests for the people of their organisation."""
    return can_manage_user(user, member)


def can_erase_personal_data(user: User, member: User) -> bool:
    """An administrator erases a member of their organisation (GDPR Art. 17), never themselves."""
    return can_manage_user(user, member) and member.id != user.id


def can_require_sample_batches(user: User, evaluation: Evaluation) -> bool:
    """Choose the modalities for which every vendor must send a sample batch."""
    return can_manage_evaluation(user, evaluation)


def can_view_sample_batches(user: User, response: Response) -> bool:
    """A response's sample batches and their measurements: the vendor itself, and the buying side
    on the same terms as the answers (submitted, and no longer sealed)."""
    return can_view_response(user, response)


def can_upload_sample_batch(user: User, response: Response) -> bool:
    """Send or replace a batch, or analyse it again: the vendor, while the response is a draft."""
    return can_edit_response(user, response)


def require(allowed: bool, *, hide: bool = False) -> None:
    """Stop the request unless ``allowed``: 404 when the object's existence must not leak, else 403."""
    if not allowed:
        abort(404 if hide else 403)


PREDICATES = {
    name: obj
    for name, obj in globals().items()
    if callable(obj) and (name.startswith("can_") or name.startswith("is_"))
}
