"""Calling the API from tests: bearer tokens and a small JSON client."""

from __future__ import annotations

from app.api import tokens
from app.extensions import db

API = "/api/v1"


def bearer(user) -> dict[str, str]:
    """Headers authenticating as ``user`` with a fresh personal API token."""
    _, secret = tokens.create_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


class ApiClient:
    """The Flask test client speaking JSON to /api/v1 as one token's user."""

    def __init__(self, client, headers: dict[str, str]):
        self.client, self.headers = client, headers

    def call(self, method: str, path: str, json=None, **kwargs):
        answer = self.client.open(API + path, method=method.upper(), json=json, headers=self.headers, **kwargs)
        answer.close()
        return answer

    def get(self, path: str, **kwargs):
        return self.call("get", path, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.call("post", path, json, **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self.call("put", path, json, **kwargs)

    def patch(self, path: str, json=None, **kwargs):
        return self.call("patch", path, json, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.call("delete", path, **kwargs)


def as_user(client, user) -> ApiClient:
    return ApiClient(client, bearer(user))
