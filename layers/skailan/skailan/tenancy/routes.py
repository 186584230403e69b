"""Administration routes (`/v1/admin/...`): one Router per resource, thin over the services."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from skailan.platform.api import Cursor, Limit
from skailan.platform.auth import current_caller
from skailan.tenancy import api_keys, audit, brands, channel_accounts, close_reasons, members, roles
from skailan.tenancy.access import requires
from skailan.tenancy.models import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    AuditEntryOut,
    BrandOut,
    BrandSettingsIn,
    ChannelAccountIn,
    ChannelAccountOut,
    ChannelAccountUpdateIn,
    CloseReasonIn,
    CloseReasonOut,
    CloseReasonUpdateIn,
    InviteUserIn,
    Page,
    RoleIn,
    RoleOut,
    RoleUpdateIn,
    UpdateUserIn,
    UserOut,
)

# ---------------------------------------------------------------- brand
brand_router = Router()


@brand_router.get("/brand", middlewares=[requires("admin:view", api_key=True)], tags=["admin"])
def get_brand() -> BrandOut:
    return brands.get_brand(current_caller().tenant_id)


@brand_router.patch("/brand", middlewares=[requires("admin:manage")], tags=["admin"])
def update_brand(body: BrandSettingsIn) -> BrandOut:
    return brands.update_brand(current_caller(), body)


# ---------------------------------------------------------------- users
users_router = Router()


@users_router.get("/users", middlewares=[requires("admin:view")], tags=["admin"])
def list_users(cursor: Cursor = None, limit: Limit = None) -> Page[UserOut]:
    return members.list_members(current_caller().tenant_id, cursor=cursor, limit=limit)


@users_router.post("/users", middlewares=[requires("admin:manage")], status_code=201, tags=["admin"])
def invite_user(body: InviteUserIn) -> UserOut:
    user, _token = members.invite(current_caller(), body)  # the token travels only by e-mail
    return user


@users_router.get("/users/<user_id>", middlewares=[requires("admin:view")], tags=["admin"])
def get_user(user_id: str) -> UserOut:
    return members.get_user(current_caller().tenant_id, user_id)


@users_router.patch("/users/<user_id>", middlewares=[requires("admin:manage")], tags=["admin"])
def update_user(user_id: str, body: UpdateUserIn) -> UserOut:
    return members.update_member(current_caller(), user_id, body)


@users_router.post("/users/<user_id>/disable", middlewares=[requires("admin:manage")], tags=["admin"])
def disable_user(user_id: str) -> UserOut:
    return members.set_status(current_caller(), user_id, enabled=False)


@users_router.post("/users/<user_id>/enable", middlewares=[requires("admin:manage")], tags=["admin"])
def enable_user(user_id: str) -> UserOut:
    return members.set_status(current_caller(), user_id, enabled=True)


@users_router.delete("/users/<user_id>", middlewares=[requires("admin:manage")], status_code=204, tags=["admin"])
def delete_user(user_id: str) -> None:
    members.delete_member(current_caller(), user_id)


# ---------------------------------------------------------------- roles
roles_router = Router()


@roles_router.get("/roles", middlewares=[requires("admin:view")], tags=["admin"])
def list_roles() -> Page[RoleOut]:
    return Page[RoleOut](items=roles.list_roles(current_caller().tenant_id))


@roles_router.post("/roles", middlewares=[requires("admin:manage")], status_code=201, tags=["admin"])
def create_role(body: RoleIn) -> RoleOut:
    return roles.create_role(current_caller(), body)


@roles_router.get("/roles/<key>", middlewares=[requires("admin:view")], tags=["admin"])
def get_role(key: str) -> RoleOut:
    return roles.get_role(current_caller().tenant_id, key)


@roles_router.patch("/roles/<key>", middlewares=[requires("admin:manage")], tags=["admin"])
def update_role(key: str, body: RoleUpdateIn) -> RoleOut:
    return roles.update_role(current_caller(), key, body)


@roles_router.delete("/roles/<key>", middlewares=[requires("admin:manage")], status_code=204, tags=["admin"])
def delete_role(key: str) -> None:
    roles.delete_role(current_caller(), key)


# ---------------------------------------------------------------- API keys
keys_router = Router()


@keys_router.get("/api-keys", middlewares=[requires("admin:manage")], tags=["admin"])
def list_api_keys(cursor: Cursor = None, limit: Limit = None) -> Page[ApiKeyOut]:
    return api_keys.list_keys(current_caller().tenant_id, cursor=cursor, limit=limit)


@keys_router.post("/api-keys", middlewares=[requires("admin:manage")], status_code=201, tags=["admin"])
def create_api_key(body: ApiKeyIn) -> ApiKeyCreatedOut:
    return api_keys.create_key(current_caller(), body)


@keys_router.post("/api-keys/<key_id>/revoke", middlewares=[requires("admin:manage")], tags=["admin"])
def revoke_api_key(key_id: str) -> ApiKeyOut:
    return api_keys.revoke_key(current_caller(), key_id)


# ---------------------------------------------------------------- channel accounts
channels_router = Router()


@channels_router.get("/channel-accounts", middlewares=[requires("admin:view")], tags=["admin"])
def list_channel_accounts(cursor: Cursor = None, limit: Limit = None) -> Page[ChannelAccountOut]:
    return channel_accounts.list_accounts(current_caller().tenant_id, cursor=cursor, limit=limit)


def _public_base_url() -> str:
    """Where providers reach our webhooks: `PublicApiUrl` when set, else this request's own
    scheme and host (as the Twilio handler rebuilds its signed URL)."""
    from skailan.platform.settings import get_settings

    configured = get_settings().public_api_url
    if configured:
        return configured.rstrip("/")
    headers = channels_router.current_event.headers or {}
    host = headers.get("host") or headers.get("Host") or ""
    proto = headers.get("x-forwarded-proto") or ("http" if host.startswith(("127.0.0.1", "localhost")) else "https")
    return f"{proto}://{host}"


@channels_router.post("/channel-accounts", middlewares=[requires("admin:manage")], status_code=201, tags=["admin"])
def create_channel_account(body: ChannelAccountIn) -> ChannelAccountOut:
    """Connect an account: credentials verified with the provider (422 `credentials_invalid`,
    502 `provider_unavailable`: nothing saved), then its webhooks registered (`webhook` state);
    `warnings` says when no team serves it."""
    return channel_accounts.connect_account(current_caller(), body, base_url=_public_base_url())


@channels_router.get("/channel-accounts/<account_id>", middlewares=[requires("admin:view")], tags=["admin"])
def get_channel_account(account_id: str) -> ChannelAccountOut:
    return channel_accounts.get_account(current_caller().tenant_id, account_id)


@channels_router.put("/channel-accounts/<account_id>", middlewares=[requires("admin:manage")], tags=["admin"])
def update_channel_account(account_id: str, body: ChannelAccountUpdateIn) -> ChannelAccountOut:
    """Edit: name, rotated credentials (verified with the provider, webhook registered again),
    web-chat allowed origins and appearance, WhatsApp messaging limit."""
    return channel_accounts.update_account(current_caller(), account_id, body, base_url=_public_base_url())


@channels_router.delete("/channel-accounts/<account_id>", middlewares=[requires("admin:manage")], status_code=204,
                        tags=["admin"])
def delete_channel_account(account_id: str) -> None:
    """Disconnect for good: provider ids freed, new events dropped; its conversations stay
    readable and closable, replies on them are refused (409 `channel_unavailable`)."""
    channel_accounts.delete_account(current_caller(), account_id)


@channels_router.post("/channel-accounts/<account_id>/webhook", middlewares=[requires("admin:manage")],
                      tags=["admin"])
def register_channel_webhook(account_id: str) -> ChannelAccountOut:
    """Register the account's webhook with the provider again (after a failure, a new URL…)."""
    return channel_accounts.register_webhook(current_caller(), account_id, base_url=_public_base_url())


