"""The cost of the abuse limits (skailan.platform.limits) in DynamoDB requests per request: the
sign-in routes and the public routes (web chat, forgot-password), each through its real
handler against moto with the tables from template.yaml. Requests are counted at pynamodb's
connection; `value` is the requests on the limits table, `total` every DynamoDB request the
route made (the rest is the route's own work)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

from bench.common import figure

BENCH = "limits"
ROUNDS = 10


class _Meter:
    def __init__(self) -> None:
        self.total = 0
        self.limits = 0


def _metered(meter: _Meter, limits_table: str) -> Callable[[], None]:
    from pynamodb.connection.base import Connection

    original = Connection._make_api_call

    def counting(self: Any, operation_name: str, operation_kwargs: dict[str, Any]) -> dict[str, Any]:
        meter.total += 1
        tables = {operation_kwargs.get("TableName"), *(operation_kwargs.get("RequestItems") or {})}
        if limits_table in tables:
            meter.limits += 1
        return original(self, operation_name, operation_kwargs)

    Connection._make_api_call = counting  # type: ignore[method-assign]

    def restore() -> None:
        Connection._make_api_call = original  # type: ignore[method-assign]

    return restore


def _event(method: str, path: str, body: Any, ip: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    from tests.support import http_event

    event = http_event(method, path, body=body)
    event["requestContext"]["http"]["sourceIp"] = ip
    event["headers"].update(headers or {})
    return event


def _call(function_dir: str, event: dict[str, Any]) -> dict[str, Any]:
    from tests.support import FakeContext, handler_of

    result = handler_of(function_dir)(event, FakeContext())
    return {"status": result["statusCode"], "body": json.loads(result["body"]) if result.get("body") else None}


def _measure(meter: _Meter, name: str, action: Callable[[int], dict[str, Any]], expected: int) -> dict[str, Any]:
    meter.total = meter.limits = 0
    for n in range(ROUNDS):
        reply = action(n)
        assert reply["status"] == expected, (name, reply)
    return figure(BENCH, f"{name}.dynamodb_requests_for_limits", meter.limits / ROUNDS, "requests",
                  total=round(meter.total / ROUNDS, 2), rounds=ROUNDS)


def run() -> Iterator[dict[str, Any]]:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      POWERTOOLS_TRACE_DISABLED="true", STAGE="local")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from infra.local import moto_dynamodb

    moto_dynamodb.install()
    with mock_aws():
        from infra.local import seed
        from skailan.platform.aws import reset_clients
        from skailan.platform.settings import get_settings
        from tests.provisioning import provision_for_tests

        os.environ.update(provision_for_tests())
        get_settings.cache_clear()
        reset_clients()
        seed.seed_data()
        meter = _Meter()
        restore = _metered(meter, get_settings().limits_table)
        try:
            yield from _figures(meter)
        finally:
            restore()


def _figures(meter: _Meter) -> Iterator[dict[str, Any]]:
    password = "Demo-pass-2026"
    login = "/v1/auth/login"
    _call("api/auth", _event("POST", login, {"email": "agent1@demo.local", "password": password}, "198.51.100.1"))
    yield _measure(meter, "signin.ok_known_address", lambda n: _call("api/auth", _event(
        "POST", login, {"email": "agent1@demo.local", "password": password}, "198.51.100.1")), 200)
    yield _measure(meter, "signin.ok_new_address", lambda n: _call("api/auth", _event(
        "POST", login, {"email": "agent2@demo.local", "password": password}, f"198.51.100.{10 + n}")), 200)
    yield _measure(meter, "signin.wrong_password", lambda n: _call("api/auth", _event(
        "POST", login, {"email": f"nobody{n}@demo.local", "password": "Wrong-pass-1"}, f"203.0.113.{n}")), 401)
    yield _measure(meter, "forgot_password", lambda n: _call("api/auth", _event(
        "POST", "/v1/auth/forgot-password", {"email": f"x{n}@demo.local"}, f"203.0.113.{50 + n}")), 202)

    widget = "/public/webchat/widgets/demo-widget"
    origin = {"origin": "http://127.0.0.1:3000"}
    yield _measure(meter, "webchat.session", lambda n: _call("api/webchat", _event(
        "POST", f"{widget}/sessions", {"name": "Visita", "email": f"v{n}@example.com"}, f"192.0.2.{n}", origin)), 201)
    session = _call("api/webchat", _event("POST", f"{widget}/sessions", {"name": "Ana", "email": "ana@example.com"},
                                          "192.0.2.100", origin))["body"]
    auth = {**origin, "authorization": f"Bearer {session['token']}"}
    yield _measure(meter, "webchat.message", lambda n: _call("api/webchat", _event(
        "POST", f"{widget}/messages", {"text": f"hola {n}"}, "192.0.2.100", auth)), 202)
    yield _measure(meter, "webchat.poll", lambda n: _call("api/webchat", _event(
        "GET", f"{widget}/messages", None, "192.0.2.100", auth)), 200)
