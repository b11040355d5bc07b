"""Closing scoring (the results are frozen) and re-scoring a closed evaluation on purpose.

Closing stores the whole result of :func:`app.reports.ranking.compute_live_results` with the versions
that produced it (questionnaire key and version, the engine's ``ENGINE_VERSION`` and each scorer's
version from :mod:`app.scoring.scorer_registry`). From then on ``compute_results`` returns the stored
result, so a later change to a scorer, the weights or the requirements never moves a decided ranking
without anyone noticing. Re-scoring first shows what would change, then replaces the stored result
when the buyer confirms what they saw (the preview's fingerprint). Both acts are audited. Services
flush; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import audit, permissions
from app.extensions import db
from app.models import Evaluation, FrozenResult, User
from app.models.base import utcnow
from app.questionnaires import store
from app.reports import frozen
from app.reports.ranking import EvaluationResults, VendorResult, compute_live_results
from app.scoring.scorer_registry import ENGINE_VERSION, scorer_version


class ClosingError(ValueError):
    """Closing or re-scoring refused, with the reason for the buyer."""


@dataclass(frozen=True)
class Versions:
    """What produced a result: the questionnaire version, the engine and every scorer it names."""

    questionnaire_key: str
    questionnaire_version: int
    engine_version: int
    scorers: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "questionnaire": f"{self.questionnaire_key} v{self.questionnaire_version}",
            "engine_version": self.engine_version,
            "scorer_versions": dict(self.scorers),
        }


def current_versions(evaluation: Evaluation) -> Versions:
    """The versions a result computed now would carry."""
    questionnaire = store.parsed(evaluation.questionnaire)
    names = sorted({q.scoring.auto for q in questionnaire.questions if q.scoring.auto})
    return Versions(
        evaluation.questionnaire.key,
        evaluation.questionnaire.version,
        ENGINE_VERSION,
        {name: scorer_version(name) for name in names},
    )


def stored_versions(row: FrozenResult) -> Versions:
    return Versions(
        row.questionnaire_key,
        row.questionnaire_version,
        row.engine_version,
        {name: int(version) for name, version in row.scorer_versions.items()},
    )


@dataclass(frozen=True)
class ScoringState:
    """Whether scoring is closed, by whom, and what produced the results shown (plain data for pages)."""

    closed_at: datetime | None
    closed_by: str
    frozen_at: datetime | None = None  # when the results shown were stored (closing or the last re-score)
    rescored: bool = False
    versions: Versions | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


def scoring_state(evaluation: Evaluation) -> ScoringState:
    """The evaluation's scoring state, for its page and the API."""
    if not permissions.is_scoring_closed(evaluation):
        return ScoringState(None, "")
    closer = db.session.get(User, evaluation.scoring_closed_by_id) if evaluation.scoring_closed_by_id else None
    row = frozen.newest(evaluation.id)
    return ScoringState(
        evaluation.scoring_closed_at,
        closer.display_name if closer else "",
        row.frozen_at if row else None,
        bool(row and row.reason == "rescored"),
        stored_versions(row) if row else None,
    )


