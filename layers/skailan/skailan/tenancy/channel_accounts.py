"""Channel accounts: the brand's WhatsApp numbers, pages, bots, SMS numbers, mailboxes, widgets.

Credentials go to Secrets Manager and are never returned. Each provider-side id (WhatsApp
phone_number_id, page id, …) and each account id is claimed by a route guard item in the same
transaction as the account, so one id can never route to two brands, and a webhook finds its
brand with one GetItem.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from skailan.platform.auth import Caller
from skailan.platform.aws import client
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.ids import new_id
from skailan.platform.settings import get_settings
from skailan.platform.storage import ConditionFailed
from skailan.tenancy.events import build
from skailan.tenancy.models import ChannelAccountIn, ChannelAccountOut, ChannelAccountUpdateIn, Page
from skailan.tenancy.store import channel_accounts as store
from skailan.tenancy.store.items import ChannelAccountItem, RouteGuardItem

# Provider ids each channel needs (and which of them route webhooks), and its credentials.
REQUIRED_EXTERNAL: dict[str, tuple[str, ...]] = {
    "whatsapp": ("phone_number_id", "waba_id", "meta_app_id"),
    "messenger": ("page_id", "meta_app_id"),
    "instagram": ("instagram_account_id", "meta_app_id"),
    "telegram": (),
    "sms": ("phone_number",),
    "email": ("address",),
    "webchat": (),
}
ROUTING_EXTERNAL: dict[str, str] = {
    "whatsapp": "phone_number_id",
    "messenger": "page_id",
    "instagram": "instagram_account_id",
    "sms": "phone_number",
    "email": "address",
}
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "whatsapp": ("access_token",),
    "messenger": ("page_access_token",),
    "instagram": ("page_access_token",),
    "telegram": ("bot_token", "secret_token"),
    "sms": ("account_sid", "auth_token"),
    "email": (),
    "webchat": (),
}


def _out(item: ChannelAccountItem) -> ChannelAccountOut:
    return ChannelAccountOut(id=item.account_id, channel=item.channel, name=item.name, status=item.status,
                             external=item.external or {}, config=item.config or {},
                             has_credentials=bool(item.secret_name), created_at=item.created_at,
                             updated_at=item.updated_at, webhook=item.webhook)


def _validate(data: ChannelAccountIn) -> None:
    problems: list[dict[str, str]] = []
    for key in REQUIRED_EXTERNAL[data.channel]:
        if not data.external.get(key):
            problems.append({"field": f"external.{key}", "error": "required for this channel"})
    for key in REQUIRED_CREDENTIALS[data.channel]:
        if not data.credentials.get(key):
            problems.append({"field": f"credentials.{key}", "error": "required for this channel"})
    if problems:
        raise Unprocessable("Faltan datos del canal. / Channel data is missing.", code="validation_error",
                            details=problems)


def secret_name(tenant_id: str, account_id: str) -> str:
    return f"{get_settings().secrets_prefix}/channels/{tenant_id}/{account_id}"


def create_account(caller: Caller | None, tenant_id: str, data: ChannelAccountIn) -> ChannelAccountOut:
    _validate(data)
    from skailan.platform.media_refs import check_urls_in

    check_urls_in(tenant_id, data.config, field="config")  # e.g. a widget logo: never another brand's file
    account_id = data.id or new_id().lower()
    name = secret_name(tenant_id, account_id) if data.credentials else None
    guards: list[store.Guard] = [("account", account_id)]
    if data.channel in ROUTING_EXTERNAL:
        guards.append((data.channel, data.external[ROUTING_EXTERNAL[data.channel]]))
    # The event goes with the account (the secret is stored after: a provider call, never in a
    # transaction; a failure there leaves an account without credentials, as it always did).
    created = build(tenant_id, "channel_account.created", caller=caller, entity_type="channel_account",
                    entity_id=account_id, data={"channel": data.channel, "name": data.name, "external": data.external})
    try:
        item = store.create_account(tenant_id, account_id, channel=data.channel, name=data.name,
                                    external=data.external, config=data.config, secret_name=name, guards=guards,
                                    events=[created])
    except ConditionFailed as err:
        raise Conflict(
            "Ese canal o identificador ya está conectado. / That channel or id is already connected.",
            code="channel_already_connected",
        ) from err
    if name:
        _store_secret(name, data.credentials)
    return _out(item)


def _store_secret(name: str, credentials: dict[str, str]) -> None:
    from botocore.exceptions import ClientError

    secrets = client("secretsmanager")
    try:
        secrets.create_secret(Name=name, SecretString=json.dumps(credentials))
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceExistsException":
            raise
        secrets.put_secret_value(SecretId=name, SecretString=json.dumps(credentials))


def load_credentials(tenant_id: str, account_id: str) -> dict[str, Any]:
    """For senders and verifiers only; never for an API response."""
    item = _load(tenant_id, account_id)
    if not item.secret_name:
        return {}
    from aws_lambda_powertools.utilities import parameters

    return parameters.get_secret(item.secret_name, transform="json", max_age=300)  # type: ignore[return-value]


def _load(tenant_id: str, account_id: str) -> ChannelAccountItem:
    item = store.find_account(tenant_id, account_id)
    if item is None:
        raise NotFound("Canal no encontrado. / Channel account not found.", code="channel_account_not_found")
    return item


def get_account(tenant_id: str, account_id: str) -> ChannelAccountOut:
    return _out(_load(tenant_id, account_id))


def list_accounts(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[ChannelAccountOut]:
    items, next_cursor = store.list_accounts(tenant_id, cursor=cursor, limit=limit)
    return Page[ChannelAccountOut](items=[_out(i) for i in items], next_cursor=next_cursor)


def set_status(caller: Caller, account_id: str, *, active: bool) -> ChannelAccountOut:
    item = _load(caller.tenant_id, account_id)
    changed = build(caller.tenant_id, "channel_account.enabled" if active else "channel_account.disabled",
                    caller=caller, entity_type="channel_account", entity_id=account_id, data={"channel": item.channel})
    try:
        store.set_status(item, "active" if active else "disabled", events=[changed])
    except ConditionFailed as err:
        raise _changed_meanwhile() from err
    return _out(item)


def _changed_meanwhile() -> Conflict:
    return Conflict("El canal cambió mientras lo editabas; vuelve a intentarlo. / "
                    "The account changed while you edited it; try again.", code="concurrent_update")


def route(kind: str, external_id: str) -> RouteGuardItem | None:
    """Which brand and account a provider id (or account id, kind="account") belongs to."""
    return store.find_route(kind, external_id)


# ---------------------------------------------------------------- connect, edit, delete (API)


# Whether a team serves an account is the conversations context's knowledge (its teams), and
# tenancy sits below it: the Admin function hands the check in (functions/api/admin/app.py).
_team_serves: Callable[[str, str], bool] | None = None


def use_team_check(serves: Callable[[str, str], bool]) -> None:
    """`serves(tenant_id, account_id)`: does any team serve this account?"""
    global _team_serves  # set once at cold start by the function that connects accounts
    _team_serves = serves


def _no_team_warning(tenant_id: str, account_id: str, channel: str) -> list[dict[str, str]]:
    """A new account nobody's team serves: its chats would never be assigned automatically."""
    if _team_serves is None or _team_serves(tenant_id, account_id):
        return []
    return [{"code": "no_team",
             "message": "Ningún equipo atiende este canal: sus conversaciones no se asignarán solas. Agrégalo a un "
                        "equipo (PATCH /v1/teams/{id}). / No team serves this account: its conversations will not be "
                        "assigned automatically. Add it to a team (PATCH /v1/teams/{id})."}]


