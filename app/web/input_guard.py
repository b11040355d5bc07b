"""Requests whose text can always be stored: NUL characters are dropped on arrival.

PostgreSQL refuses NUL in text columns, so one typed or pasted into any field (or a
file name, query string or JSON body) would otherwise end in a server error. No one
means a NUL, so dropping it loses nothing a person typed. Upload file names lose every control
character. Other control characters are refused by the forms and API schemas of single-line fields
(``app.limits``), not dropped here: only the field knows whether a line break belongs in it.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from flask import Request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict

NUL = "\x00"
_FILENAME_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, FileStorage):
        if value.filename:
            # A file name is one line: a line break in it would reach audit details and messages.
            value.filename = _FILENAME_CONTROL.sub("", value.filename)
        return value
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


class CleanMultiDict(ImmutableMultiDict):
    """Form fields, query arguments and uploads, without NUL characters."""

    def __init__(self, mapping=None):
        if mapping is not None:
            if isinstance(mapping, MultiDict):
                pairs = mapping.items(multi=True)
            elif isinstance(mapping, dict):
                pairs = mapping.items()
            else:
                pairs = mapping
            mapping = [(_clean(key), _clean(value)) for key, value in pairs]
        super().__init__(mapping)


class CleanInputRequest(Request):
    """The app's request class (set in ``create_app``)."""

    parameter_storage_class = CleanMultiDict

    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False):
        # JSON bodies (read through here by get_json and the API's parser) spell NUL as \u0000.
        data = super().get_data(cache=cache, as_text=False, parse_form_data=parse_form_data)
        if self.is_json and b"\\u0000" in data:
            with contextlib.suppress(ValueError):  # not JSON after all: the parser will say so
                data = json.dumps(_clean(json.loads(data))).encode()
        return data.decode(errors="replace") if as_text else data
