"""The WebSocket authorizer's token check: the HTTP API's JWT rules, with a key made here and the
pool's JWKS served by respx at Cognito's address (no network)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import jwt
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa

POOL, CLIENT = "us-east-1_realtime", "client-rt"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def tokens(monkeypatch: pytest.MonkeyPatch, key: rsa.RSAPrivateKey) -> Iterator[object]:
    from skailan.platform.settings import get_settings
    from skailan.realtime import tokens as module

    monkeypatch.setenv("USER_POOL_ID", POOL)
    monkeypatch.setenv("USER_POOL_CLIENT_ID", CLIENT)
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    get_settings.cache_clear()
    module.KEYS.clear()
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(f"{ISSUER}/.well-known/jwks.json").mock(
            return_value=httpx.Response(200, json={"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}))
        module.jwks_route = route  # type: ignore[attr-defined]
        yield module
    module.KEYS.clear()
    get_settings.cache_clear()


def token(key: rsa.RSAPrivateKey, *, kid: str = "k1", **claims: object) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": CLIENT, "sub": "user-1", "token_use": "id", "iat": now, "exp": now + 3600}
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm="RS256",
                      headers={"kid": kid})


def test_a_valid_id_token_gives_its_claims(tokens, key):
    claims = tokens.verify(token(key))
    assert claims["sub"] == "user-1"
    assert tokens.jwks_route.call_count == 1
    tokens.verify(token(key, sub="user-2"))
    assert tokens.jwks_route.call_count == 1  # keys cached per container


def test_an_access_token_matches_on_client_id(tokens, key):
    assert tokens.verify(token(key, token_use="access", aud=None, client_id=CLIENT))["sub"] == "user-1"


@pytest.mark.parametrize("claims", [
    {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"},
    {"aud": "another-client"},
    {"exp": int(time.time()) - 5},
    {"iat": int(time.time()) + 3600},
    {"nbf": int(time.time()) + 3600},
    {"sub": None},
    {"token_use": "access", "aud": CLIENT},  # an access token names its client in client_id
])
def test_claims_the_http_api_would_refuse(tokens, key, claims):
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(token(key, **claims))


def test_another_key_or_a_tampered_token_is_refused(tokens, key):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(token(other))
    header, _payload, signature = token(key).split(".")
    forged = jwt.utils.base64url_encode(b'{"sub":"admin","iss":"%s","aud":"%s","exp":9999999999}'
                                        % (ISSUER.encode(), CLIENT.encode())).decode()
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(f"{header}.{forged}.{signature}")


@pytest.mark.parametrize("value", ["", "abc", "a.b", "a.b.c", "e30.e30.e30"])
def test_garbage_is_refused(tokens, value):
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(value)


def test_an_unknown_kid_is_refused_after_one_refetch(tokens, key):
    tokens.verify(token(key))
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(token(key, kid="k2"))
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(token(key, kid="k3"))
    assert tokens.jwks_route.call_count == 1  # unknown kids re-fetch at most once a minute


def test_locally_the_keys_come_from_moto(monkeypatch):
    from skailan.platform.settings import get_settings
    from skailan.realtime.tokens import jwks_url

    monkeypatch.setenv("USER_POOL_ID", POOL)
    monkeypatch.setenv("STAGE", "local")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    get_settings.cache_clear()
    try:
        assert jwks_url() == f"http://127.0.0.1:4566/{POOL}/.well-known/jwks.json"
        monkeypatch.setenv("STAGE", "prod")
        get_settings.cache_clear()
        assert jwks_url() == f"{ISSUER}/.well-known/jwks.json"  # outside stage=local the override is ignored
    finally:
        get_settings.cache_clear()
