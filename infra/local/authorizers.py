"""HTTP API authorizers, enforced as API Gateway does.

JWT authorizer (the workflow of "Control access to HTTP APIs with JWT authorizers"): take the
token from the identity source (a `Bearer ` prefix is optional), check an RSA signature with the
issuer's JWKS key named by `kid`, then `iss` equals the configured issuer, `aud` (ID tokens) or
`client_id` (Cognito access tokens) is one of the audiences, `exp` is in the future, `nbf`/`iat`
are not, and when the route names scopes the token's `scope`/`scp` holds at least one of them.
Failures answer 401 `{"message":"Unauthorized"}`; a valid token without a needed scope 403.

Locally the issuer is the moto user pool: `https://cognito-idp.<region>.amazonaws.com/<pool id>`
is exactly the `iss` moto writes, and its JWKS is served by the moto server at
`/<pool id>/.well-known/jwks.json`.

Lambda authorizer (payload 2.0): a missing identity source answers 401 without calling the
function; `{"isAuthorized": false}` (or a policy without Allow) answers 403; an error 500.
"""

from __future__ import annotations

import fnmatch
import json
import re
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import jwt

from .apigw import IncomingRequest, build_authorizer_event
from .logs import get_logger

log = get_logger("auth")

RSA_ALGORITHMS = ("RS256", "RS384", "RS512")
_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/(?P<pool>[\w-]+)$")


@dataclass
class JwtAuthorizer:
    name: str
    issuer: str
    audience: list[str]
    identity_source: str = "$request.header.Authorization"
    scopes: list[str] = field(default_factory=list)  # SAM's authorizer-level AuthorizationScopes


@dataclass
class LambdaAuthorizer:
    name: str
    function_logical_id: str
    identity_sources: list[str] = field(default_factory=list)
    simple_responses: bool = False
    payload_version: str = "2.0"


Authorizer = JwtAuthorizer | LambdaAuthorizer


@dataclass
class Decision:
    allowed: bool
    status: int = 200  # 401, 403 or 500 when not allowed
    authorizer: dict[str, Any] | None = None  # becomes requestContext.authorizer
    reason: str = ""


# --------------------------------------------------------------------------------------------
# JWKS
# --------------------------------------------------------------------------------------------


def _fetch_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - moto or the issuer's https URL
        return json.loads(response.read())


class JwksCache:
    """Signing keys by issuer and `kid`, fetched once and again when an unknown `kid` shows up."""

    REFETCH_AFTER_SECONDS = 5.0

    def __init__(self, moto_endpoint: str, fetch: Callable[[str], dict[str, Any]] = _fetch_json) -> None:
        self.moto_endpoint = moto_endpoint.rstrip("/")
        self._fetch = fetch
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def jwks_url(self, issuer: str) -> str:
        match = _COGNITO_ISSUER.match(issuer)
        if match:
            return f"{self.moto_endpoint}/{match.group('pool')}/.well-known/jwks.json"
        # Any other issuer (e.g. a local OIDC provider): standard discovery.
        return _fetch_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration")["jwks_uri"]

    def key(self, issuer: str, kid: str) -> Any:
        with self._lock:
            keys = self._keys.get(issuer)
            stale = time.monotonic() - self._fetched_at.get(issuer, 0.0) > self.REFETCH_AFTER_SECONDS
            if keys is None or (kid not in keys and stale):
                keys = self._load(issuer)
            return keys.get(kid)

    def _load(self, issuer: str) -> dict[str, Any]:
        document = self._fetch(self.jwks_url(issuer))
        keys = {}
        for jwk in document.get("keys", []):
            try:
                keys[jwk.get("kid")] = jwt.PyJWK(jwk).key
            except jwt.PyJWTError as error:
                log.warning("ignoring a JWKS key of %s: %s", issuer, error)
        self._keys[issuer] = keys
        self._fetched_at[issuer] = time.monotonic()
        return keys


# --------------------------------------------------------------------------------------------
# JWT
# --------------------------------------------------------------------------------------------


class InvalidToken(Exception):
    pass


def token_from(value: str | None) -> str | None:
    if not value:
        return None
    value = value.lstrip()
    if value[:7].lower() == "bearer ":
        value = value[7:]
    return value.strip() or None


