"""The webhook functions' resolver: light (no request validation machinery), the platform's
error shape, and the raw request bytes signatures are computed over."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from skailan.platform.errors import Retryable, SkailanError
from skailan.platform.observability import logger


def _error(status: int, code: str, message: str, details: Any = None) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body={"error": {"code": code, "message": message, "details": details}})


def signed_by_provider() -> Callable[[Any, NextMiddleware], Response]:
    """Marks a webhook route: open at the gateway, authenticated in code by the provider's
    signature (the contract test reads `permission`, as for `tenancy.access.public`)."""

    def middleware(app: Any, next_middleware: NextMiddleware) -> Response:
        return next_middleware(app)

    middleware.permission = "public"  # type: ignore[attr-defined]
    return middleware


def create_webhook_resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver()

    @app.exception_handler(SkailanError)
    def _domain_error(err: SkailanError) -> Response:
        if err.status in (401, 403):
            logger.warning("webhook refused", code=err.code, reason=err.message)
        elif err.status >= 500:
            logger.exception("webhook failed", code=err.code)
        return _error(err.status, err.code, err.message, err.details if err.status < 500 else None)

    @app.exception_handler(Retryable)
    def _retry_later(err: Retryable) -> Response:
        # The provider retries a 5xx: nothing was lost.
        logger.warning("webhook could not enqueue", reason=str(err))
        return _error(503, "try_again", "Inténtalo de nuevo. / Try again.")

    @app.not_found
    def _not_found(_: NotFoundError) -> Response:
        return _error(404, "route_not_found", "Ruta no encontrada. / Route not found.")

    @app.exception_handler(Exception)
    def _unexpected(err: Exception) -> Response:
        logger.exception("webhook error")
        return _error(500, "internal_error", "Error interno. / Internal error.")

    return app


def raw_body(event: dict[str, Any]) -> bytes:
    """The body exactly as the provider sent it (HTTP APIs base64 non-text bodies)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8")


def header(event: dict[str, Any], name: str) -> str | None:
    name = name.lower()
    return next((v for k, v in (event.get("headers") or {}).items() if k.lower() == name), None)


def ok(body: Any, *, status: int = 200) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)
