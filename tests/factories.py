"""factory_boy factories for the app's models (used inside an app context)."""

from __future__ import annotations

from datetime import timedelta

import factory
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Evaluation,
    Organisation,
    OrganisationKind,
    QuestionnaireVersion,
    Response,
    Role,
    SectionWeight,
    User,
)
from app.models.base import utcnow
from app.questionnaires import store

PASSWORD = "correct horse battery"
QUESTIONNAIRE_KEY = "data-collection-vendor"


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Buyer {n}")
    kind = OrganisationKind.BUYER


class VendorOrganisationFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Vendor {n}")
    kind = OrganisationKind.VENDOR


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.BUYER
    organisation = factory.SubFactory(OrganisationFactory)
    password_hash = factory.LazyFunction(lambda: _hash())


_HASH: list[str] = []


def _hash() -> str:
    # One hash serves every test user. The app hashes with werkzeug's deliberately slow default; test
    # accounts need no protection from cracking, and a cheap scrypt keeps every sign-in of the suite fast.
    if not _HASH:
        from werkzeug.security import generate_password_hash

        _HASH.append(generate_password_hash(PASSWORD, method="scrypt:1024:8:1"))
    return _HASH[0]


def questionnaire_version(key: str = QUESTIONNAIRE_KEY) -> QuestionnaireVersion:
    return db.session.scalars(
        sa.select(QuestionnaireVersion)
        .where(QuestionnaireVersion.key == key)
        .order_by(QuestionnaireVersion.version.desc())
    ).first()


class EvaluationFactory(BaseFactory):
    class Meta:
        model = Evaluation

    title = factory.Sequence(lambda n: f"Evaluation {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    questionnaire = factory.LazyFunction(questionnaire_version)
    deadline = factory.LazyFunction(lambda: utcnow() + timedelta(days=14))
    modalities = factory.LazyFunction(lambda: ["speech", "text"])
    requirements = factory.LazyFunction(dict)
    sealed = True

    @factory.post_generation
    def section_weights(obj, create, extracted, **kwargs):
        definition = store.parsed(obj.questionnaire)
        obj.section_weights = [
            SectionWeight(section_id=s.id, position=i, weight=float(s.weight))
            for i, s in enumerate(definition.sections)
        ]
        db.session.flush()


class ResponseFactory(BaseFactory):
    class Meta:
        model = Response

    evaluation = factory.SubFactory(EvaluationFactory)
    vendor_organisation = factory.SubFactory(VendorOrganisationFactory)
    questionnaire_id = factory.LazyAttribute(lambda r: r.evaluation.questionnaire_id)
