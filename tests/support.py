"""Helpers shared by integration tests: invoke handlers with the events/ samples as a base."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from infra.openapi import load_app_module

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"


def sample_event(function: str, name: str) -> dict[str, Any]:
    return json.loads((EVENTS / function / f"{name}.json").read_text())


class FakeContext:
    function_name = "test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id = "req-test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


_modules: dict[str, Any] = {}


def handler_of(function_dir: str) -> Any:
    if function_dir not in _modules:
        _modules[function_dir] = load_app_module(ROOT / "functions" / function_dir)
    return _modules[function_dir].handler


@dataclass
class Principal:
    """A signed-in user as API Gateway's JWT authorizer would pass them on."""

    sub: str
    email: str
    tenant: str | None = None

    def claims(self) -> dict[str, str]:
        return {"sub": self.sub, "email": self.email, "token_use": "id"}


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def http_event(method: str, path: str, *, body: Any = None, principal: Principal | None = None,
               tenant: str | None = None, query: dict[str, Any] | None = None,
               api_key_context: dict[str, str] | None = None) -> dict[str, Any]:
    event = copy.deepcopy(sample_event("AuthApiFunction", "login"))
    event["routeKey"] = f"{method} {path}"
    event["rawPath"] = path
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    event["requestContext"]["routeKey"] = event["routeKey"]
    event.pop("body", None)
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if query:
        event["rawQueryString"] = urlencode(query)
        event["queryStringParameters"] = {k: str(v) for k, v in query.items()}
    headers = {"content-type": "application/json", "host": "127.0.0.1:3000"}
    chosen = tenant if tenant is not None else (principal.tenant if principal else None)
    if chosen:
        headers["x-tenant-id"] = chosen
    event["headers"] = headers
    if principal is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": principal.claims(), "scopes": None}}
    if api_key_context is not None:
        event["requestContext"]["authorizer"] = {"lambda": api_key_context}
    return event


def invoke(function_dir: str, event: dict[str, Any], *, unrouted_ok: bool = False) -> Reply:
    result = handler_of(function_dir)(event, FakeContext())
    raw = result.get("body")
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw
    # A 404 must come from the domain ("not found in your brand"), never from a route this
    # function does not serve: that would let an isolation test pass against the wrong function.
    if result["statusCode"] == 404 and isinstance(body, dict) and not unrouted_ok:
        assert body.get("error", {}).get("code") != "route_not_found", f"{function_dir} does not serve {event['rawPath']}"
    return Reply(status=result["statusCode"], body=body, headers=result.get("headers") or {})


def call(function_dir: str, method: str, path: str, **kwargs: Any) -> Reply:
    return invoke(function_dir, http_event(method, path, **kwargs))


class OutboxWatch:
    """The events a table's outbox received since the last `mark()`, read back from the table
    (a Scan: tests only), oldest first; events of one write in type order."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        self._seen: set[str] = set()
        self.mark()

    def _all(self) -> list[Any]:
        from skailan.platform import outbox

        model = outbox.model_for(self.table_name)
        return list(model.scan(model.item_type == outbox.ITEM_TYPE))

    def mark(self) -> None:
        self._seen = {item.sk for item in self._all()}

    def events(self) -> list[Any]:
        from skailan.platform.events import DomainEvent

        fresh = sorted((i for i in self._all() if i.sk not in self._seen), key=lambda i: (i.created_at, i.type))
        return [DomainEvent.model_validate_json(i.event) for i in fresh]

    def types(self) -> list[str]:
        return [e.type for e in self.events()]


@contextmanager
def dynamodb_requests() -> Iterator[list[str]]:
    """The DynamoDB operations sent inside the block, in order (`PutItem`, `TransactWriteItems`…),
    read from the requests moto serves in this process."""
    from moto.core.botocore_stubber import BotocoreStubber

    sent: list[str] = []
    original = BotocoreStubber.process_request

    def process_request(self: Any, request: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        if target.startswith("DynamoDB_"):
            sent.append(target.partition(".")[2])
        return original(self, request)

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        BotocoreStubber.process_request = original  # type: ignore[method-assign]


WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@contextmanager
def dynamodb_writes() -> Iterator[list[str]]:
    """The DynamoDB write operations sent inside the block, in order (filled when it ends)."""
    writes: list[str] = []
    with dynamodb_requests() as sent:
        try:
            yield writes
        finally:
            writes.extend(op for op in sent if op in WRITE_OPERATIONS)
