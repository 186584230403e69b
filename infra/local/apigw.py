"""API Gateway HTTP API wire formats: the payload 2.0 request event, the Lambda authorizer
2.0 REQUEST event, and how a Lambda result becomes an HTTP response.

References: "Create AWS Lambda proxy integrations for HTTP APIs" (payload format 2.0, response
format 2.0) and "Lambda authorizers for HTTP APIs" in the API Gateway developer guide.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

# HTTP APIs pass these bodies as text; everything else (including a missing Content-Type and
# application/x-www-form-urlencoded) arrives base64-encoded with isBase64Encoded = true.
_TEXT_MEDIA_TYPES = ("application/json", "application/xml", "application/javascript")


def is_text_media_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type in _TEXT_MEDIA_TYPES


@dataclass
class IncomingRequest:
    """What the gateway read off the socket, before any API Gateway processing."""

    method: str
    raw_path: str  # as sent, percent-encoding kept
    raw_query: str
    headers: list[tuple[str, str]]  # as received; names in any case
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"
    port: int = 3000
    time_epoch_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    request_id: str = field(default_factory=lambda: secrets.token_urlsafe(10) + "=")

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ",".join(values) if values else None


def _headers(request: IncomingRequest) -> tuple[dict[str, str], list[str]]:
    """Lower-cased headers, duplicates comma-joined; cookies moved to their own list."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        name = name.lower()
        if name == "cookie":
            cookies += [cookie.strip() for cookie in value.split(";") if cookie.strip()]
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    # Headers API Gateway adds on its way in.
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-port", str(request.port))
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}")
    return headers, cookies


def _query_parameters(raw_query: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        parameters[name] = f"{parameters[name]},{value}" if name in parameters else value
    return parameters


def _request_context(
    request: IncomingRequest,
    headers: dict[str, str],
    route_key: str,
    api_id: str,
    account_id: str,
    stage: str,
) -> dict[str, Any]:
    host = headers.get("host", f"127.0.0.1:{request.port}")
    when = datetime.fromtimestamp(request.time_epoch_ms / 1000, UTC)
    return {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0].split(":", 1)[0],
        "http": {
            "method": request.method.upper(),
            "path": request.raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request.request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": when.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": request.time_epoch_ms,
    }


def build_http_event(
    request: IncomingRequest,
    *,
    route_key: str,
    path_parameters: dict[str, str],
    api_id: str,
    account_id: str,
    authorizer: dict[str, Any] | None = None,
    stage: str = "$default",
) -> dict[str, Any]:
    """The payload format 2.0 event; optional keys are left out when empty, as API Gateway does."""
    headers, cookies = _headers(request)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = _query_parameters(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    context = _request_context(request, headers, route_key, api_id, account_id, stage)
    if authorizer is not None:
        context["authorizer"] = authorizer
    event["requestContext"] = context
    if request.body:
        text = _utf8(request.body) if is_text_media_type(headers.get("content-type")) else None
        if text is not None:
            event["body"] = text
            event["isBase64Encoded"] = False
        else:  # binary, or a "text" body that is not UTF-8: passed on untouched, base64-encoded
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    if path_parameters:
        event["pathParameters"] = path_parameters
    return event


def build_authorizer_event(
    request: IncomingRequest,
    *,
    route_key: str,
    route_arn: str,
    identity_source: list[str] | None,
    path_parameters: dict[str, str],
    api_id: str,
    account_id: str,
    stage: str = "$default",
) -> dict[str, Any]:
    """The Lambda authorizer payload format 2.0 REQUEST event (the request event without a body)."""
    headers, cookies = _headers(request)
    event: dict[str, Any] = {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": route_arn,
        "identitySource": identity_source,
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = _query_parameters(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = _request_context(request, headers, route_key, api_id, account_id, stage)
    if path_parameters:
        event["pathParameters"] = path_parameters
    return event


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def route_arn(region: str, account_id: str, api_id: str, stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{method.upper()}{path}"


# --------------------------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------------------------


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class InvalidLambdaResponse(ValueError):
    """A result API Gateway would answer with 500 (e.g. a non-string body)."""


def json_response(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> HttpResponse:
    return HttpResponse(
        status, [("content-type", "application/json"), *(headers or [])], json.dumps(body).encode()
    )


def response_from_result(result: Any) -> HttpResponse:
    """Map a Lambda result with the payload 2.0 rules.

    A dict with `statusCode` is taken as a response; anything else is the body of a 200 JSON
    response (a string is used as is, other values are serialized).
    """
    if not (isinstance(result, dict) and "statusCode" in result):
        body = result if isinstance(result, str) else json.dumps(result)
        return HttpResponse(200, [("content-type", "application/json")], body.encode())

    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError) as error:
        raise InvalidLambdaResponse(f"statusCode {result['statusCode']!r} is not a number") from error
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        if isinstance(value, (dict, list)):
            raise InvalidLambdaResponse(f"header {name} has a non-scalar value")
        headers.append((str(name), _header_value(value)))
    for cookie in result.get("cookies") or []:
        headers.append(("set-cookie", str(cookie)))
    raw_body = result.get("body")
    if raw_body is None:
        payload = b""
    elif not isinstance(raw_body, str):
        raise InvalidLambdaResponse(f"body must be a string, got {type(raw_body).__name__}")
    elif result.get("isBase64Encoded"):
        try:
            payload = base64.b64decode(raw_body, validate=True)
        except ValueError as error:
            raise InvalidLambdaResponse("isBase64Encoded is true but the body is not base64") from error
    else:
        payload = raw_body.encode("utf-8")
    return HttpResponse(status, headers, payload)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def gateway_error(code: str, message: str) -> dict[str, Any]:
    """The gateway's own errors in the API's one error shape, Spanish first (the local runtime
    answers this way; in AWS an HTTP API cannot reshape them: docs/operations.md)."""
    return {"error": {"code": code, "message": message, "details": None}}


UNAUTHORIZED = gateway_error("unauthorized", "No autorizado: inicia sesión. / Unauthorized: sign in.")
FORBIDDEN = gateway_error("forbidden", "Acceso denegado. / Forbidden.")
NOT_FOUND = gateway_error("route_not_found", "Ruta no encontrada. / Route not found.")
INTERNAL_ERROR = gateway_error("internal_error", "Error interno. / Internal error.")
PAYLOAD_TOO_LARGE = gateway_error("payload_too_large", "La solicitud es demasiado grande. / The request is too large.")
TOO_MANY_REQUESTS = gateway_error("too_many_requests",
                                  "Demasiadas solicitudes; inténtalo más tarde. / Too many requests; try again later.")
# An HTTP API refuses request bodies over 10 MB.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
