"""Fixtures for the questionnaire tests: the shipped files and a small definition to vary."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from app.questionnaires import load_questionnaire

QUESTIONNAIRE_DIR = Path(__file__).resolve().parents[2] / "questionnaires"
VENDOR_FILE = QUESTIONNAIRE_DIR / "data-collection-vendor.yaml"
PILOT_FILE = QUESTIONNAIRE_DIR / "pilot-quick-check.yaml"

SMALL_DEFINITION: dict[str, Any] = {
    "id": "small",
    "title": "Small",
    "version": 1,
    "sections": [
        {
            "id": "coverage",
            "title": "Coverage",
            "weight": 50,
            "questions": [
                {
                    "id": "COV-01",
                    "type": "table",
                    "text": "Contributors per locale",
                    "required": True,
                    "references": ["Datasheets for Datasets: Composition"],
                    "columns": [
                        {"id": "locale", "type": "locale", "label": "Locale", "required": True},
                        {"id": "contributors", "type": "integer", "min": 0, "required": True},
                        {"id": "share", "type": "percentage"},
                    ],
                    "checks": [{"kind": "percent_sum", "column": "share", "group_by": "locale"}],
                    "scoring": {
                        "auto": "coverage",
                        "params": {
                            "locale_column": "locale",
                            "count_column": "contributors",
                            "target": "min_contributors",
                        },
                    },
                },
                {
                    "id": "COV-02",
                    "type": "yes_no",
                    "text": "Self-reported?",
                    "references": ["Data Statements for NLP"],
                    "scoring": {"auto": "choice_map", "params": {"map": {"yes": 4, "no": 0}}},
                },
            ],
        },
        {
            "id": "privacy",
            "title": "Privacy",
            "weight": 50,
            "questions": [
                {
                    "id": "PRV-01",
                    "type": "single_choice",
                    "text": "Lawful basis",
                    "required": True,
                    "references": ["GDPR Art. 6"],
                    "options": [{"key": "consent", "label": "Consent"}, {"key": "none", "label": "None"}],
                    "must_have": {"reason": "needed", "one_of": ["consent"]},
                },
                {
                    "id": "PRV-02",
                    "type": "number",
                    "text": "Days to answer a request",
                    "references": ["GDPR Art. 12"],
                    "unit": "days",
                    "min": 0,
                    "visible_if": {"answer": {"question": "COV-02", "equals": True}},
                    "scoring": {
                        "auto": "threshold_bands",
                        "params": {"direction": "at_most", "bands": [[7, 4], [30, 2]]},
                    },
                },
            ],
        },
    ],
}


@pytest.fixture(scope="session")
def vendor():
    """The full shipped questionnaire."""
    return load_questionnaire(VENDOR_FILE)


@pytest.fixture(scope="session")
def pilot():
    """The short shipped questionnaire."""
    return load_questionnaire(PILOT_FILE)


@pytest.fixture
def small() -> dict[str, Any]:
    """A fresh copy of a small valid definition, to break in one place per test."""
    return copy.deepcopy(SMALL_DEFINITION)
