"""The main pages of DataVet, who opens them, and on which seeded evaluation.

Pages other engineers may not have built yet (the comparison page, the comparison pack, the
evaluation's spreadsheet export) are found in the app's URL map by their path; a page that is not
there is left out and the report says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bench.dataset import Seeded


@dataclass(frozen=True)
class Page:
    name: str
    user: str  # e-mail of the person who opens it
    path: str
    binary: bool = False  # a download (PDF, XLSX) rather than HTML
    method: str = "GET"  # a POST answers with a redirect (e.g. a background job run inline)


# Path templates of pages that may or may not exist yet, in the URL map's own syntax.
COMPARISON = "/evaluations/<int:evaluation_id>/comparison"


def _rules(app) -> dict[str, str]:
    return {rule.rule: rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}


def has_comparison(app) -> bool:
    return COMPARISON in _rules(app)


def _fill(rule: str) -> str:
    """A concrete path: ``{evaluation_id}`` left to fill, ``<any(xlsx, zip):fmt>`` -> xlsx."""

    def choose(match: re.Match) -> str:
        options = [o.strip().strip("'\"") for o in match.group(1).split(",")]
        return "xlsx" if "xlsx" in options else options[0]

    return re.sub(r"<any\(([^)]*)\):\w+>", choose, rule.replace("<int:evaluation_id>", "{evaluation_id}"))


def optional_downloads(app) -> dict[str, tuple[str, str]]:
    """The comparison pack (PDF) and the evaluation's spreadsheet export, where they exist.

    Returns kind ("pack", "export") -> (HTTP method, path template with ``{evaluation_id}``).
    """
    found: dict[str, tuple[str, str]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/evaluations/<int:evaluation_id>/") or "<int:" in rule.rule[34:]:
            continue
        tail = rule.rule.rsplit("/", 1)[-1].lower()
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        if "pack" in tail and "compar" in rule.rule:
            found.setdefault("pack", (method, _fill(rule.rule)))
        elif tail.startswith("export") and method == "GET":
            found.setdefault("export", (method, _fill(rule.rule)))
    return found


def evaluation_pages(app, seeded: Seeded, evaluation_id: int) -> list[Page]:
    """Pages about one closed evaluation, opened by the people who use them."""
    response_id = seeded.responses[evaluation_id][0]
    staff = seeded.staff
    pages = [
        Page("evaluation page", staff["buyer"], f"/evaluations/{evaluation_id}"),
        Page("response view", staff["buyer"], f"/responses/{response_id}/view"),
        Page("scoring page", staff["evaluator"], f"/reviews/{response_id}"),
        Page("consensus page", staff["lead"], f"/reviews/{response_id}/consensus"),
        Page("ranking page", staff["buyer"], f"/evaluations/{evaluation_id}/ranking"),
    ]
    if has_comparison(app):
        pages.append(Page("comparison page", staff["buyer"], f"/evaluations/{evaluation_id}/comparison"))
    pages.append(
        Page(
            "PDF scorecard",
            staff["buyer"],
            f"/evaluations/{evaluation_id}/vendors/{response_id}/scorecard.pdf",
            binary=True,
        )
    )
    return pages


def editor_page(seeded: Seeded, open_evaluation_id: int) -> Page:
    response_id = seeded.responses[open_evaluation_id][0]
    return Page("response editor", seeded.vendor_email[response_id], f"/responses/{response_id}")


def main_pages(app, seeded: Seeded, evaluation_id: int, open_evaluation_id: int) -> list[Page]:
    """Every main page, for the buyer's dashboard of all seeded evaluations and one evaluation of them."""
    return [Page("dashboard", seeded.staff["buyer"], "/"), editor_page(seeded, open_evaluation_id)] + evaluation_pages(
        app, seeded, evaluation_id
    )
