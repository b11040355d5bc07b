"""What the permission matrices share: the roles, the objects their URLs name, one request per role.

The web matrix (test_permissions.py), the API matrix (test_api_permissions.py) and the state rows
(test_permission_states.py) all run in the scene of the ``matrix_scene`` fixture (tests/app/conftest.py):
the world's evaluation, not sealed; vendor A's response a draft, vendor B's submitted; the evaluator and
the lead have declared no conflict with vendor B and not scored yet.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.evaluations import closing, services as evaluations
from app.extensions import db
from app.models import ConflictDeclaration, ConsensusScore
from app.models.base import utcnow
from app.reviews import services as reviews
from tests.api.answering import answer_everything
from tests.api.helpers import as_user, bearer
from tests.app.helpers import raw_answers

ROLES = ("anonymous", "admin", "buyer", "evaluator", "lead", "viewer", "vendor_a", "vendor_b", "other_buyer")
STAFF_READERS = {"admin", "buyer", "viewer", "evaluator", "lead"}
MANAGERS = {"admin", "buyer"}
RESULT_READERS = {"admin", "buyer", "viewer"}
EVALUATORS = {"evaluator", "lead"}
SIGNED_IN = set(ROLES) - {"anonymous"}
PUBLIC = set(ROLES)

# Who may not even learn that an object exists (refused with 404, not 403).
OUTSIDE_BUYER = {"other_buyer", "vendor_a", "vendor_b"}  # an evaluation and what hangs from it
OUTSIDE_DRAFT = {"other_buyer", "vendor_b"}  # vendor A's draft response and its files
OUTSIDE_SUBMITTED = {"other_buyer", "vendor_a"}  # vendor B's submitted response and its files

OTHER_EVALUATOR = {"evaluator": "lead", "lead": "evaluator"}


@dataclass
class Scene:
    """The world plus the objects the matrix URLs name (see ``Scene.ids``)."""

    world: object
    invitation: object
    attachment: object  # on vendor A's draft
    submitted_attachment: object  # on vendor B's submitted response
    job: object
    clarification: object
    api_token: object

    def ids(self) -> dict[str, object]:
        """The value of every ``{name}`` a matrix URL template may use."""
        world = self.world
        return {
            "evaluation": world.evaluation.id,
            "draft": world.response_a.id,
            "submitted": world.response_b.id,
            "invitation": self.invitation.id,
            "buyer": world.buyer.id,
            "attachment": self.attachment.id,
            "submitted_attachment": self.submitted_attachment.id,
            "job": self.job.id,
            "clarification": self.clarification.id,
            "questionnaire": world.evaluation.questionnaire_id,
            "token": self.api_token.id,
            "scored_question": self.scored_questions()[0],
        }

    def url(self, template: str) -> str:
        return template.format(**self.ids())

    def scored_questions(self) -> list[str]:
        """The rubric questions of vendor B's response the evaluator (and the lead: same sections) scores."""
        return [q.id for q in reviews.questions_to_score(self.world.response_b, self.world.evaluator)]

    def user(self, role: str):
        return getattr(self.world, role)


def request_as(client, login, scene: Scene, role: str, method: str, url: str, **kwargs):
    """One request as ``role``: the API signs in with a bearer token only, the web with the sign-in form."""
    headers = {}
    if role != "anonymous" and url.startswith("/api/"):
        headers = bearer(scene.user(role))
    elif role != "anonymous":
        login(scene.user(role))
    answer = client.open(url, method=method.upper(), headers=headers, buffered=True, **kwargs)
    answer.close()  # a downloaded file stays open until the response is closed
    return answer


def is_success(answer, url: str, method: str) -> bool:
    """2xx for the API and for pages; a web form post may also redirect (anywhere but the sign-in page)."""
    if 200 <= answer.status_code < 300:
        return True
    web_post = not url.startswith("/api/") and method.lower() == "post"
    return web_post and answer.status_code in (302, 303) and "/login" not in answer.headers.get("Location", "")


# Valid request bodies, built from the scene, so a success is not hidden behind a 400 or 422.


def new_evaluation(scene: Scene) -> dict:
    return {
        "json": {
            "title": "Speech data 2028",
            "questionnaire_id": scene.world.evaluation.questionnaire_id,
            "deadline": (utcnow() + timedelta(days=30)).isoformat(),
            "modalities": ["speech"],
        }
    }


def new_weight(scene: Scene) -> dict:
    section = evaluations.active_sections(scene.world.evaluation)[0]
    return {"json": {"weights": {section.id: 2.0}}}


def requirements(scene: Scene) -> dict:
    return {"json": {"locales": [{"locale": "en-GB", "min_contributors": 10}], "unit": "hour"}}


