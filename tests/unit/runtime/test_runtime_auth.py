"""JWT and Lambda authorizer rules, with an RSA key made here (no network)."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.apigw import IncomingRequest
from infra.local.authorizers import (
    InvalidToken,
    JwksCache,
    JwtAuthorizer,
    LambdaAuthorizer,
    authorize_jwt,
    authorize_lambda,
    claim_string,
    policy_allows,
    token_from,
    verify_jwt,
)

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
CLIENT_ID = "client-1"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_document(key):
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}


@pytest.fixture
def jwks(jwks_document):
    fetched = []

    def fetch(url):
        fetched.append(url)
        return jwks_document

    cache = JwksCache("http://127.0.0.1:4566", fetch=fetch)
    cache.fetched = fetched
    return cache


def _token(key, *, kid="k1", algorithm="RS256", **claims):
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "u1",
        "token_use": "id",
        "iat": now,
        "exp": now + 3600,
        "email": "ana@example.com",
        "cognito:groups": ["admins", "agents"],
        "email_verified": True,
    }
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})


def _verify(token, jwks, audience=(CLIENT_ID,)):
    return verify_jwt(token, issuer=ISSUER, audience=list(audience), key_for=jwks.key)


def test_valid_id_token(key, jwks):
    claims = _verify(_token(key), jwks)
    assert claims["email"] == "ana@example.com"
    assert jwks.fetched == ["http://127.0.0.1:4566/us-east-1_pool/.well-known/jwks.json"]


def test_access_token_matches_on_client_id(key, jwks):
    token = _token(
        key, aud=None, client_id=CLIENT_ID, token_use="access", scope="aws.cognito.signin.user.admin"
    )
    assert _verify(token, jwks)["client_id"] == CLIENT_ID


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": int(time.time()) - 1}, "expired"),
        ({"exp": None}, "no exp"),
        ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}, "iss"),
        ({"aud": "someone-else"}, "audience"),
        ({"nbf": int(time.time()) + 600}, "nbf"),
        ({"iat": int(time.time()) + 600}, "iat"),
    ],
)
def test_claims_that_fail(key, jwks, claims, reason):
    with pytest.raises(InvalidToken, match=reason):
        _verify(_token(key, **claims), jwks)


def test_signature_by_another_key_fails(other_key, jwks):
    with pytest.raises(InvalidToken, match="signature"):
        _verify(_token(other_key), jwks)


def test_unknown_kid_refetches_then_fails(key, jwks):
    _verify(_token(key), jwks)
    jwks._fetched_at[ISSUER] = 0  # past the refetch interval
    with pytest.raises(InvalidToken, match="kid"):
        _verify(_token(key, kid="rotated"), jwks)
    assert len(jwks.fetched) == 2


def test_non_rsa_tokens_fail(jwks):
    with pytest.raises(InvalidToken, match="not RSA"):
        _verify(jwt.encode({"iss": ISSUER}, "secret" * 8, algorithm="HS256", headers={"kid": "k1"}), jwks)
    with pytest.raises(InvalidToken, match="malformed"):
        _verify("garbage", jwks)


def test_token_prefix_is_optional():
    assert token_from("Bearer abc") == "abc"
    assert token_from("bearer abc") == "abc"
    assert token_from("abc") == "abc"
    assert token_from("Bearer ") is None
    assert token_from(None) is None


def test_claims_are_passed_as_strings():
    assert claim_string(["admins", "agents"]) == "[admins agents]"
    assert claim_string(True) == "true"
    assert claim_string(1700000000) == "1700000000"
    assert claim_string("x") == "x"


def _request(headers=(), query=""):
    return IncomingRequest(method="GET", raw_path="/me", raw_query=query, headers=list(headers))


def test_authorize_jwt_decisions(key, jwks):
    authorizer = JwtAuthorizer("Cognito", ISSUER, [CLIENT_ID])
    token = _token(key, scope="leads/read leads/write")

    missing = authorize_jwt(authorizer, _request(), [], jwks)
    ok = authorize_jwt(authorizer, _request([("Authorization", f"Bearer {token}")]), [], jwks)
    scoped = authorize_jwt(authorizer, _request([("authorization", token)]), ["leads/write"], jwks)
    unscoped = authorize_jwt(authorizer, _request([("authorization", token)]), ["admin"], jwks)

    assert (missing.allowed, missing.status) == (False, 401)
    assert ok.allowed and ok.authorizer["jwt"]["claims"]["cognito:groups"] == "[admins agents]"
    assert ok.authorizer["jwt"]["claims"]["email_verified"] == "true"
    assert ok.authorizer["jwt"]["scopes"] == ["leads/read", "leads/write"]
    assert scoped.allowed
    assert (unscoped.allowed, unscoped.status) == (False, 403)


def _lambda_decision(result, headers=(("x-api-key", "k"),), simple=True):
    calls = []

    def invoke(function_id, event):
        calls.append((function_id, event))
        if isinstance(result, Exception):
            raise result
        return result

    authorizer = LambdaAuthorizer("Key", "AuthFn", ["$request.header.x-api-key"], simple_responses=simple)
    decision = authorize_lambda(
        authorizer,
        _request(headers),
        invoke=invoke,
        route_key="GET /me",
        route_arn="arn:aws:execute-api:us-east-1:1:api/$default/GET/me",
        path_parameters={},
        api_id="api",
        account_id="1",
    )
    return decision, calls


def test_lambda_authorizer_decisions():
    missing, missing_calls = _lambda_decision({"isAuthorized": True}, headers=())
    denied, _ = _lambda_decision({"isAuthorized": False})
    allowed, calls = _lambda_decision({"isAuthorized": True, "context": {"tenant": "t1"}})
    failed, _ = _lambda_decision(RuntimeError("boom"))
    malformed, _ = _lambda_decision({"authorized": "yes"})

    assert (missing.status, missing_calls) == (401, [])  # no invocation without the identity source
    assert denied.status == 403
    assert allowed.allowed and allowed.authorizer == {"lambda": {"tenant": "t1"}}
    assert calls[0][0] == "AuthFn" and calls[0][1]["identitySource"] == ["k"]
    assert failed.status == 500 and malformed.status == 500


def test_lambda_authorizer_policy_responses():
    arn = "arn:aws:execute-api:us-east-1:1:api/$default/GET/me"
    allow = {
        "principalId": "u",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": "arn:aws:execute-api:us-east-1:1:api/*",
                }
            ],
        },
        "context": {"a": "b"},
    }
    decision, _ = _lambda_decision(allow, simple=False)

    assert decision.allowed and decision.authorizer == {"lambda": {"a": "b"}}
    assert policy_allows(allow["policyDocument"], arn)
    assert not policy_allows(
        {
            "Statement": [
                {"Action": "execute-api:*", "Effect": "Allow", "Resource": "*"},
                {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": arn},
            ]
        },
        arn,
    )
    assert not policy_allows({"Statement": []}, arn)
