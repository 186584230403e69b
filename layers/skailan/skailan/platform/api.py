"""The HTTP API resolver every API function uses, and the one error shape.

`{"error": {"code": "...", "message": "...", "details": ...}}` — 4xx for the caller's
mistakes, 500 with no internals otherwise.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from skailan.platform.errors import SkailanError
from skailan.platform.observability import logger

# Routes reachable with an API key are mounted under /ext (see template.yaml); the resolver
# strips it so one route definition serves both doors.
API_KEY_PREFIX = "/ext"


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


def create_resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, strip_prefixes=[API_KEY_PREFIX])

    @app.exception_handler(SkailanError)
    def _domain_error(err: SkailanError) -> Response:
        if err.status >= 500:
            logger.exception("domain error", code=err.code)
        return error_response(err.status, err.code, err.message, err.details)

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