def connect_account(caller: Caller, data: ChannelAccountIn, *, base_url: str) -> ChannelAccountOut:
    """Create an account from the API: credentials verified with the provider first (a refusal
    saves nothing), then the provider's webhooks pointed at us (its state kept on the account)."""
    from skailan.tenancy import channel_setup

    _validate(data)
    tenant_id = caller.tenant_id
    if data.id and route("account", data.id) is not None:
        raise Conflict("Ese canal o identificador ya está conectado. / That channel or id is already connected.",
                       code="channel_already_connected")
    if data.channel in ROUTING_EXTERNAL and route(data.channel, data.external[ROUTING_EXTERNAL[data.channel]]):
        raise Conflict("Ese canal o identificador ya está conectado. / That channel or id is already connected.",
                       code="channel_already_connected")
    channel_setup.verify_credentials(data.channel, data.external, data.credentials)
    out = create_account(caller, tenant_id, data)
    state = channel_setup.register_webhook(data.channel, out.id, data.external, data.credentials, base_url)
    item = _load(tenant_id, out.id)
    try:
        store.set_webhook(item, state, touch=False)
    except ConditionFailed as err:
        raise _changed_meanwhile() from err
    result = _out(item)
    result.warnings = _no_team_warning(tenant_id, out.id, data.channel)
    return result


def register_webhook(caller: Caller, account_id: str, *, base_url: str) -> ChannelAccountOut:
    """Retry (or redo) the webhook registration of an account."""
    from skailan.tenancy import channel_setup

    item = _load(caller.tenant_id, account_id)
    credentials = load_credentials(caller.tenant_id, account_id) if item.secret_name else {}
    state = channel_setup.register_webhook(item.channel, account_id, item.external or {}, credentials, base_url)
    # The provider call comes before the write: the event goes with the state it recorded.
    registered = build(caller.tenant_id, "channel_account.webhook_registered", caller=caller,
                       entity_type="channel_account", entity_id=account_id, data={"status": state["status"]})
    try:
        store.set_webhook(item, state, touch=True, events=[registered])
    except ConditionFailed as err:
        raise _changed_meanwhile() from err
    return _out(item)


