"""Every page satisfies the Content-Security-Policy: no inline script, style or handler, nothing off-site.

The routes, roles and the objects they open come from the role x route matrix
(tests/app/test_permissions.py), so a new page is checked as soon as it has its row.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.extensions import db
from app.models import Answer
from app.questionnaires.answers import parse_answer
from tests.app import test_permissions as matrix
from tests.app.helpers import questions_of, raw_answers

# Anonymous first: a public page is seen signed out; then the roles that see the most.
ROLE_ORDER = ("anonymous", "buyer", "admin", "lead", "evaluator", "viewer", "vendor_a", "vendor_b", "other_buyer")
GET_ROUTES = sorted(endpoint for endpoint, (method, _, _) in matrix.MATRIX.items() if method == "get")


class InlineCodeFinder(HTMLParser):
    """Collects every construct the CSP would block: inline scripts and styles, handlers, foreign sources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name == "style":
                self.problems.append(f"style= attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value.startswith("javascript:"):
                self.problems.append(f"javascript: URL in <{tag} {name}>")
            if (
                (name in ("src",) or (tag == "link" and name == "href"))
                and value.startswith(("http:", "https:", "//"))
                and "//datavet.test/" not in value
            ):
                self.problems.append(f"off-site resource {value} on <{tag}>")


def csp_problems(answer) -> list[str]:
    policy = answer.headers.get("Content-Security-Policy", "")
    problems = []
    if "script-src 'self'" not in policy or "style-src 'self'" not in policy:
        problems.append(f"missing or weak CSP header: {policy!r}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append("CSP allows unsafe-inline/unsafe-eval")
    if answer.mimetype == "text/html":
        finder = InlineCodeFinder()
        finder.feed(answer.get_data(as_text=True))
        problems += finder.problems
    return problems


class RecordingClient:
    """The real test client, keeping every page it fetched (read at once: files are closed after)."""

    def __init__(self, client) -> None:
        self._client = client
        self.pages: list[tuple[str, object]] = []

    def __getattr__(self, name):
        return getattr(self._client, name)

    def open(self, url, **kwargs):
        answer = self._client.open(url, **kwargs)
        answer.get_data()
        if kwargs.get("method", "GET") == "GET":
            self.pages.append((url, answer))
        return answer


@pytest.fixture
def scored_world(matrix_scene):
    """The matrix scene, with vendor B's response answered so pages show real content."""
    world = matrix_scene.world
    # Stored directly (the editor's path is covered elsewhere): one savepoint per answer is slow on SQLite.
    questions = {question.id: question for question in questions_of(world.response_b)}
    for question_id, raw in raw_answers(world.response_b).items():
        value = parse_answer(questions[question_id], raw).value
        if value is not None:
            db.session.add(
                Answer(
                    response_id=world.response_b.id,
                    question_id=question_id,
                    value=value,
                    updated_by_id=world.vendor_b.id,
                )
            )
    db.session.flush()
    db.session.commit()
    return matrix_scene


def _check(client, login, scene, endpoint, role):
    recording = RecordingClient(client)
    matrix.test_route_refuses_everyone_it_should(recording, login, scene, endpoint, role)
    assert recording.pages, f"{endpoint} fetched nothing"
    for url, answer in recording.pages:
        assert answer.status_code < 500
        problems = csp_problems(answer)
        assert not problems, f"{endpoint} as {role} ({url}): {problems}"


def _roles_to_check(endpoint: str) -> list[str]:
    """The first allowed role, and a vendor too when vendors may open the page (they see other content)."""
    allowed = matrix.MATRIX[endpoint][2]
    roles = [next(role for role in ROLE_ORDER if role in allowed)]
    vendor = next((role for role in ("vendor_a", "vendor_b") if role in allowed), None)
    if vendor and vendor not in roles:
        roles.append(vendor)
    return roles


@pytest.mark.parametrize(("endpoint", "role"), [(e, r) for e in GET_ROUTES for r in _roles_to_check(e)])
def test_every_page_satisfies_the_csp(client, login, scored_world, endpoint, role):
    _check(client, login, scored_world, endpoint, role)


def test_refusals_and_errors_carry_the_csp_too(client, world, login):
    login(world.vendor_a)
    for url in ("/evaluations/999999", f"/evaluations/{world.evaluation.id}/settings", "/no-such-page"):
        answer = client.get(url)
        assert answer.status_code in (403, 404)
        assert not csp_problems(answer), url


def test_the_finder_catches_inline_code():
    finder = InlineCodeFinder()
    finder.feed(
        '<p style="color:red" onclick="x()">a</p><script>alert(1)</script><a href="javascript:x">b</a>'
        '<script src="https://cdn.example/x.js"></script>'
    )
    assert len(finder.problems) == 5
