"""The WebSocket API's side: who may connect (`$connect` authorizer) and the connections'
lifecycle (`$connect`, `$disconnect`, `$default`).

API Gateway passes the authorizer's `context` on every later event of the connection
(`requestContext.authorizer`), so `$disconnect` and `$default` know the tenant and user without
a lookup. The tenant is the `brand` the verified user is an active member of, never anything else.
"""

from __future__ import annotations

import json
import re
from typing import Any

from skailan.platform.observability import logger
from skailan.realtime import store, tokens

_TENANT = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


class Unauthorized(Exception):
    """Raised with the message "Unauthorized": API Gateway answers 401 to the handshake."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def _policy(principal_id: str, effect: str, resource: str, context: dict[str, str] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "principalId": principal_id,
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
    }
    if context:
        response["context"] = context
    return response


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    """REQUEST authorizer: `?token=<Cognito ID token>&brand=<tenant id>` → Allow with the member's context."""
    query = event.get("queryStringParameters") or {}
    token, brand = query.get("token"), (query.get("brand") or "").strip()
    resource = str(event.get("methodArn") or "*")
    if not token:
        raise Unauthorized()
    try:
        claims = tokens.verify(token)
    except tokens.InvalidToken as err:
        logger.info("websocket connect refused: bad token", reason=str(err))
        raise Unauthorized() from err
    user_id = claims["sub"]
    from skailan.tenancy import member_reads

    member = member_reads.find_member(brand, user_id) if _TENANT.match(brand) else None
    if member is None or member.status != "active":
        logger.info("websocket connect refused: not an active member", tenant_id=brand, principal_id=user_id)
        return _policy(user_id, "Deny", resource)
    return _policy(user_id, "Allow", resource, {"tenant_id": brand, "user_id": user_id, "role": member.role})


def _identity(event: dict[str, Any]) -> tuple[str, str, str]:
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    tenant_id, user_id = authorizer.get("tenant_id"), authorizer.get("user_id") or authorizer.get("principalId")
    connection_id = context.get("connectionId")
    if not tenant_id or not user_id or not connection_id:
        raise ValueError("connection event without the authorizer's context")
    return str(tenant_id), str(user_id), str(connection_id)


def on_event(event: dict[str, Any]) -> dict[str, Any]:
    """`$connect` / `$disconnect` / `$default`, told apart by `requestContext.eventType`."""
    kind = (event.get("requestContext") or {}).get("eventType")
    tenant_id, user_id, connection_id = _identity(event)
    if kind == "CONNECT":
        store.put_connection(tenant_id, connection_id, user_id)
        logger.info("websocket connected", tenant_id=tenant_id, principal_id=user_id, connection_id=connection_id)
        return {"statusCode": 200}
    if kind == "DISCONNECT":
        store.delete_connection(tenant_id, connection_id)
        logger.info("websocket disconnected", tenant_id=tenant_id, principal_id=user_id, connection_id=connection_id)
        return {"statusCode": 200}
    return {"statusCode": 200, "body": json.dumps(_message(event, tenant_id, user_id, connection_id))}


def _message(event: dict[str, Any], tenant_id: str, user_id: str, connection_id: str) -> dict[str, Any]:
    """`{"action": "ping"}` keeps the connection listed (its TTL moves on) and answers a pong."""
    try:
        body = json.loads(event.get("body") or "")
    except ValueError:
        body = None
    action = body.get("action") if isinstance(body, dict) else None
    if action == "ping":
        if not store.touch_connection(tenant_id, connection_id):
            store.put_connection(tenant_id, connection_id, user_id)  # its item expired while it lived
        return {"type": "pong"}
    return {"type": "error", "error": {
        "code": "unknown_action",
        "message": "Acción desconocida: usa {\"action\": \"ping\"}. / Unknown action: use {\"action\": \"ping\"}.",
        "details": {"action": action}}}
