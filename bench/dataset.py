"""The benchmark data set, inserted fast with SQLAlchemy Core (executemany) rather than row by row through the ORM.

Answers come from the demo generator (``app.demo.demo_answer``) read by the real parser
(``parse_answer``), once per *answer set* (a vendor profile at a quality level and seed); every
response reuses one of those sets, so the data is realistic and the seeding is quick. Primary keys
are given explicitly so rows can refer to each other without a round trip; PostgreSQL sequences are
moved past them afterwards.

Evaluations seeded:

* ``main``: ``evaluations`` closed evaluations × ``vendors`` submitted responses, each scored
  (submitted) by ``evaluators`` evaluators, with consensus where they disagree by 2 or more;
* ``scale``: one closed evaluation per vendor count in ``scale`` (for the growth tables);
* ``wide``: 25 vendors scored by twice as many evaluators (queries must not grow with evaluators);
* ``open``: open evaluations of 5 and 25 vendors whose responses are answered drafts (the editor).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.demo import VendorProfile, demo_answer, demo_requirements
from app.extensions import db
from app.models import (
    Answer,
    Attachment,
    ConflictDeclaration,
    ConsensusScore,
    Evaluation,
    EvaluationStatus,
    EvaluatorAssignment,
    EvidenceLevel,
    Invitation,
    Organisation,
    OrganisationKind,
    QuestionnaireVersion,
    Response,
    ResponseStatus,
    Role,
    Score,
    SectionWeight,
    User,
)
from app.models.base import utcnow
from app.questionnaires import store
from app.questionnaires.answers import parse_answer, visible_questions

PASSWORD = "bench-password-2026"
QUESTIONNAIRE_KEY = "data-collection-vendor"
MODALITIES = ["speech", "text"]
EVIDENCE = b"Contributor consent (English): recordings are used to train speech models; withdraw any time.\n"
CHUNK = 5000


@dataclass(frozen=True)
class Shape:
    """How big the data set is."""

    evaluations: int = 200
    vendors: int = 25
    evaluators: int = 3
    scale: tuple[int, ...] = (5, 10, 25, 50, 100)
    answer_sets: int = 24

    @property
    def vendor_pool(self) -> int:
        return max(self.vendors, *self.scale)


@dataclass
class Seeded:
    """What the benchmark needs to know about the seeded data."""

    main: list[int] = field(default_factory=list)  # evaluation ids
    scale: dict[int, int] = field(default_factory=dict)  # vendors -> evaluation id
    wide: int = 0  # 25 vendors, 2 × evaluators
    open: dict[int, int] = field(default_factory=dict)  # vendors -> open evaluation id
    responses: dict[int, list[int]] = field(default_factory=dict)  # evaluation id -> response ids
    vendor_email: dict[int, str] = field(default_factory=dict)  # response id -> its vendor's contact
    staff: dict[str, str] = field(default_factory=dict)  # "buyer", "evaluator", "lead" -> e-mail
    rows: Counter = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass(frozen=True)
class AnswerSet:
    quality: float
    values: dict[str, Any]  # question id -> canonical value (file questions excluded)
    files: tuple[str, ...]  # file questions shown
    rubric: tuple[str, ...]  # people-scored questions shown


def answer_sets(questionnaire, requirements, count: int) -> list[AnswerSet]:
    """``count`` distinct answered questionnaires, from weak to strong, some failing a must-have."""
    sets = []
    for index in range(count):
        quality = 0.35 + 0.6 * ((index * 7) % count) / max(1, count - 1)
        profile = VendorProfile(f"Profile {index}", quality, fails_must_have=index % 8 == 5)
        rng = random.Random(index)
        values: dict[str, Any] = {}
        for _ in range(2):  # a second pass answers questions shown only after an earlier answer
            for question in visible_questions(questionnaire, MODALITIES, values):
                if question.type == "file" or question.id in values:
                    continue
                parsed = parse_answer(question, demo_answer(question, profile, requirements, rng))
                if parsed.errors:
                    raise RuntimeError(f"demo answer to {question.id} does not parse: {parsed.errors}")
                if parsed.value is not None:
                    values[question.id] = parsed.value
        shown = visible_questions(questionnaire, MODALITIES, values)
        sets.append(
            AnswerSet(
                quality,
                values,
                files=tuple(q.id for q in shown if q.type == "file"),
                rubric=tuple(q.id for q in shown if not q.is_auto_scored and q.weight > 0),
            )
        )
    return sets


class _Rows:
    """Rows per table with explicit ids, inserted in foreign-key order."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = {}
        self.next_id: Counter = Counter()

    def add(self, model, **values) -> int:
        name = model.__table__.name
        self.next_id[name] += 1
        values["id"] = self.next_id[name]
        self.tables.setdefault(name, []).append(values)
        return values["id"]


