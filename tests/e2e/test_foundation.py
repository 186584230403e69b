"""The foundation's promise, over HTTP: sign-in, brands, roles, invitations, isolation, audit."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

DEMO_USERS = [
    ("admin@demo.local", "demo", "admin"),
    ("supervisor@demo.local", "demo", "supervisor"),
    ("agent1@demo.local", "demo", "agent"),
    ("agent2@demo.local", "demo", "agent"),
    ("operator@demo.local", "demo", "operator"),
    ("admin@acme.local", "acme", "admin"),
]


@pytest.mark.parametrize(("email", "brand", "role"), DEMO_USERS)
def test_every_demo_user_signs_in_and_me_names_brand_and_role(client, email, brand, role):
    me = client.get("/v1/me", headers=login(client, email))
    assert me.status_code == 200
    assert me.json()["brand"]["id"] == brand
    assert me.json()["role"] == role


def test_the_jwt_authorizer_refuses_missing_and_forged_tokens(client):
    assert client.get("/v1/me").status_code == 401
    assert client.get("/v1/me", headers={"authorization": "Bearer not.a.jwt"}).status_code == 401
    token = login(client, "admin@demo.local")["authorization"]
    header, payload, signature = token.removeprefix("Bearer ").split(".")
    tampered = f"Bearer {header}.{payload}.{signature[:-4]}AAAA"
    assert client.get("/v1/me", headers={"authorization": tampered}).status_code == 401
    assert client.get("/v1/admin/users", headers={"authorization": tampered}).status_code == 401


def test_invite_then_the_new_user_sees_only_what_the_role_allows(client):
    admin = login(client, "admin@demo.local")
    invited = client.post("/v1/admin/users", headers=admin,
                          json={"email": "e2e.agent@demo.local", "name": "E2E", "role": "agent"})
    assert invited.status_code == 201, invited.text
    mail = [m for m in client.get("/_local/mail").json()["items"] if "e2e.agent@demo.local" in m["to"]]
    token = re.search(r"token: (\S+)", mail[-1]["body"]).group(1)
    accepted = client.post("/v1/auth/accept-invitation", json={"token": token, "password": "E2e-agent-pass1"})
    assert accepted.status_code == 200, accepted.text

    agent = login(client, "e2e.agent@demo.local", "E2e-agent-pass1")
    me = client.get("/v1/me", headers=agent).json()
    assert (me["brand"]["id"], me["role"]) == ("demo", "agent")
    assert client.get("/v1/admin/users", headers=agent).status_code == 403
    assert client.get("/v1/admin/close-reasons", headers=agent).status_code == 200


def test_the_acme_admin_sees_nothing_of_demo(client):
    acme = login(client, "admin@acme.local")
    demo = login(client, "admin@demo.local")
    demo_users = client.get("/v1/admin/users", headers=demo).json()["items"]
    agent_id = next(u["id"] for u in demo_users if u["email"] == "agent1@demo.local")

    assert client.get("/v1/admin/users", headers=acme | {"x-tenant-id": "demo"}).status_code == 404
    acme_users = client.get("/v1/admin/users", headers=acme).json()["items"]
    assert {u["email"] for u in acme_users} == {"admin@acme.local"}
    assert client.get(f"/v1/admin/users/{agent_id}", headers=acme).status_code == 404
    assert client.post(f"/v1/admin/users/{agent_id}/disable", headers=acme).status_code == 404
    assert client.get("/v1/admin/channel-accounts/demo-whatsapp", headers=acme).status_code == 404
    channels = client.get("/v1/admin/channel-accounts", headers=acme).json()["items"]
    assert [c["id"] for c in channels] == ["acme-whatsapp"]


def test_api_keys_open_only_the_ext_routes(client):
    admin = login(client, "admin@demo.local")
    key = client.post("/v1/admin/api-keys", headers=admin, json={"name": "ERP", "permissions": ["admin:view"]})
    assert key.status_code == 201
    secret = key.json()["secret"]
    brand = client.get("/ext/v1/admin/brand", headers={"x-api-key": secret})
    assert brand.status_code == 200 and brand.json()["id"] == "demo"
    assert client.get("/ext/v1/admin/brand").status_code == 401
    assert client.get("/ext/v1/admin/brand", headers={"x-api-key": secret + "x"}).status_code == 403
    # A key is not a JWT: the JWT routes refuse it
    assert client.get("/v1/admin/brand", headers={"x-api-key": secret}).status_code == 401


def test_admin_changes_reach_the_audit_log_through_eventbridge_and_sqs(client):
    admin = login(client, "admin@demo.local")
    created = client.post("/v1/admin/close-reasons", headers=admin, json={"name": "Auditoría e2e"})
    assert created.status_code == 201
    reason_id = created.json()["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        entries = client.get("/v1/admin/audit-log", headers=admin,
                             params={"entity_type": "close_reason"}).json()["items"]
        if any(e["entity_id"] == reason_id and e["type"] == "close_reason.created" for e in entries):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the audit entry never arrived")
    acme = login(client, "admin@acme.local")
    acme_entries = client.get("/v1/admin/audit-log", headers=acme).json()["items"]
    assert all(e["entity_id"] != reason_id for e in acme_entries)


def test_docs_and_openapi_are_served(client):
    assert client.get("/docs").status_code == 200
    document = client.get("/v1/openapi.json").json()
    assert "/v1/admin/users" in document["paths"]


def test_bad_input_is_a_clear_4xx_in_the_one_shape(client):
    admin = login(client, "admin@demo.local")
    reply = client.post("/v1/admin/users", headers=admin, json={"email": "nope", "role": "agent", "tenant_id": "acme"})
    assert reply.status_code == 422
    fields = {d["field"] for d in reply.json()["error"]["details"]}
    assert {"email", "tenant_id"} <= fields
