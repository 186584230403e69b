"""Cognito token verification for the WebSocket `$connect` authorizer.

The HTTP API's JWT authorizer is API Gateway's own; a WebSocket API has none, and browsers
cannot set headers on a WebSocket, so the token arrives in the query string and is checked here
with the same rules: an RS256 signature by a key of the pool's JWKS (`kid`), `iss` the pool,
`aud` (ID token) or `client_id` (access token) the app client, `exp` in the future and
`nbf`/`iat` not. Verified with `cryptography` (already in the layer) rather than a JWT library.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

from skailan.platform.settings import get_settings

LEEWAY_SECONDS = 60  # clock skew between Cognito and us, for iat/nbf (exp is strict)
JWKS_TTL_SECONDS = 3600


class InvalidToken(Exception):
    """The token is malformed, not signed by the pool, expired or for another client."""


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def issuer() -> str:
    pool = get_settings().user_pool_id
    region = pool.split("_", 1)[0]  # pool ids are <region>_<id>
    return f"https://cognito-idp.{region}.amazonaws.com/{pool}"


def jwks_url() -> str:
    settings = get_settings()
    if settings.is_local and settings.aws_endpoint_url:
        # moto serves the pool's keys at the same path on its own endpoint.
        return f"{settings.aws_endpoint_url.rstrip('/')}/{settings.user_pool_id}/.well-known/jwks.json"
    return f"{issuer()}/.well-known/jwks.json"


class _Keys:
    """The pool's public keys by `kid`, fetched once per container and again for an unknown kid."""

    def __init__(self) -> None:
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def get(self, kid: str) -> Any:
        with self._lock:
            age = float("inf") if self._fetched_at is None else time.monotonic() - self._fetched_at
            # An unknown kid re-fetches at most once a minute, so junk tokens cannot hammer Cognito.
            if age > JWKS_TTL_SECONDS or (kid not in self._keys and age > 60):
                self._keys = _fetch_keys()
                self._fetched_at = time.monotonic()
            key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        return key

    def clear(self) -> None:
        with self._lock:
            self._keys, self._fetched_at = {}, None


def _fetch_keys() -> dict[str, Any]:
    import httpx
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

    response = httpx.get(jwks_url(), timeout=5)
    response.raise_for_status()
    keys = {}
    for jwk in response.json().get("keys", []):
        if jwk.get("kty") != "RSA" or "kid" not in jwk:
            continue
        numbers = RSAPublicNumbers(int.from_bytes(_b64(jwk["e"]), "big"), int.from_bytes(_b64(jwk["n"]), "big"))
        keys[jwk["kid"]] = numbers.public_key()
    return keys


KEYS = _Keys()


def verify(token: str, *, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid token of this pool and app client; `InvalidToken` otherwise."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.hashes import SHA256

    token = token.strip().removeprefix("Bearer ").strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a JWT")
    try:
        header = json.loads(_b64(parts[0]))
        claims = json.loads(_b64(parts[1]))
        signature = _b64(parts[2])
    except ValueError as err:
        raise InvalidToken("not a JWT") from err
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidToken("not a JWT")
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise InvalidToken("unsupported algorithm")
    key = KEYS.get(header["kid"])
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode(), PKCS1v15(), SHA256())
    except InvalidSignature as err:
        raise InvalidToken("bad signature") from err
    _check_claims(claims, time.time() if now is None else now)
    return claims


def _check_claims(claims: dict[str, Any], now: float) -> None:
    settings = get_settings()
    if claims.get("iss") != issuer():
        raise InvalidToken("wrong issuer")
    audience = claims.get("aud") if claims.get("token_use") != "access" else claims.get("client_id")
    audiences = audience if isinstance(audience, list) else [audience]
    if settings.user_pool_client_id not in audiences:
        raise InvalidToken("wrong audience")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= now:
        raise InvalidToken("expired")
    for name in ("nbf", "iat"):
        value = claims.get(name)
        if value is not None and (not isinstance(value, int | float) or value > now + LEEWAY_SECONDS):
            raise InvalidToken(f"{name} in the future")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise InvalidToken("no subject")
