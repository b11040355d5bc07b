"""axe-core finds no serious or critical accessibility violation on the main pages."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.extensions import db
from tests.app.helpers import complete_response
from tests.browser.conftest import shot, sign_in

SERIOUS = {"serious", "critical"}


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


@pytest.fixture
def submitted(world, app):
    client = app.test_client()
    client.post("/login", data={"email": world.vendor_b.email, "password": "correct horse battery"})
    complete_response(client, world.response_b)
    client.post(f"/responses/{world.response_b.id}/submit")
    world.evaluation.sealed = False
    db.session.commit()
    return world


def test_public_pages(page, live_server):
    page.goto(f"{live_server}/login")
    assert _violations(page) == []


@pytest.mark.parametrize(
    "who, paths",
    [
        (
            "buyer",
            [
                "/",
                "/evaluations/new",
                "/evaluations/{evaluation}",
                "/evaluations/{evaluation}/requirements",
                "/evaluations/{evaluation}/settings",
                "/evaluations/{evaluation}/ranking",
                "/responses/{submitted}/view",
            ],
        ),
        ("vendor_a", ["/", "/responses/{draft}", "/responses/{draft}/offline"]),
        ("evaluator", ["/reviews/{submitted}"]),
        ("admin", ["/admin/people"]),
    ],
)
def test_main_pages_have_no_serious_violations(page, live_server, submitted, who, paths):
    world = submitted
    sign_in(page, live_server, getattr(world, who).email)
    problems = {}
    for template in paths:
        path = template.format(evaluation=world.evaluation.id, draft=world.response_a.id, submitted=world.response_b.id)
        page.goto(live_server + path)
        found = _violations(page)
        if found:
            shot(page, f"axe-{who}-{path.strip('/').replace('/', '-') or 'home'}")
            problems[path] = found
    assert problems == {}
