"""Input limits shared by the web forms and the API schemas: one number per field, one rule for single lines.

A web form (WTForms, or a view reading ``request.form`` itself) and its API twin (marshmallow) both take
their lengths from here, so the two cannot drift apart again. Lengths count characters, as both libraries do.
"""

from __future__ import annotations

import re

EVALUATION_TITLE = 300
EVALUATION_DESCRIPTION = 5000
VENDOR_NAME = 200
EMAIL = 254
PERSON_NAME = 200
CONSENSUS_RATIONALE = 5000
SCORE_COMMENT = 5000
CLARIFICATION_QUESTION = 4000
CLARIFICATION_ANSWER = 8000
REQUIREMENTS_TEXT = 20000  # the web's one-per-line locale and demographic boxes
REQUIREMENT_ITEM = 60  # one device class, environment, attribute or category
LOCALE = 35
OPEN_EARLY_REASON = 2000
CONFLICT_REASON = 2000

SINGLE_LINE_MESSAGE = "Use a single line without control characters."

# C0 and C1 controls, DEL and the Unicode line and paragraph separators: none belongs in a title or a
# name, and CR/LF there would forge log lines or break an e-mail's Subject header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def too_long_message(limit: int) -> str:
    return f"Use at most {limit:,} characters."


def is_single_line(text: str) -> bool:
    """True when ``text`` has no line break, tab or other control character."""
    return _CONTROL.search(text) is None


def one_line(text: str) -> str:
    """``text`` with every control character replaced by a space (for headers and log lines)."""
    return _CONTROL.sub(" ", text)