def _refuse(field: str, es: str, en: str) -> Unprocessable:
    return Unprocessable(f"{es} / {en}", code="validation_error", details=[{"field": field, "error": en}])


def update_account(caller: Caller, account_id: str, data: ChannelAccountUpdateIn, *,
                   base_url: str) -> ChannelAccountOut:
    """Edit an account. Rotated credentials are merged with the stored ones, verified with the
    provider before anything is written, and the webhook is registered again with them."""
    from skailan.tenancy import channel_setup

    tenant_id = caller.tenant_id
    item = _load(tenant_id, account_id)
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        if value is None:
            raise _refuse(key, "No puede ser nulo", "cannot be null")
    if ("allowed_origins" in changes or "appearance" in changes) and item.channel != "webchat":
        field = "allowed_origins" if "allowed_origins" in changes else "appearance"
        raise _refuse(field, "Solo para cuentas de chat web", "web-chat accounts only")
    if "messaging_limit" in changes and item.channel != "whatsapp":
        raise _refuse("messaging_limit", "Solo para cuentas de WhatsApp", "WhatsApp accounts only")
    credentials = None
    if "credentials" in changes:
        unknown = sorted(set(changes["credentials"]) - set(REQUIRED_CREDENTIALS[item.channel]))
        if unknown or not REQUIRED_CREDENTIALS[item.channel]:
            raise _refuse(f"credentials.{unknown[0]}" if unknown else "credentials",
                          "Credencial desconocida para este canal", "unknown credential for this channel")
        stored = load_credentials(tenant_id, account_id) if item.secret_name else {}
        credentials = {**stored, **changes["credentials"]}
        missing = [k for k in REQUIRED_CREDENTIALS[item.channel] if not credentials.get(k)]
        if missing:
            raise _refuse(f"credentials.{missing[0]}", "Falta esta credencial", "this credential is missing")
        channel_setup.verify_credentials(item.channel, item.external or {}, credentials)
    config = dict(item.config or {})
    if "allowed_origins" in changes:
        config["allowed_origins"] = list(dict.fromkeys(o.rstrip("/") for o in changes["allowed_origins"]))
    if "appearance" in changes:
        config["appearance"] = {**dict(config.get("appearance") or {}),
                                **data.appearance.model_dump(exclude_none=True)}  # type: ignore[union-attr]
    if "messaging_limit" in changes:
        config["messaging_limit"] = changes["messaging_limit"]
    if credentials is not None:
        name = item.secret_name or secret_name(tenant_id, account_id)
        _store_secret(name, credentials)
        item.secret_name = name
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()  # this container reads the new secret at once
        item.webhook = channel_setup.register_webhook(item.channel, account_id, item.external or {}, credentials,
                                                      base_url)
    if "name" in changes:
        item.name = changes["name"]
    item.config = config
    item.updated_at = iso()
    updated = build(tenant_id, "channel_account.updated", caller=caller, entity_type="channel_account",
                    entity_id=account_id, data={"channel": item.channel, "changed": sorted(changes),  # never secrets
                                                "credentials_rotated": credentials is not None})
    try:
        store.save_account(item, events=[updated])  # version-checked: a concurrent edit fails, not lost
    except ConditionFailed as err:
        raise _changed_meanwhile() from err
    return _out(item)


def delete_account(caller: Caller, account_id: str) -> None:
    """Disconnect an account for good: the account and its route guards go in one transaction
    (its provider ids are free to connect again, new webhook events are dropped) and its
    secret is scheduled for deletion. Its conversations stay readable with their history; open
    ones can still be closed, but replies are refused (409 `channel_unavailable`) and the send
    worker fails any reply still queued (`channel_disabled`)."""
    tenant_id = caller.tenant_id
    item = _load(tenant_id, account_id)
    guards: list[store.Guard] = [("account", account_id)]
    if item.channel in ROUTING_EXTERNAL and (item.external or {}).get(ROUTING_EXTERNAL[item.channel]):
        guards.append((item.channel, item.external[ROUTING_EXTERNAL[item.channel]]))
    # The event goes with the deletion; the secret's scheduled deletion (a provider call) follows.
    deleted = build(tenant_id, "channel_account.deleted", caller=caller, entity_type="channel_account",
                    entity_id=account_id, data={"channel": item.channel, "external": item.external or {}})
    try:
        store.delete_account(item, guards, events=[deleted])
    except ConditionFailed as err:
        raise Conflict("El canal cambió mientras lo eliminabas; vuelve a intentarlo. / "
                       "The account changed while you deleted it; try again.", code="concurrent_update") from err
    if item.secret_name:
        from botocore.exceptions import ClientError

        try:
            client("secretsmanager").delete_secret(SecretId=item.secret_name, RecoveryWindowInDays=7)
        except ClientError as err:  # already gone: nothing to keep
            if err.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
