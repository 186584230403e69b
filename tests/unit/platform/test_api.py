"""The generic request checks of every API function (skailan.platform.api): bad bodies and
unknown query parameters are 4xx in the one error shape, es/en; hardening headers everywhere;
log keys never leak from one invocation into the next."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.platform.api import create_resolver
from skailan.platform.errors import TooManyRequests
from skailan.platform.models import RequestModel
from tests.support import FakeContext


class ThingIn(RequestModel):
    name: str
    size: int | None = None


def _app() -> Any:
    app = create_resolver()

    @app.post("/things")
    def create(body: ThingIn) -> dict[str, Any]:
        return {"name": body.name}

    @app.get("/things")
    def search(tags: Annotated[str | None, Query()] = None, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
        return {"tags": tags, "limit": limit}

    @app.get("/busy")
    def busy() -> dict:
        raise TooManyRequests("Demasiadas. / Too many.", code="rate_limited", details={"retry_after": 42})

    return app


APP = _app()


def _event(method: str, path: str, *, body: str | bytes | None = None, content_type: str = "application/json",
           query: dict[str, str] | None = None, b64: bool = False) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": f"{method} {path}", "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": {"content-type": content_type, "host": "api.example.com"},
        "requestContext": {"http": {"method": method, "path": path, "sourceIp": "198.51.100.1",
                                    "protocol": "HTTP/1.1", "userAgent": "t"},
                           "requestId": "r", "routeKey": f"{method} {path}", "stage": "$default",
                           "domainName": "api.example.com", "accountId": "1", "apiId": "a",
                           "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 0},
        "isBase64Encoded": b64,
    }
    if query:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = base64.b64encode(body).decode() if b64 and isinstance(body, bytes) else body
    return event


def _call(event: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
    result = APP.resolve(event, FakeContext())
    return result["statusCode"], json.loads(result["body"]) if result.get("body") else None, result["headers"]


def _error(status: int, body: Any, expected_status: int, code: str | None = None) -> None:
    assert status == expected_status, body
    assert set(body["error"]) == {"code", "message", "details"}
    spanish, _, english = body["error"]["message"].partition(" / ")
    assert spanish and english
    if code:
        assert body["error"]["code"] == code


@pytest.mark.parametrize(
    ("body", "content_type", "b64", "status", "code"),
    [
        ("name=x", "application/x-www-form-urlencoded", False, 415, "unsupported_media_type"),
        ("<thing/>", "application/xml", False, 415, "unsupported_media_type"),
        ("{not json", "application/json", False, 422, "invalid_json"),
        ("[" * 5000 + "]" * 5000, "application/json", False, 422, None),
        ('{"name": ' + "[" * 40 + "1" + "]" * 40 + "}", "application/json", False, 422, "json_too_deep"),
        (b'{"name": "\xff\xfe"}', "application/json", True, 422, "invalid_encoding"),
        ('{"name": "\\ud800"}', "application/json", False, 422, "invalid_encoding"),
        ('{"name": "x", "pad": "' + "x" * (1024 * 1024) + '"}', "application/json", False, 413, "payload_too_large"),
        ('{"name": null}', "application/json", False, 422, "validation_error"),
        ('{"name": "x", "size": null, "extra": 1}', "application/json", False, 422, "validation_error"),
        ("null", "application/json", False, 422, "validation_error"),
        ('"text"', "application/json", False, 422, "validation_error"),
    ],
)
def test_bad_bodies_are_4xx_in_the_error_shape(body, content_type, b64, status, code):
    got_status, got, _ = _call(_event("POST", "/things", body=body, content_type=content_type, b64=b64))
    _error(got_status, got, status, code)


def test_a_good_body_passes_whatever_the_case_of_its_content_type():
    assert _call(_event("POST", "/things", body='{"name": "x"}'))[:2] == (200, {"name": "x"})
    assert _call(_event("POST", "/things", body='{"name": "x"}', content_type="Application/JSON; Charset=UTF-8"))[
        :2] == (200, {"name": "x"})
    _error(*_call(_event("POST", "/things", body='{"name": "x"}', content_type="application/merge-patch+json"))[:2],
           415)


def test_unknown_query_parameters_are_refused_by_name():
    status, body, _ = _call(_event("GET", "/things", query={"tag": "vip"}))
    _error(status, body, 400, "unknown_query_parameter")
    assert "tag" in body["error"]["message"] and body["error"]["details"][0]["field"] == "tag"
    assert "tags" in body["error"]["details"][0]["allowed"]
    assert _call(_event("GET", "/things", query={"tags": "vip", "limit": "5"}))[:2] == (200, {"tags": "vip", "limit": 5})
    _error(*_call(_event("GET", "/things", query={"limit": "abc"}))[:2], 422)


def test_every_response_carries_the_hardening_headers_and_429_a_retry_after():
    for event in (_event("GET", "/things"), _event("GET", "/nowhere"), _event("POST", "/things", body="{")):
        _, _, headers = _call(event)
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"] == "frame-ancestors 'none'"
        assert headers["Referrer-Policy"]
        assert "Strict-Transport-Security" not in headers  # local stage: served over http
    status, body, headers = _call(_event("GET", "/busy"))
    _error(status, body, 429, "rate_limited")
    assert headers["Retry-After"] == "42"


def test_hsts_outside_the_local_stage(monkeypatch):
    from skailan.platform.settings import get_settings

    monkeypatch.setenv("STAGE", "prod")
    get_settings.cache_clear()
    try:
        assert _call(_event("GET", "/things"))[2]["Strict-Transport-Security"].startswith("max-age=")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_log_records_do_not_carry_the_previous_invocations_keys():
    from skailan.platform.observability import logger

    seen: list[dict[str, Any]] = []

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: Any) -> None:
        if event.get("tenant"):
            logger.append_keys(tenant_id=event["tenant"], principal_id="user-1")
        seen.append(dict(logger.get_current_keys()))

    handler({"tenant": "acme"}, FakeContext())
    handler({}, FakeContext())
    assert seen[0]["tenant_id"] == "acme"
    assert "tenant_id" not in seen[1] and "principal_id" not in seen[1]
    assert seen[1]["function_request_id"] == "req-test"  # this invocation's own context is there


def test_a_patch_model_refuses_nulls_except_for_clearable_fields():
    from pydantic import ValidationError

    from skailan.platform.models import PatchModel

    class ThingPatch(PatchModel):
        nullable = frozenset({"note"})
        name: str | None = None
        note: str | None = None

    assert ThingPatch.model_validate({"note": None}).model_dump(exclude_unset=True) == {"note": None}
    assert ThingPatch.model_validate({}).model_dump(exclude_unset=True) == {}
    with pytest.raises(ValidationError, match="null is not allowed for: name"):
        ThingPatch.model_validate({"name": None})
