"""Who the caller is and what they may do — the one place every route's check goes through.

The tenant always comes from the verified caller: the JWT `sub` plus a membership item of the
brand named by `X-Tenant-Id` (or the user's only brand), or the API key the authorizer
verified. Never from a body field or an unverified path segment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from skailan.platform.auth import Caller, set_current_caller
from skailan.platform.errors import BadRequest, Forbidden, NotFound, Unauthorized
from skailan.platform.lazy import lazy_module
from skailan.platform.observability import logger
from skailan.tenancy.defaults import SUPER_ADMIN

# Loaded by the first signed-in request: functions with only public routes (forms, webhooks)
# never pay for the membership and role models.
members = lazy_module("skailan.tenancy.members")
roles = lazy_module("skailan.tenancy.roles")
api_keys = lazy_module("skailan.tenancy.api_keys")

TENANT_HEADER = "x-tenant-id"
BRAND_NOT_FOUND = "Marca no encontrada. / Brand not found."


def _header(event: dict[str, Any], name: str) -> str | None:
    headers = event.get("headers") or {}
    return next((v for k, v in headers.items() if k.lower() == name), None)


def resolve_caller(event: dict[str, Any]) -> Caller:
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    if "lambda" in authorizer:
        return _api_key_caller(authorizer["lambda"] or {})
    claims = (authorizer.get("jwt") or {}).get("claims") or {}
    user_id = claims.get("sub")
    if not user_id:
        raise Unauthorized("Falta la identidad del usuario. / Missing user identity.")
    tenant_id = _header(event, TENANT_HEADER)
    if tenant_id:
        member = members.find_member(tenant_id.strip(), user_id)
        if member is None:
            raise NotFound(BRAND_NOT_FOUND, code="brand_not_found")
    else:
        memberships = members.memberships_of(user_id)
        if len(memberships) != 1:
            raise BadRequest(
                "Elige una marca con la cabecera X-Tenant-Id. / Choose a brand with the X-Tenant-Id header.",
                code="tenant_required",
                details={"brands": sorted(m.tenant_id for m in memberships)},
            )
        member = memberships[0]
    if member.status != "active":
        raise Forbidden("Tu usuario está deshabilitado en esta marca. / Your user is disabled in this brand.",
                        code="user_disabled")
    return Caller(
        tenant_id=member.tenant_id, principal_id=user_id, kind="user", email=member.email, name=member.name,
        role=member.role, permissions=roles.role_permissions(member.tenant_id, member.role),
        super_admin=member.role == SUPER_ADMIN,
    )


def _api_key_caller(context: dict[str, Any]) -> Caller:
    tenant_id, key_id = context.get("tenant_id"), context.get("key_id")
    if not tenant_id or not key_id:
        raise Unauthorized("Clave de API no válida. / Invalid API key.")
    # API Gateway caches the authorizer's answer (ReauthorizeEvery): check the key again here,
    # so a revoked key, or one whose creator left or lost permissions, stops at once.
    caller = api_keys.key_caller(str(tenant_id), str(key_id))
    if caller is None:
        raise Unauthorized("Clave de API no válida o revocada. / Invalid or revoked API key.", code="invalid_api_key")
    return caller


Middleware = Callable[[Any, NextMiddleware], Response]


def _run_as(caller: Caller, app: Any, next_middleware: NextMiddleware) -> Response:
    """Run the route as `caller` (`current_caller()`, and on every log line), then forget it: a
    warm container's next request starts with no caller."""
    set_current_caller(caller)
    logger.append_keys(tenant_id=caller.tenant_id, principal_id=caller.principal_id)
    try:
        return next_middleware(app)
    finally:
        set_current_caller(None)


def requires(permission: str, *, api_key: bool = False) -> Middleware:
    """Route middleware: resolve the caller, check `permission`, expose it as `current_caller()`.

    `api_key=True` lets API-key callers in (their key's scopes still apply).
    """

    def middleware(app: Any, next_middleware: NextMiddleware) -> Response:
        caller = resolve_caller(app.current_event.raw_event)
        if caller.kind == "api_key" and not api_key:
            raise Forbidden("Esta ruta no acepta claves de API. / This route does not accept API keys.",
                            code="api_key_not_allowed")
        caller.require(permission)
        return _run_as(caller, app, next_middleware)

    middleware.permission = permission  # type: ignore[attr-defined]  # read by the contract tests
    middleware.api_key = api_key  # type: ignore[attr-defined]  # read by infra/openapi.py (/ext routes)
    return middleware


def authenticated() -> Middleware:
    """For routes any signed-in member may call (e.g. /v1/me): identity, no module permission."""

    def middleware(app: Any, next_middleware: NextMiddleware) -> Response:
        return _run_as(resolve_caller(app.current_event.raw_event), app, next_middleware)

    middleware.permission = "authenticated"  # type: ignore[attr-defined]
    return middleware


def public() -> Middleware:
    """Marks a route deliberately open (sign-in, docs): the contract test accepts it."""

    def middleware(app: Any, next_middleware: NextMiddleware) -> Response:
        return next_middleware(app)

    middleware.permission = "public"  # type: ignore[attr-defined]
    return middleware
