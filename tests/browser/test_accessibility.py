"""axe-core finds no serious or critical accessibility violation on the main pages."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.extensions import db
from tests.app.helpers import complete_response
from tests.browser.conftest import shot, sign_in
from tests.factories import PASSWORD

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


def _checked(page, name: str, found: dict) -> None:
    """Run axe on the page as it stands; keep a screenshot and the findings under ``name`` if any."""
    violations = _violations(page)
    if violations:
        shot(page, f"axe-{name}")
        found[name] = violations


def _submit_review(app, user, response, value: int) -> None:
    """Declare no conflict and submit the same score on every rubric question, through the app."""
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    client.post(f"/reviews/{response.id}", data={"declaration": "no_conflict"})
    form = client.get(f"/reviews/{response.id}").get_data(as_text=True)
    scores = {f"score.{qid}": str(value) for qid in set(re.findall(r'name="score\.([A-Z]+-\d+)"', form))}
    assert scores, "the scoring page offers rubric questions"
    assert client.post(f"/reviews/{response.id}", data=scores | {"action": "submit"}).status_code == 302


def test_declaration_and_consensus_pages(page, live_server, submitted, app):
    world = submitted
    response = world.response_b
    _submit_review(app, world.evaluator, response, 4)
    sign_in(page, live_server, world.lead.email)
    problems: dict[str, list[str]] = {}

    page.goto(f"{live_server}/reviews/{response.id}")
    expect(page.get_by_role("button", name="Declare")).to_be_visible()
    _checked(page, "declaration", problems)
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_text("Choose one of the two declarations.")).to_be_visible()
    _checked(page, "declaration-refused", problems)

    page.get_by_label(re.compile("I have no conflict of interest")).check()
    page.get_by_role("button", name="Declare").click()
    expect(page.get_by_role("button", name="Submit my review")).to_be_visible()

    page.goto(f"{live_server}/reviews/{response.id}/consensus")
    expect(page.get_by_text("Submit your own review of this vendor first")).to_be_visible()
    _checked(page, "consensus-before-own-review", problems)

    page.goto(f"{live_server}/reviews/{response.id}")
    _checked(page, "scoring", problems)
    groups = page.locator("fieldset", has=page.locator("legend", has_text="Score for"))
    for index in range(groups.count()):
        groups.nth(index).get_by_label("1", exact=True).check()
    page.get_by_role("button", name="Submit my review").click()
    expect(page.get_by_text("Review submitted.")).to_be_visible()

    page.goto(f"{live_server}/reviews/{response.id}/consensus")
    first = page.locator(".question").first
    expect(first.get_by_label("Consensus score")).to_have_value("")
    _checked(page, "consensus", problems)
    first.get_by_label("Rationale").fill("Documented, not audited.")
    first.get_by_role("button", name="Set consensus").click()
    expect(first.get_by_text("Choose the consensus score (0 to 4).")).to_be_visible()
    _checked(page, "consensus-refused", problems)
    assert problems == {}


def test_deadline_page_with_the_open_early_form(page, live_server, world):
    assert world.evaluation.sealed, "the open-early form is offered for sealed responses only"
    sign_in(page, live_server, world.buyer.email)
    problems: dict[str, list[str]] = {}
    page.goto(f"{live_server}/evaluations/{world.evaluation.id}/settings")
    opening = page.get_by_role("button", name="Open responses and close the evaluation")
    expect(opening).to_be_visible()
    _checked(page, "deadline", problems)
    opening.click()
    expect(page.get_by_text("Say why; every invited vendor is told.")).to_be_visible()
    expect(page.get_by_text("Tick to confirm.")).to_be_visible()
    _checked(page, "deadline-open-early-refused", problems)
    assert problems == {}
