from __future__ import annotations

import pytest

from tests.api.helpers import as_user


@pytest.fixture
def api_as(client):
    """``api_as(user)``: a JSON client authenticated with a new token of ``user``."""
    return lambda user: as_user(client, user)
