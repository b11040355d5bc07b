"""Small helpers of the vendor-portal tests."""

from __future__ import annotations

import re
from html import unescape

from tests.app.helpers import form_post


def input_values(html: str) -> dict[str, str]:
    """Every named text-like <input> of a page with its value (for re-posting a form as shown)."""
    values = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        name = re.search(r'\bname="([^"]+)"', tag)
        kind = re.search(r'\btype="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in ("checkbox", "radio", "file", "submit")):
            continue
        value = re.search(r'\bvalue="([^"]*)"', tag)
        values[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return values


def autosave(client, response, raw: dict, revisions: dict | None = None, **extra):
    """Post changed answers the way static/js/autosave.js does."""
    data = form_post(raw, revisions)
    data.pop("action")
    data.update(extra)
    return client.post(f"/responses/{response.id}/autosave", data=data, headers={"Accept": "application/json"})