def verify_jwt(
    token: str,
    *,
    issuer: str,
    audience: list[str],
    key_for: Callable[[str, str], Any],
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of a token API Gateway's JWT authorizer would accept, else `InvalidToken`."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken(f"malformed token: {error}") from error
    algorithm = header.get("alg")
    if algorithm not in RSA_ALGORITHMS:
        raise InvalidToken(f"algorithm {algorithm!r} is not RSA")
    kid = header.get("kid")
    if not kid:
        raise InvalidToken("no kid in the token header")
    try:
        key = key_for(issuer, kid)
    except Exception as error:
        raise InvalidToken(f"cannot fetch the JWKS of {issuer}: {error}") from error
    if key is None:
        raise InvalidToken(f"kid {kid!r} is not in the JWKS of {issuer}")
    try:
        # The signature here; claims below, with API Gateway's rules rather than PyJWT's.
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            options={
                "verify_aud": False,
                "verify_iss": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(f"bad signature: {error}") from error

    now = time.time() if now is None else now
    if claims.get("iss") != issuer:
        raise InvalidToken(f"iss {claims.get('iss')!r} is not {issuer!r}")
    token_audience = claims.get("aud", claims.get("client_id"))
    token_audiences = token_audience if isinstance(token_audience, list) else [token_audience]
    if audience and not set(map(str, filter(None, token_audiences))) & set(audience):
        raise InvalidToken(f"audience {token_audience!r} is not one of {audience}")
    expires = claims.get("exp")
    if not isinstance(expires, (int, float)) or expires <= now:
        raise InvalidToken("token expired" if isinstance(expires, (int, float)) else "no exp claim")
    for claim in ("nbf", "iat"):
        value = claims.get(claim)
        if isinstance(value, (int, float)) and value > now:
            raise InvalidToken(f"{claim} is in the future")
    return claims


def token_scopes(claims: dict[str, Any]) -> list[str] | None:
    scopes = claims.get("scp", claims.get("scope"))
    if scopes is None:
        return None
    return list(scopes) if isinstance(scopes, list) else str(scopes).split()


def claim_string(value: Any) -> str:
    """How API Gateway hands claims to the integration: all strings, arrays as `[a b]`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(claim_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return ""
    return str(value)


def authorize_jwt(
    authorizer: JwtAuthorizer, request: IncomingRequest, route_scopes: list[str], jwks: JwksCache
) -> Decision:
    token = token_from(identity_value(request, authorizer.identity_source))
    if not token:
        return Decision(False, 401, reason="no token in " + authorizer.identity_source)
    try:
        claims = verify_jwt(token, issuer=authorizer.issuer, audience=authorizer.audience, key_for=jwks.key)
    except InvalidToken as error:
        return Decision(False, 401, reason=str(error))
    scopes = token_scopes(claims)
    if route_scopes and not set(route_scopes) & set(scopes or []):
        return Decision(False, 403, reason=f"token scopes {scopes} hold none of {route_scopes}")
    return Decision(
        True,
        authorizer={
            "jwt": {"claims": {name: claim_string(v) for name, v in claims.items()}, "scopes": scopes}
        },
    )


# --------------------------------------------------------------------------------------------
# Lambda authorizer
# --------------------------------------------------------------------------------------------


def identity_value(request: IncomingRequest, source: str) -> str | None:
    """Value of an identity source expression like `$request.header.Authorization`."""
    source = source.strip()
    if source.startswith("$request.header."):
        return request.header(source.removeprefix("$request.header."))
    if source.startswith("$request.querystring."):
        values = parse_qs(request.raw_query, keep_blank_values=True).get(
            source.removeprefix("$request.querystring.")
        )
        return ",".join(values) if values else None
    if source.startswith("$context."):
        context = {
            "httpMethod": request.method.upper(),
            "path": request.raw_path,
            "requestId": request.request_id,
            "sourceIp": request.source_ip,
        }
        return context.get(source.removeprefix("$context."))
    return None  # $stageVariables: there are none locally


def authorize_lambda(
    authorizer: LambdaAuthorizer,
    request: IncomingRequest,
    *,
    invoke: Callable[[str, dict[str, Any]], Any],
    route_key: str,
    route_arn: str,
    path_parameters: dict[str, str],
    api_id: str,
    account_id: str,
) -> Decision:
    identity = [identity_value(request, source) or "" for source in authorizer.identity_sources]
    if not all(identity):
        return Decision(False, 401, reason=f"missing identity source {authorizer.identity_sources}")
    event = build_authorizer_event(
        request,
        route_key=route_key,
        route_arn=route_arn,
        identity_source=identity or None,
        path_parameters=path_parameters,
        api_id=api_id,
        account_id=account_id,
    )
    try:
        result = invoke(authorizer.function_logical_id, event)
    except Exception as error:
        return Decision(False, 500, reason=f"authorizer {authorizer.name} failed: {error}")

    if authorizer.simple_responses:
        if not isinstance(result, dict) or not isinstance(result.get("isAuthorized"), bool):
            return Decision(False, 500, reason="simple response without a boolean isAuthorized")
        if not result["isAuthorized"]:
            return Decision(False, 403, reason="isAuthorized is false")
        return Decision(True, authorizer={"lambda": result.get("context") or {}})

    if not isinstance(result, dict) or not isinstance(result.get("policyDocument"), dict):
        return Decision(False, 500, reason="IAM policy response without a policyDocument")
    if not policy_allows(result["policyDocument"], route_arn):
        return Decision(False, 403, reason="policy does not allow execute-api:Invoke on " + route_arn)
    return Decision(True, authorizer={"lambda": result.get("context") or {}})


def policy_allows(policy: dict[str, Any], resource_arn: str) -> bool:
    """IAM evaluation reduced to what authorizer policies use: explicit Deny wins over Allow."""
    allowed = False
    statements = policy.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", action) for action in actions):
            continue
        if not any(fnmatch.fnmatchcase(resource_arn, pattern) for pattern in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]