def invitation(scene: Scene) -> dict:
    return {"json": {"vendor_name": "Vendor C", "email": "c@vendor-c.example"}}


def evaluator(scene: Scene) -> dict:
    return {"json": {"user_id": scene.world.evaluator.id}}


def one_answer(scene: Scene) -> dict:
    return {"json": {"value": raw_answers(scene.world.response_a)["PRV-01"], "revision": 0}}


def answers(scene: Scene) -> dict:
    return {"json": {"answers": [{"question_id": "PRV-01", **one_answer(scene)["json"]}]}}


def evidence_file(scene: Scene) -> dict:
    return {
        "data": {"file": (io.BytesIO(b"Consent text, English version.\n"), "consent.txt")},
        "content_type": "multipart/form-data",
    }


def scores(scene: Scene) -> dict:
    return {
        "json": {
            "scores": [{"question_id": qid, "value": 3, "comment": "Documented."} for qid in scene.scored_questions()]
        }
    }


def declaration(scene: Scene) -> dict:
    return {"json": {"no_conflict": True}}


def open_early(scene: Scene) -> dict:
    return {"json": {"reason": "The board meets before the deadline."}}


def consensus(scene: Scene) -> dict:
    return {"json": {"value": 3, "rationale": "Both evaluators read the same artefact."}}


def consensus_form(scene: Scene) -> dict:
    """The consensus page's form for the first scored question."""
    return {
        "data": {
            "question_id": scene.scored_questions()[0],
            "value": "3",
            "rationale": "Both evaluators read the same artefact.",
        }
    }


# Preconditions some rows need before an allowed role can succeed (``given=`` in the tables).


def complete_draft(client, scene: Scene) -> None:
    """Vendor A answers every question of its draft through the API (so it can be submitted)."""
    answer_everything(as_user(client, scene.world.vendor_a), scene.world.response_a.id)


def save_scores(scene: Scene, role: str, *, submit: bool, value: int = 3, comment: str = "Documented.") -> None:
    """``role`` scores every rubric question of vendor B's response, as a draft or submitted."""
    response, user = scene.world.response_b, scene.user(role)
    inputs = {qid: reviews.ScoreInput(value, comment) for qid in scene.scored_questions()}
    assert reviews.save_scores(response, user, inputs, submit=submit) == []
    db.session.commit()


def submit_all_scores(client, scene: Scene) -> None:
    """The evaluator and the lead have both submitted their scores for vendor B."""
    for role in sorted(EVALUATORS):
        save_scores(scene, role, submit=True)


def sealed(client, scene: Scene) -> None:
    """The evaluation is sealed and its deadline two weeks away."""
    put_in_sealed_state(scene, "sealed, before the deadline")


def deadline_passed(client, scene: Scene) -> None:
    """The deadline passed an hour ago (scoring can be closed)."""
    put_in_sealed_state(scene, "not sealed, after the deadline")


def scoring_closed(client, scene: Scene) -> None:
    """The deadline passed and the buyer closed scoring (the results are frozen)."""
    deadline_passed(client, scene)
    closing.close_scoring(scene.world.evaluation, actor=scene.world.buyer)
    db.session.commit()


def rescore_confirmation(scene: Scene) -> dict:
    """Confirm the re-score preview the buyer would be shown now."""
    return {"json": {"fingerprint": closing.rescore_preview(scene.world.evaluation).fingerprint}}


GIVEN = {
    "draft complete": complete_draft,
    "scores submitted": submit_all_scores,
    "sealed": sealed,
    "deadline passed": deadline_passed,
    "scoring closed": scoring_closed,
}


def prepare(client, scene: Scene, given: tuple[str, ...]) -> None:
    for name in given:
        GIVEN[name](client, scene)


# The states a rule depends on.

SEALED_STATES = ("sealed, before the deadline", "sealed, after the deadline", "not sealed")


def put_in_sealed_state(scene: Scene, state: str) -> None:
    evaluation = scene.world.evaluation
    evaluation.sealed = state.startswith("sealed")
    evaluation.deadline = utcnow() + (timedelta(hours=-1) if "after" in state else timedelta(days=14))
    db.session.commit()


def withdraw_declaration(scene: Scene, role: str) -> None:
    db.session.execute(
        sa.delete(ConflictDeclaration).where(
            ConflictDeclaration.response_id == scene.world.response_b.id,
            ConflictDeclaration.user_id == scene.user(role).id,
        )
    )
    db.session.commit()


def consensus_count(scene: Scene) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ConsensusScore)
        .where(ConsensusScore.response_id == scene.world.response_b.id)
    )