@channels_router.post("/channel-accounts/<account_id>/disable", middlewares=[requires("admin:manage")],
                      tags=["admin"])
def disable_channel_account(account_id: str) -> ChannelAccountOut:
    return channel_accounts.set_status(current_caller(), account_id, active=False)


@channels_router.post("/channel-accounts/<account_id>/enable", middlewares=[requires("admin:manage")],
                      tags=["admin"])
def enable_channel_account(account_id: str) -> ChannelAccountOut:
    return channel_accounts.set_status(current_caller(), account_id, active=True)


# ---------------------------------------------------------------- close reasons
reasons_router = Router()


# Agents need the list to close conversations, so reading it is a conversations permission.
@reasons_router.get("/close-reasons", middlewares=[requires("conversations:view", api_key=True)], tags=["admin"])
def list_close_reasons(include_inactive: Annotated[bool, Query()] = False) -> Page[CloseReasonOut]:
    return Page[CloseReasonOut](items=close_reasons.list_reasons(current_caller().tenant_id,
                                                                 include_inactive=include_inactive))


@reasons_router.post("/close-reasons", middlewares=[requires("admin:manage")], status_code=201, tags=["admin"])
def create_close_reason(body: CloseReasonIn) -> CloseReasonOut:
    return close_reasons.create_reason(current_caller(), body)


@reasons_router.patch("/close-reasons/<reason_id>", middlewares=[requires("admin:manage")], tags=["admin"])
def update_close_reason(reason_id: str, body: CloseReasonUpdateIn) -> CloseReasonOut:
    return close_reasons.update_reason(current_caller(), reason_id, body)


@reasons_router.delete("/close-reasons/<reason_id>", middlewares=[requires("admin:manage")], status_code=204,
                       tags=["admin"])
def delete_close_reason(reason_id: str) -> None:
    close_reasons.delete_reason(current_caller(), reason_id)


# ---------------------------------------------------------------- audit log
audit_router = Router()


@audit_router.get("/audit-log", middlewares=[requires("admin:view")], tags=["admin"])
def list_audit_log(
    user_id: Annotated[str | None, Query(max_length=64)] = None,
    entity_type: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    date_from: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}")] = None,
    date_to: Annotated[str | None, Query(alias="to", pattern=r"^\d{4}-\d{2}-\d{2}")] = None,
    cursor: Cursor = None,
    limit: Limit = None,
) -> Page[AuditEntryOut]:
    return audit.list_entries(current_caller().tenant_id, user_id=user_id, entity_type=entity_type,
                              entity_id=entity_id, date_from=date_from, date_to=date_to, cursor=cursor, limit=limit)


ROUTERS = (brand_router, users_router, roles_router, keys_router, channels_router, reasons_router, audit_router)