def _store(evaluation: Evaluation, results: EvaluationResults, *, actor: User, reason: str) -> FrozenResult:
    data = frozen.to_json(results)
    versions = current_versions(evaluation)
    row = FrozenResult(
        evaluation_id=evaluation.id,
        questionnaire_key=versions.questionnaire_key,
        questionnaire_version=versions.questionnaire_version,
        engine_version=versions.engine_version,
        scorer_versions=versions.scorers,
        results=data,
        fingerprint=frozen.fingerprint(data),
        reason=reason,
        frozen_at=utcnow(),
        frozen_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _standings(results: EvaluationResults) -> dict[str, Any]:
    return {
        str(v.response_id): {"vendor": v.vendor, "total": round(v.total, 4), "rank": v.rank}
        for v in results.ranked + results.disqualified
    }


def close_scoring(evaluation: Evaluation, *, actor: User) -> FrozenResult:
    """Close scoring: store every score, total, must-have result and the ranking as they are now.

    Refused while responses are sealed, before the deadline (vendors could still submit) and when
    scoring is already closed. Returns the stored result.
    """
    if permissions.is_scoring_closed(evaluation):
        raise ClosingError("Scoring is already closed; re-score the evaluation to replace its results.")
    if permissions.is_sealed(evaluation):
        raise ClosingError("Responses are sealed until the deadline; scoring can be closed once they are open.")
    now = utcnow()
    if evaluation.deadline > now and evaluation.opened_early_at is None:
        raise ClosingError("Vendors can still submit until the deadline; close scoring after it.")
    results = compute_live_results(evaluation)
    row = _store(evaluation, results, actor=actor, reason="closed")
    evaluation.scoring_closed_at, evaluation.scoring_closed_by_id = now, actor.id
    db.session.flush()
    audit.record(
        "evaluation.scoring_closed",
        actor=actor,
        evaluation_id=evaluation.id,
        subject=f"frozen_result:{row.id}",
        details=stored_versions(row).as_dict() | {"fingerprint": row.fingerprint, "standings": _standings(results)},
    )
    return row


@dataclass(frozen=True)
class QuestionChange:
    """A question whose score differs: None means not scored (or not listed) on that side."""

    question_id: str
    text: str
    before: float | None
    after: float | None


@dataclass(frozen=True)
class VendorChange:
    """One vendor's total and rank before (stored) and after (re-scored), and the questions that moved."""

    response_id: int
    vendor: str
    total_before: float | None
    total_after: float | None
    rank_before: int | None  # None: set apart for a must-have (or not in the results)
    rank_after: int | None
    disqualified_before: bool
    disqualified_after: bool
    questions: tuple[QuestionChange, ...]

    @property
    def changed(self) -> bool:
        return bool(self.questions) or (self.total_before, self.rank_before, self.disqualified_before) != (
            self.total_after,
            self.rank_after,
            self.disqualified_after,
        )


@dataclass(frozen=True)
class RescorePreview:
    """What re-scoring would change. ``fingerprint`` names the new result: applying it is refused when
    the result computed then differs from the one the buyer was shown."""

    vendors: tuple[VendorChange, ...]
    versions_before: Versions
    versions_after: Versions
    fingerprint: str
    stored_fingerprint: str

    @property
    def changed_vendors(self) -> tuple[VendorChange, ...]:
        return tuple(v for v in self.vendors if v.changed)

    @property
    def scorer_changes(self) -> tuple[tuple[str, int | None, int | None], ...]:
        """Scorers whose version differs: (name, stored version, version now); None when not used."""
        before, after = self.versions_before.scorers, self.versions_after.scorers
        return tuple(
            (name, before.get(name), after.get(name))
            for name in sorted(before.keys() | after.keys())
            if before.get(name) != after.get(name)
        )

    @property
    def identical(self) -> bool:
        """Nothing at all would change (not even an explanation's wording)."""
        return self.fingerprint == self.stored_fingerprint


def _by_vendor(results: EvaluationResults) -> dict[int, VendorResult]:
    return {v.response_id: v for v in results.ranked + results.disqualified}


def compare(before: EvaluationResults, after: EvaluationResults) -> tuple[VendorChange, ...]:
    """Per vendor, total and rank before → after and the questions whose score differs (pure)."""
    old, new = _by_vendor(before), _by_vendor(after)
    changes = []
    for rid in sorted(old.keys() | new.keys()):
        was, now = old.get(rid), new.get(rid)
        was_scores = {q.question_id: q for q in was.questions} if was else {}
        now_scores = {q.question_id: q for q in now.questions} if now else {}
        questions = tuple(
            QuestionChange(
                qid,
                (now_scores.get(qid) or was_scores[qid]).text,
                was_scores[qid].score if qid in was_scores else None,
                now_scores[qid].score if qid in now_scores else None,
            )
            for qid in list(was_scores) + [q for q in now_scores if q not in was_scores]
            if qid not in was_scores or qid not in now_scores or was_scores[qid].score != now_scores[qid].score
        )
        changes.append(
            VendorChange(
                rid,
                (now or was).vendor,  # type: ignore[union-attr]
                was.total if was else None,
                now.total if now else None,
                was.rank if was else None,
                now.rank if now else None,
                bool(was and was.disqualified),
                bool(now and now.disqualified),
                questions,
            )
        )
    return tuple(changes)


def _stored_or_refuse(evaluation: Evaluation) -> FrozenResult:
    row = frozen.newest(evaluation.id) if permissions.is_scoring_closed(evaluation) else None
    if row is None:
        raise ClosingError("Scoring is still open: the results are computed live; close scoring to freeze them.")
    return row


def rescore_preview(evaluation: Evaluation) -> RescorePreview:
    """The differences between the stored results and the results computed now (nothing is changed)."""
    row = _stored_or_refuse(evaluation)
    fresh = compute_live_results(evaluation)
    data = frozen.to_json(fresh)
    return RescorePreview(
        vendors=compare(frozen.from_json(EvaluationResults, row.results), fresh),
        versions_before=stored_versions(row),
        versions_after=current_versions(evaluation),
        fingerprint=frozen.fingerprint(data),
        stored_fingerprint=row.fingerprint,
    )


def rescore(evaluation: Evaluation, *, actor: User, fingerprint: str) -> FrozenResult:
    """Replace a closed evaluation's stored results with the results computed now (audited).

    ``fingerprint`` is the preview's: when the results computed now differ from those the buyer was
    shown (a score or a scorer changed in between), nothing is replaced and the buyer looks again.
    """
    previous = _stored_or_refuse(evaluation)
    fresh = compute_live_results(evaluation)
    if fingerprint != frozen.fingerprint(frozen.to_json(fresh)):
        raise ClosingError("The results changed since the differences were shown; review them again.")
    changes = compare(frozen.from_json(EvaluationResults, previous.results), fresh)
    row = _store(evaluation, fresh, actor=actor, reason="rescored")
    audit.record(
        "evaluation.rescored",
        actor=actor,
        evaluation_id=evaluation.id,
        subject=f"frozen_result:{row.id}",
        details={
            "replaced": previous.id,
            "before": stored_versions(previous).as_dict() | {"fingerprint": previous.fingerprint},
            "after": stored_versions(row).as_dict() | {"fingerprint": row.fingerprint},
            "changes": [
                {
                    "response_id": v.response_id,
                    "vendor": v.vendor,
                    "total": [v.total_before, v.total_after],
                    "rank": [v.rank_before, v.rank_after],
                    "questions": {q.question_id: [q.before, q.after] for q in v.questions},
                }
                for v in changes
                if v.changed
            ],
        },
    )
    return row
