"""Channel pipeline tests: webhook handlers → inbound FIFO queue (moto) → ingest worker →
conversations API → outbound queue → send worker (providers mocked with respx) → statuses."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from infra.local.fake_providers import meta_signature, whatsapp_message_payload, whatsapp_status_payload
from infra.local.pollers import sqs_record
from tests.support import FakeContext, Reply, handler_of, sample_event

APP_ID = "demo-meta-app"
META_SECRET = "demo-meta-secret"
DEMO_PHONE_ID, DEMO_WABA = "100000000000001", "200000000000001"
ACME_PHONE_ID, ACME_WABA = "100000000000002", "200000000000002"


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """moto starts empty per module: forget every container-level cache between tests."""
    from aws_lambda_powertools.utilities import parameters

    from skailan.conversations import accounts
    from skailan.conversations.ingest import webhooks as ingress

    accounts.clear_cache()
    parameters.clear_caches()
    ingress.reset_certificates()
    yield
    accounts.clear_cache()
    parameters.clear_caches()


def http_request(method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
                 query: dict[str, str] | None = None, b64: bool = False) -> dict[str, Any]:
    event = copy.deepcopy(sample_event("AuthApiFunction", "login"))
    event["routeKey"] = f"{method} {path}"
    event["rawPath"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    event["headers"] = {"host": "127.0.0.1:3000", "x-forwarded-proto": "http",
                        **{k.lower(): v for k, v in (headers or {}).items()}}
    event["rawQueryString"] = urlencode(query or {})
    if query:
        event["queryStringParameters"] = dict(query)
    event.pop("body", None)
    event["isBase64Encoded"] = b64
    if body is not None:
        event["body"] = base64.b64encode(body).decode() if b64 else body.decode()
    return event


def invoke_http(function_dir: str, event: dict[str, Any]) -> Reply:
    result = handler_of(function_dir)(event, FakeContext())
    raw = result.get("body")
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw
    return Reply(status=result["statusCode"], body=body, headers=result.get("headers") or {})


def post_meta(payload: dict[str, Any] | bytes, *, app_id: str = APP_ID, secret: str = META_SECRET,
              signature: str | None = None) -> Reply:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    sig = signature if signature is not None else meta_signature(raw, secret)
    headers = {"content-type": "application/json"}
    if sig:
        headers["x-hub-signature-256"] = sig
    return invoke_http("webhooks/meta", http_request("POST", f"/webhooks/meta/{app_id}", body=raw, headers=headers))


def whatsapp_text(text: str, *, wa_id: str = "573001234567", name: str = "Camila Ruiz", message_id: str,
                  phone_number_id: str = DEMO_PHONE_ID, waba: str = DEMO_WABA, at: Any = None) -> dict[str, Any]:
    return whatsapp_message_payload(phone_number_id, waba, wa_id=wa_id, name=name, message_id=message_id,
                                    text=text, at=at)


def whatsapp_status(wamid: str, status: str, *, recipient: str = "573001234567", at: Any = None,
                    error: dict[str, Any] | None = None) -> dict[str, Any]:
    return whatsapp_status_payload(DEMO_PHONE_ID, DEMO_WABA, wamid=wamid, status=status, recipient=recipient,
                                   at=at, error=error)


def queue_url(name: str) -> str:
    import os

    return os.environ[name]


def receive_all(url: str, *, visibility: int = 30) -> list[dict[str, Any]]:
    from skailan.platform.aws import client

    sqs = client("sqs")
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                    MessageAttributeNames=["All"], VisibilityTimeout=visibility).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)


def run_worker(function_dir: str, url: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Invoke the worker like Lambda's event source mapping; delete what succeeded."""
    from skailan.platform.aws import client

    arn = f"arn:aws:sqs:us-east-1:123456789012:{url.rsplit('/', 1)[-1]}"
    event = {"Records": [sqs_record(m, arn, "us-east-1") for m in messages]}
    result = handler_of(function_dir)(event, FakeContext())
    failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    sqs = client("sqs")
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return result


def drain(function_dir: str = "workers/ingest", queue_env: str = "INBOUND_QUEUE_URL",
          *, rounds: int = 5) -> list[str]:
    """Process the queue until it is empty (or `rounds` batches); returns the failed ids."""
    url = queue_url(queue_env)
    failed: list[str] = []
    for _ in range(rounds):
        messages = receive_all(url)
        if not messages:
            break
        for start in range(0, len(messages), 10):
            result = run_worker(function_dir, url, messages[start:start + 10])
            failed += [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
        if failed:
            break
    return failed


def queued(queue_env: str = "INBOUND_QUEUE_URL") -> list[dict[str, Any]]:
    """Peek (receive then release) every message on a queue."""
    from skailan.platform.aws import client

    url = queue_url(queue_env)
    messages = receive_all(url)
    sqs = client("sqs")
    for m in messages:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    return messages


def purge(queue_env: str) -> None:
    from skailan.platform.aws import client

    url = queue_url(queue_env)
    for m in receive_all(url):
        client("sqs").delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def form_body(reply_body: bytes) -> dict[str, str]:
    return dict(parse_qsl(reply_body.decode()))
