"""Report tests start from the demo: three scored vendors, one set apart for failing a must-have."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from app.demo import DEMO_PASSWORD
from app.demo.seed import seed_demo
from app.extensions import db
from app.models import Evaluation, Organisation, User

CLOSED_EVALUATION = "Multilingual speech collection 2027"
# Vendor names and an evaluation title in the scripts vendors and buyers write in.
NON_LATIN_VENDORS = {
    "Polyglot Voices Ltd": "ポリグロット音声株式会社",  # Japanese
    "Crowdsource Audio Co": "भारत डेटा सेवा",  # Hindi (Devanagari)
    "QuickData Collect": "บริษัท ควิกดาต้า คอลเลกต์",  # Thai
}
ARABIC_TITLE = "جمع بيانات الكلام 2027"


@pytest.fixture
def demo(app_ctx) -> Evaluation:
    """The demo's closed evaluation, its deadline passed and its three responses scored."""
    seed_demo()
    return db.session.scalar(sa.select(Evaluation).where(Evaluation.title == CLOSED_EVALUATION))


@pytest.fixture
def multiscript(demo) -> Evaluation:
    """The demo with vendor names in Japanese, Hindi and Thai and the evaluation titled in Arabic."""
    for organisation in db.session.scalars(sa.select(Organisation).where(Organisation.name.in_(NON_LATIN_VENDORS))):
        organisation.name = NON_LATIN_VENDORS[organisation.name]
    demo.title = ARABIC_TITLE
    db.session.commit()
    return demo


@pytest.fixture
def demo_user(client):
    """Sign a demo account in by e-mail (they share the demo password)."""

    def sign_in(email: str) -> User:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        answer = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
        return user

    return sign_in


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: the RQ path needs a Redis server")
    from redis import Redis

    try:
        Redis.from_url(url).ping()
    except Exception as error:  # noqa: BLE001 - any connection problem means: no Redis to test against
        pytest.skip(f"Redis at {url} does not answer: {error}")
    return url
