"""$connect authorizer (real moto tokens, the brand's membership) and the connections table."""

from __future__ import annotations

import copy
import json
import time

import pytest

from tests.integration.realtime.conftest import id_token
from tests.support import FakeContext, handler_of, sample_event

AUTHORIZER, CONNECTIONS = "auth/websocket_authorizer", "api/websocket"


def authorize(token: str | None, brand: str | None) -> dict:
    event = copy.deepcopy(sample_event("WebSocketAuthorizerFunction", "connect"))
    event["queryStringParameters"] = {k: v for k, v in (("token", token), ("brand", brand)) if v is not None}
    return handler_of(AUTHORIZER)(event, FakeContext())


def effect(result: dict) -> str:
    return result["policyDocument"]["Statement"][0]["Effect"]


def test_a_member_connects_to_their_brand_only(demo, cognito_keys):
    agent1 = demo["agent1@demo.local"]
    token = id_token("agent1@demo.local")
    allowed = authorize(token, "demo")
    assert effect(allowed) == "Allow" and allowed["principalId"] == agent1.sub
    assert allowed["context"] == {"tenant_id": "demo", "user_id": agent1.sub, "role": "agent"}
    assert allowed["policyDocument"]["Statement"][0]["Resource"].endswith("/$connect")
    # Another brand, a brand that does not exist or is not a tenant id: refused
    for brand in ("acme", "nope", "DEMO", "demo#CONN", ""):
        assert effect(authorize(token, brand)) == "Deny", brand
    # acme's admin cannot open demo's feed either
    assert effect(authorize(id_token("admin@acme.local"), "demo")) == "Deny"
    assert effect(authorize(id_token("admin@acme.local"), "acme")) == "Allow"


@pytest.mark.parametrize("token", [None, "", "not-a-jwt", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"])
def test_a_missing_or_bad_token_is_unauthorized(demo, cognito_keys, token):
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(token, "demo")


def test_a_tampered_token_is_unauthorized(demo, cognito_keys):
    header, payload, signature = id_token("agent1@demo.local").split(".")
    claims = json.loads(__import__("base64").urlsafe_b64decode(payload + "=="))
    claims["sub"] = demo["admin@demo.local"].sub
    forged = __import__("base64").urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(f"{header}.{forged}.{signature}", "demo")


def test_a_disabled_member_is_refused(demo, cognito_keys):
    from skailan.tenancy import member_reads
    from skailan.tenancy.store.items import MemberItem

    token = id_token("agent2@demo.local")
    member = member_reads.find_member("demo", demo["agent2@demo.local"].sub)
    assert member is not None
    member.update(actions=[MemberItem.status.set("disabled")])
    try:
        assert effect(authorize(token, "demo")) == "Deny"
    finally:
        member.update(actions=[MemberItem.status.set("active")])
    assert effect(authorize(token, "demo")) == "Allow"


def connection_event(name: str, tenant: str, user_id: str, connection_id: str, body: str | None = None) -> dict:
    event = copy.deepcopy(sample_event("WebSocketConnectionsFunction", name))
    event["requestContext"]["connectionId"] = connection_id
    event["requestContext"]["authorizer"].update(principalId=user_id, tenant_id=tenant, user_id=user_id)
    if body is not None:
        event["body"] = body
    return event


def stored(tenant: str, connection_id: str) -> dict | None:
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    return client("dynamodb").get_item(TableName=get_settings().realtime_table, ConsistentRead=True, Key={
        "pk": {"S": f"T#{tenant}#CONN"}, "sk": {"S": connection_id}}).get("Item")


def test_connect_ping_and_disconnect_keep_the_connections_table(demo):
    handler = handler_of(CONNECTIONS)
    user = demo["agent1@demo.local"].sub
    assert handler(connection_event("connect", "demo", user, "conn-A1="), FakeContext()) == {"statusCode": 200}
    item = stored("demo", "conn-A1=")
    assert item is not None and item["user_id"]["S"] == user
    ttl = int(item["ttl"]["N"])
    assert 3 * 3600 - 60 < ttl - time.time() <= 3 * 3600  # outlives API Gateway's 2-hour limit
    # ping answers pong and keeps it listed, even when its item had expired and gone
    pong = handler(connection_event("ping", "demo", user, "conn-A1="), FakeContext())
    assert json.loads(pong["body"]) == {"type": "pong"}
    from skailan.realtime import store

    store.delete_connection("demo", "conn-A1=")
    handler(connection_event("ping", "demo", user, "conn-A1="), FakeContext())
    assert stored("demo", "conn-A1=") is not None
    unknown = handler(connection_event("ping", "demo", user, "conn-A1=", body='{"action":"subscribe"}'), FakeContext())
    assert json.loads(unknown["body"])["error"]["code"] == "unknown_action"
    garbage = handler(connection_event("ping", "demo", user, "conn-A1=", body="{{"), FakeContext())
    assert json.loads(garbage["body"])["type"] == "error"
    # A disconnect in another brand's context never touches demo's connection
    handler(connection_event("disconnect", "acme", user, "conn-A1="), FakeContext())
    assert stored("demo", "conn-A1=") is not None
    assert handler(connection_event("disconnect", "demo", user, "conn-A1="), FakeContext()) == {"statusCode": 200}
    assert stored("demo", "conn-A1=") is None


def test_an_event_without_the_authorizers_context_is_an_error(demo):
    event = connection_event("connect", "demo", "u", "conn-X=")
    event["requestContext"].pop("authorizer")
    with pytest.raises(ValueError):
        handler_of(CONNECTIONS)(event, FakeContext())
