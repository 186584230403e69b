"""The HTTP API resolver every API function uses, and the one error shape.

`{"error": {"code": "...", "message": "...", "details": ...}}` — 4xx for the caller's
mistakes, 500 with no internals otherwise.

Before any route runs, every request body is checked generically: size cap (413), content type
(415: JSON, or form posts where a function accepts them), strict UTF-8 and JSON syntax and depth
(400); query parameters a route does not declare are refused (400 naming them). Every response
carries the hardening headers (`SECURITY_HEADERS`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from skailan.platform.errors import SkailanError
from skailan.platform.ids import ID_MAX_LENGTH, ID_PATTERN
from skailan.platform.observability import logger

# Routes reachable with an API key are mounted under /ext (see template.yaml); the resolver
# strips it so one route definition serves both doors.
API_KEY_PREFIX = "/ext"

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# On every response. Pages that must be embeddable elsewhere (the web-chat widget API) use
# `EMBEDDABLE_HEADERS`; HSTS only where the API is served over https (not the local runtime).
EMBEDDABLE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
SECURITY_HEADERS = {**EMBEDDABLE_HEADERS, "Content-Security-Policy": "frame-ancestors 'none'",
                    "X-Frame-Options": "DENY"}
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

# The route parameters every list and item route declares, one definition for all routers.
_CURSOR_DESCRIPTION = "Opaque cursor from the previous page's next_cursor."
Cursor = Annotated[str | None, Query(description=_CURSOR_DESCRIPTION)]
# The routers of the later contexts (campaigns, automations, lead flow, sales) also cap its length.
CappedCursor = Annotated[str | None, Query(max_length=2000, description=_CURSOR_DESCRIPTION)]
Limit = Annotated[int | None, Query(ge=1, le=100)]
PathId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": {"code": code, "message": message, "details": details}},
    )


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        details.append({"field": ".".join(loc) or "body", "error": err.get("msg", "invalid"), "type": err.get("type")})
    return details


def _error_result(status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The error shape as a Lambda result, for what is refused before the resolver runs."""
    return {"statusCode": status, "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": json.dumps({"error": {"code": code, "message": message, "details": details}}),
            "isBase64Encoded": False}


