"""Live updates against moto built from template.yaml: the $connect authorizer with real Cognito
(moto) tokens, the connections function, the push worker with a recording management API, and
GET /v1/changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from tests.integration.channels.conftest import fresh_caches  # noqa: F401


class RecordingPoster:
    """The management API as the push worker sees it: records posts; `gone` ids answer 410."""

    def __init__(self, gone: set[str] | None = None, failing: set[str] | None = None) -> None:
        self.gone = set(gone or ())
        self.failing = set(failing or ())
        self.posts: list[tuple[str, dict[str, Any]]] = []

    def post(self, connection_id: str, data: bytes) -> bool:
        if connection_id in self.failing:
            raise RuntimeError("throttled")
        if connection_id in self.gone:
            return False
        self.posts.append((connection_id, json.loads(data)))
        return True

    def to(self, connection_id: str) -> list[dict[str, Any]]:
        return [frame for cid, frame in self.posts if cid == connection_id]


@pytest.fixture
def cognito_keys(aws: dict[str, str]) -> Iterator[None]:
    """Cognito's JWKS endpoint for the moto pool, with the public key moto signs tokens with
    (what moto serves at /<pool>/.well-known/jwks.json, whichever key it was given)."""
    from moto.cognitoidp.responses import CognitoIdpJsonWebKeyResponse

    from skailan.platform.settings import get_settings
    from skailan.realtime import tokens

    document = json.loads(CognitoIdpJsonWebKeyResponse.json_web_key)
    tokens.KEYS.clear()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{tokens.issuer()}/.well-known/jwks.json").mock(return_value=httpx.Response(200, json=document))
        mock.route(host="127.0.0.1").pass_through()
        yield
    tokens.KEYS.clear()
    assert get_settings().user_pool_id


def id_token(email: str) -> str:
    from tests.support import call

    reply = call("api/auth", "POST", "/v1/auth/login", body={"email": email, "password": "Demo-pass-2026"})
    assert reply.status == 200, reply.body
    return reply.body["id_token"]
