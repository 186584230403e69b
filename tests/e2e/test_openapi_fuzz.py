"""Schemathesis against the live local runtime: requests generated from the OpenAPI document
never produce a server error — every operation, destructive ones included, with an admin token
— and the demo brand still works afterwards (sign-in, an inbound message stored and listed).

Bounded: a few examples per operation (`SKAILAN_FUZZ_EXAMPLES`, default 6) keeps the run
within a few minutes on 2 cores. The fuzzer calls from its own loopback address (127.0.0.2):
the abuse limits it runs into (sign-in, forgot-password, web chat) then slow down the fuzzer
only, as they would an attacker, not the checks that follow. Schemathesis' pytest plugin does
not support pytest 9 yet, so its strategies are driven by hypothesis directly.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from requests.adapters import HTTPAdapter
from schemathesis.checks import not_a_server_error

from infra.local.fake_providers import meta_signature, whatsapp_message_payload
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("SKAILAN_FUZZ_EXAMPLES", "6"))
FUZZER_ADDRESS = "127.0.0.2"


class _FromAddress(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (FUZZER_ADDRESS, 0)
        super().init_poolmanager(*args, **kwargs)


def _session() -> requests.Session:
    session = requests.Session()
    session.mount("http://", _FromAddress())
    return session


def _operations(runtime: str, **include: str) -> list:
    schema = schemathesis.openapi.from_url(f"{runtime}/v1/openapi.json")
    schema.config.update(base_url=runtime)
    selected = schema.include(**include) if include else schema
    return [result.ok() for result in selected.get_all_operations()]


def _fuzz(operation: Any, session: requests.Session, headers: dict[str, str] | None, examples: int,
          failures: list[str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True)
    def run(case: Any) -> None:
        case.call_and_validate(session=session, headers=headers, checks=[not_a_server_error], timeout=30)

    try:
        run()
    except (Exception, BaseExceptionGroup) as err:  # every operation's failure, reported together
        failures.append(f"{operation.method.upper()} {operation.path}: {str(err)[:600]}")


def _api_key(client: Any, headers: dict[str, str]) -> dict[str, str]:
    created = client.post("/v1/admin/api-keys", headers=headers, json={
        "name": "fuzz", "permissions": ["contacts:manage", "conversations:manage", "admin:manage"]})
    assert created.status_code == 201, created.text
    return {"x-api-key": created.json()["secret"]}


def test_every_operation_never_fails_on_the_server_and_the_demo_brand_still_works(runtime, client):
    headers = login(client, "admin@demo.local")
    key = _api_key(client, headers)  # the /ext operations are called the way they are documented
    operations = _operations(runtime)
    assert len(operations) >= 100
    session, failures = _session(), []
    started = time.monotonic()
    for operation in operations:
        # Signing out the fuzzer's own token would leave the rest unauthenticated.
        if operation.path in ("/v1/auth/logout",):
            continue
        _fuzz(operation, session, key if operation.path.startswith("/ext/") else headers, EXAMPLES, failures)
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} operations answered 5xx:\n" + "\n".join(failures)
    print(f"fuzzed {len(operations)} operations x {EXAMPLES} examples in {elapsed:.0f}s")
    _demo_brand_still_works(client)
    _settle(client)


def _settle(client: Any, timeout: float = 180) -> None:
    """Let the workers finish what the fuzz queued (contacts, imports, events), so the runtime
    stops promptly after the suite instead of in the middle of a batch."""
    import boto3

    local = client.get("/_local/resources").json()
    sqs = boto3.client("sqs", endpoint_url=local["endpoint"], region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    urls = [url for url in sqs.list_queues().get("QueueUrls", []) if "-dlq" not in url]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = 0
        for url in urls:
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            pending += sum(int(v) for v in attributes.values())
        if not pending:
            return
        time.sleep(1)


def test_sign_in_never_fails_on_the_server(runtime, client):
    (operation,) = _operations(runtime, path="/v1/auth/login", method="POST")
    failures: list[str] = []
    _fuzz(operation, _session(), None, 30, failures)
    assert not failures, failures
    _login_after_fuzz(client)  # the fuzzer's failures never lock the owner out


def _demo_brand_still_works(client: Any) -> None:
    admin = login(client, "admin@demo.local")
    assert client.get("/v1/admin/brand", headers=admin).status_code == 200
    wa_id = "57300" + str(uuid.uuid4().int)[:7]
    payload = whatsapp_message_payload("100000000000001", "200000000000001", wa_id=wa_id, name="Después del fuzz",
                                       message_id=f"wamid.FUZZ{uuid.uuid4().hex[:12]}", text="¿Siguen atendiendo?")
    raw = json.dumps(payload).encode()
    answer = client.post("/webhooks/meta/demo-meta-app", content=raw, headers={
        "content-type": "application/json", "x-hub-signature-256": meta_signature(raw, "demo-meta-secret")})
    assert answer.status_code == 200, answer.text
    deadline = time.monotonic() + 30
    while True:
        page = client.get("/v1/conversations", headers=admin, params={"limit": 100})
        assert page.status_code == 200, page.text
        found = [c for c in page.json()["items"] if c["contact"].get("external_id") == wa_id]
        if found:
            break
        assert time.monotonic() < deadline, "the inbound message after the fuzz was not stored"
        time.sleep(0.3)
    listed = client.get(f"/v1/conversations/{found[0]['id']}/messages", headers=admin)
    assert listed.status_code == 200
    assert "¿Siguen atendiendo?" in [m.get("text") for m in listed.json()["items"]]


def _login_after_fuzz(client: Any, email: str = "admin@demo.local") -> dict[str, str]:
    """The sign-in fuzz empties the login route's gateway bucket (stage throttling is per route,
    as in AWS): wait for it to refill as a client honouring Retry-After would."""
    for _ in range(30):
        reply = client.post("/v1/auth/login", json={"email": email, "password": "Demo-pass-2026"})
        if reply.status_code != 429:
            break
        time.sleep(float(reply.headers.get("retry-after", "1")))
    assert reply.status_code == 200, reply.text
    return {"authorization": f"Bearer {reply.json()['id_token']}"}


def _shape(reply: Any, status: int, code: str | None = None) -> None:
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert set(error) == {"code", "message", "details"}
    spanish, _, english = error["message"].partition(" / ")
    assert spanish and english, error["message"]
    if code:
        assert error["code"] == code, error


def test_hand_made_bad_input_is_a_4xx_in_the_one_shape_from_the_gateway_too(client):
    admin = _login_after_fuzz(client)
    json_headers = {**admin, "content-type": "application/json"}
    # the gateway's own errors
    _shape(client.get("/v1/nowhere"), 404, "route_not_found")
    _shape(client.get("/v1/admin/brand"), 401, "unauthorized")
    _shape(client.get("/v1/admin/brand", headers={"authorization": "Bearer forged.token.value"}), 401)
    _shape(client.post("/v1/contacts", headers=json_headers, content=b"x" * (10 * 1024 * 1024 + 1)), 413)
    # the functions' generic checks
    _shape(client.post("/v1/contacts", headers={**admin, "content-type": "text/plain"}, content=b"hola"), 415)
    _shape(client.post("/v1/contacts", headers={**admin, "content-type": "application/x-www-form-urlencoded"},
                       content=b"name=x"), 415)
    _shape(client.post("/v1/contacts", headers=json_headers, content=b'{"name": "\xff\xfe"}'), 422,
           "invalid_encoding")
    _shape(client.post("/v1/contacts", headers=json_headers, content=b"[" * 100_000 + b"]" * 100_000), 422)
    _shape(client.post("/v1/contacts", headers=json_headers, content=b"{nope"), 422, "invalid_json")
    _shape(client.patch("/v1/admin/brand", headers=json_headers, json={"name": None}), 422)
    _shape(client.post("/v1/contacts", headers=json_headers, content=b"x" * (2 * 1024 * 1024)), 413)
    # strict query parameters: on conversations the filter is `tags`, not `tag`
    unknown = client.get("/v1/conversations", headers=admin, params={"tag": "vip"})
    _shape(unknown, 400, "unknown_query_parameter")
    assert "tag" in unknown.json()["error"]["message"]
    assert client.get("/v1/conversations", headers=admin, params={"tags": "vip"}).status_code == 200
    _shape(client.get("/v1/contacts", headers=admin, params={"limit": "lots"}), 422)
    # hardening headers on every response, and the docs load nothing from outside
    page = client.get("/docs")
    assert page.status_code == 200 and "https://" not in page.text and "//unpkg" not in page.text
    assert client.get("/docs/swagger-ui-bundle.js").status_code == 200
    for reply in (client.get("/v1/me", headers=admin), unknown, page):
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
        assert reply.headers["referrer-policy"]