def _json_problem(value: Any, limit: int) -> str | None:
    """'depth' when nesting passes `limit`; 'encoding' for a string no store can encode (a lone
    surrogate written as `\\ud800`)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return "depth"
            if isinstance(node, dict):
                stack.extend((key, depth) for key in node)
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return "encoding"
    return None


def check_body(event: Mapping[str, Any], *, max_bytes: int, accept_forms: bool = False) -> dict[str, Any] | None:
    """The generic body checks (module doc); None when the body may go on to the route."""
    body = event.get("body")
    if not body:
        return None
    if len(body) > max_bytes * 4 // 3 + 4:
        return _error_result(413, "payload_too_large", "La solicitud es demasiado grande. / The request is too large.",
                             {"max_bytes": max_bytes})
    raw: bytes
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return _error_result(422, "invalid_body", "El cuerpo no es válido. / The body is not valid.")
    else:
        raw = body.encode("utf-8", errors="surrogatepass") if isinstance(body, str) else bytes(body)
    if len(raw) > max_bytes:
        return _error_result(413, "payload_too_large", "La solicitud es demasiado grande. / The request is too large.",
                             {"max_bytes": max_bytes})
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    is_json = media_type in ("", "application/json")
    if not is_json and not (accept_forms and media_type == FORM_CONTENT_TYPE):
        return _error_result(415, "unsupported_media_type",
                             "Envía el cuerpo como JSON (Content-Type: application/json). / "
                             "Send the body as JSON (Content-Type: application/json).",
                             {"content_type": media_type})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _error_result(422, "invalid_encoding", "El cuerpo no es UTF-8 válido. / The body is not valid UTF-8.")
    if not is_json:
        return None
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return _error_result(422, "invalid_json", "El cuerpo no es JSON válido. / The body is not valid JSON.")
    problem = _json_problem(parsed, MAX_JSON_DEPTH)
    if problem == "encoding":
        return _error_result(422, "invalid_encoding", "El cuerpo no es UTF-8 válido. / The body is not valid UTF-8.")
    if problem == "depth":
        return _error_result(422, "json_too_deep",
                             f"El JSON anida más de {MAX_JSON_DEPTH} niveles. / "
                             f"The JSON nests more than {MAX_JSON_DEPTH} levels.", {"max_depth": MAX_JSON_DEPTH})
    return None


def strict_query(app: Any, next_middleware: NextMiddleware) -> Response:
    """A query parameter the route does not declare is a mistake (`?tag=` for `?tags=`): 400 naming it."""
    route = app.context.get("_route")
    dependant = getattr(route, "dependant", None)
    given = app.current_event.query_string_parameters or {}
    if dependant is not None and given:
        declared = {field.alias for field in dependant.query_params}
        unknown = sorted(name for name in given if name not in declared)
        if unknown:
            return error_response(
                400, "unknown_query_parameter",
                f"Parámetro de consulta desconocido: {', '.join(unknown)}. / Unknown query parameter: "
                f"{', '.join(unknown)}.",
                [{"field": name, "error": "unknown_query_parameter", "allowed": sorted(declared)} for name in unknown])
    return next_middleware(app)


def _normalized_content_type(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """`Application/JSON; Charset=UTF-8` is JSON too: Powertools matches the type case-sensitively."""
    headers = event.get("headers") or {}
    for name, value in headers.items():
        if str(name).lower() == "content-type" and str(value) != str(value).lower():
            return {**event, "headers": {**headers, name: str(value).lower()}}
    return event


class SkailanResolver(APIGatewayHttpResolver):
    """Powertools' HTTP API resolver plus the generic request checks and response headers."""

    def __init__(self, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, accept_forms: bool = False,
                 embeddable: bool = False, body_limits: Mapping[str, int] | None = None) -> None:
        super().__init__(enable_validation=True, strip_prefixes=[API_KEY_PREFIX])
        self.max_body_bytes = max_body_bytes
        # Path suffix -> its own cap (an upload route among small-bodied ones).
        self.body_limits = dict(body_limits or {})
        self.accept_forms = accept_forms
        self.response_headers = dict(EMBEDDABLE_HEADERS if embeddable else SECURITY_HEADERS)
        self.use([strict_query])

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        path = str(event.get("rawPath") or "")
        cap = next((limit for suffix, limit in self.body_limits.items() if path.endswith(suffix)), self.max_body_bytes)
        refused = check_body(event, max_bytes=cap, accept_forms=self.accept_forms)
        if refused is None:
            event = _normalized_content_type(event)
        result = refused if refused is not None else super().resolve(event, context)
        return with_security_headers(result, self.response_headers)


def with_security_headers(result: dict[str, Any], headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Add the hardening headers a result lacks (HSTS outside the local runtime)."""
    from skailan.platform.settings import get_settings

    out = dict(result.get("headers") or {})
    present = {name.lower() for name in out}
    wanted = dict(headers if headers is not None else SECURITY_HEADERS)
    if not get_settings().is_local:
        wanted[HSTS[0]] = HSTS[1]
    for name, value in wanted.items():
        if name.lower() not in present:
            out[name] = value
    result["headers"] = out
    return result


def create_resolver(*, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, accept_forms: bool = False,
                    embeddable: bool = False, body_limits: Mapping[str, int] | None = None) -> APIGatewayHttpResolver:
    app = SkailanResolver(max_body_bytes=max_body_bytes, accept_forms=accept_forms, embeddable=embeddable,
                          body_limits=body_limits)

    @app.exception_handler(SkailanError)
    def _domain_error(err: SkailanError) -> Response:
        if err.status >= 500:
            logger.exception("domain error", code=err.code)
        response = error_response(err.status, err.code, err.message, err.details)
        if err.status == 429 and isinstance(err.details, dict) and err.details.get("retry_after"):
            response.headers["Retry-After"] = str(int(err.details["retry_after"]))
        return response

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported(err: RequestUnsupportedContentType) -> Response:
        return error_response(415, "unsupported_media_type",
                              "Envía el cuerpo como JSON (Content-Type: application/json). / "
                              "Send the body as JSON (Content-Type: application/json).")

    @app.exception_handler(RequestValidationError)
    def _invalid_request(err: RequestValidationError) -> Response:
        return error_response(
            422,
            "validation_error",
            "La solicitud no es válida. / The request is not valid.",
            _validation_details(list(err.errors())),
        )

    @app.not_found
    def _not_found(_: NotFoundError) -> Response:
        return error_response(404, "route_not_found", "Ruta no encontrada. / Route not found.")

    @app.exception_handler(Exception)
    def _unexpected(err: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response(500, "internal_error", "Error interno. / Internal error.")

    return app