def _token(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


def seed(shape: Shape, upload_folder: str | Path) -> Seeded:
    """Insert the whole data set into the empty, migrated database of the current app context."""
    started = time.perf_counter()
    store.import_directory(_questionnaire_dir())
    version = db.session.scalar(
        sa.select(QuestionnaireVersion)
        .where(QuestionnaireVersion.key == QUESTIONNAIRE_KEY)
        .order_by(QuestionnaireVersion.version.desc())
    )
    questionnaire = store.parsed(version)
    now = utcnow().replace(microsecond=0)
    requirements = demo_requirements((now + timedelta(days=30)).date())
    sets = answer_sets(questionnaire, requirements, shape.answer_sets)
    password_hash = generate_password_hash(PASSWORD)
    rows, seeded = _Rows(), Seeded()

    buyer_org = rows.add(Organisation, name="Bench Speech AI", kind=OrganisationKind.BUYER, created_at=now)

    def person(email: str, role: Role, organisation: int) -> int:
        return rows.add(
            User,
            email=email,
            name=email.split("@")[0],
            password_hash=password_hash,
            role=role,
            organisation_id=organisation,
            active=True,
            timezone="UTC",
            created_at=now,
        )

    buyer = person("buyer@bench.example", Role.BUYER, buyer_org)
    person("viewer@bench.example", Role.VIEWER, buyer_org)
    evaluators = [
        person(f"eval{n}@bench.example", Role.EVALUATOR, buyer_org) for n in range(1, 2 * shape.evaluators + 1)
    ]
    seeded.staff = {
        "buyer": "buyer@bench.example",
        "lead": "eval1@bench.example",
        "evaluator": "eval2@bench.example",
        "viewer": "viewer@bench.example",
    }
    vendors = []
    for n in range(shape.vendor_pool):
        organisation = rows.add(
            Organisation, name=f"Vendor {n:03d} Data Collection", kind=OrganisationKind.VENDOR, created_at=now
        )
        email = f"contact@vendor{n:03d}.example"
        person(email, Role.VENDOR, organisation)
        vendors.append((organisation, email))

    evidence_digest = hashlib.sha256(EVIDENCE).hexdigest()
    folder = Path(upload_folder)
    folder.mkdir(parents=True, exist_ok=True)

    def evaluation(title: str, vendor_count: int, offset: int, *, closed: bool, panel: int) -> int:
        deadline = now - timedelta(days=2) if closed else now + timedelta(days=30)
        evaluation_id = rows.add(
            Evaluation,
            organisation_id=buyer_org,
            questionnaire_id=version.id,
            title=title,
            description="Read and spontaneous speech in four locales, with transcripts.",
            deadline=deadline,
            status=EvaluationStatus.OPEN,
            sealed=True,
            modalities=MODALITIES,
            requirements=requirements.to_dict(),
            created_by_id=buyer,
            created_at=now - timedelta(days=60),
        )
        for position, section in enumerate(questionnaire.sections):
            rows.add(
                SectionWeight,
                evaluation_id=evaluation_id,
                section_id=section.id,
                position=position,
                weight=float(section.weight),
            )
        team = evaluators[:panel]
        for person_id in team:
            rows.add(
                EvaluatorAssignment,
                evaluation_id=evaluation_id,
                user_id=person_id,
                section_id="",
                is_lead=person_id == team[0],
            )
        seeded.responses[evaluation_id] = []
        for k in range(vendor_count):
            organisation, email = vendors[(offset + k) % len(vendors)]
            answers = sets[(offset + k) % len(sets)]
            rows.add(
                Invitation,
                evaluation_id=evaluation_id,
                vendor_organisation_id=organisation,
                email=email,
                token_hash=_token(evaluation_id, organisation),
                invited_by_id=buyer,
                created_at=now - timedelta(days=50),
                expires_at=now - timedelta(days=36),
                accepted_at=now - timedelta(days=49),
            )
            response_id = rows.add(
                Response,
                evaluation_id=evaluation_id,
                vendor_organisation_id=organisation,
                questionnaire_id=version.id,
                status=ResponseStatus.SUBMITTED if closed else ResponseStatus.DRAFT,
                submitted_at=deadline - timedelta(days=3) if closed else None,
                created_at=now - timedelta(days=49),
                updated_at=now - timedelta(days=5),
            )
            seeded.responses[evaluation_id].append(response_id)
            seeded.vendor_email[response_id] = email
            vendor_user = user_ids[email]
            _answers(rows, response_id, answers, vendor_user, now, folder, evidence_digest)
            if closed:
                _scores(rows, response_id, answers, team, now)
        return evaluation_id

    user_ids = {row["email"]: row["id"] for row in rows.tables["user_account"]}
    for i in range(shape.evaluations):
        seeded.main.append(
            evaluation(f"Speech collection {i:03d}", shape.vendors, 7 * i, closed=True, panel=shape.evaluators)
        )
    for count in shape.scale:
        seeded.scale[count] = evaluation(
            f"Growth {count} vendors", count, 3 * count, closed=True, panel=shape.evaluators
        )
    seeded.wide = evaluation("Wide evaluator panel", 25, 11, closed=True, panel=2 * shape.evaluators)
    for count in (5, 25):
        seeded.open[count] = evaluation(
            f"Open call {count} vendors", count, 5 * count, closed=False, panel=shape.evaluators
        )

    _insert(rows)
    seeded.rows = Counter({name: len(table) for name, table in rows.tables.items()})
    seeded.seconds = time.perf_counter() - started
    return seeded


def _answers(rows: _Rows, response_id: int, answers: AnswerSet, user_id: int, now, folder: Path, digest: str) -> None:
    at = now - timedelta(days=6)
    for question_id, value in answers.values.items():
        rows.add(
            Answer,
            response_id=response_id,
            question_id=question_id,
            value=value,
            revision=1,
            evidence_level=EvidenceLevel.SELF_ATTESTED,
            updated_at=at,
            updated_by_id=user_id,
        )
    for question_id in answers.files:
        stored = f"bench-{response_id}-{question_id}"
        attachment_id = rows.add(
            Attachment,
            response_id=response_id,
            question_id=question_id,
            filename="consent-text-en.txt",
            stored_name=stored,
            content_type="text/plain",
            size=len(EVIDENCE),
            sha256=digest,
            uploaded_by_id=user_id,
            created_at=at,
        )
        (folder / stored).write_bytes(EVIDENCE)
        rows.add(
            Answer,
            response_id=response_id,
            question_id=question_id,
            revision=1,
            value=[{"id": attachment_id, "name": "consent-text-en.txt", "sha256": digest, "size": len(EVIDENCE)}],
            evidence_level=EvidenceLevel.EVIDENCED,
            updated_at=at,
            updated_by_id=user_id,
        )


def _scores(rows: _Rows, response_id: int, answers: AnswerSet, team: list[int], now) -> None:
    rng = random.Random(response_id)
    given: dict[str, list[int]] = {}
    for person_id in team:
        rows.add(
            ConflictDeclaration,
            response_id=response_id,
            user_id=person_id,
            declared_at=now - timedelta(days=1),
            has_conflict=False,
            reason="",
            review_submitted_at=now - timedelta(hours=20),
        )
        for question_id in answers.rubric:
            value = max(0, min(4, round(answers.quality * 4 + rng.uniform(-1.2, 0.8))))
            given.setdefault(question_id, []).append(value)
            rows.add(
                Score,
                response_id=response_id,
                question_id=question_id,
                evaluator_id=person_id,
                value=value,
                comment="Checked against the evidence provided.",
                updated_at=now - timedelta(hours=20),
                submitted_at=now - timedelta(hours=20),
            )
    for question_id, values in given.items():
        if max(values) - min(values) >= 2:
            rows.add(
                ConsensusScore,
                response_id=response_id,
                question_id=question_id,
                value=round(sum(values) / len(values)),
                rationale="Discussed: the documents support the middle view.",
                set_by_id=team[0],
                set_at=now - timedelta(hours=10),
            )


def _insert(rows: _Rows) -> None:
    connection = db.session.connection()
    for table in db.metadata.sorted_tables:  # foreign-key order
        batch = rows.tables.get(table.name)
        if not batch:
            continue
        for start in range(0, len(batch), CHUNK):
            connection.execute(table.insert(), batch[start : start + CHUNK])
    if connection.dialect.name == "postgresql":
        for name in rows.tables:
            connection.execute(
                sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))")
            )
    db.session.commit()
    # Fresh planner statistics, as a database in production would have.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def _questionnaire_dir() -> str:
    from flask import current_app

    return current_app.config["QUESTIONNAIRE_DIR"]
