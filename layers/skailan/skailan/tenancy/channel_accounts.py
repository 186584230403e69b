"""Channel accounts: the brand's WhatsApp numbers, pages, bots, SMS numbers, mailboxes, widgets.

Credentials go to Secrets Manager and are never returned. Each provider-side id (WhatsApp
phone_number_id, page id, …) and each account id is claimed by a route guard item in the same
transaction as the account, so one id can never route to two brands, and a webhook finds its
brand with one GetItem.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.exceptions import TransactWriteError

from skailan.platform.auth import Caller
from skailan.platform.aws import client
from skailan.platform.clock import iso
from skailan.platform.errors import Conflict, NotFound, Unprocessable
from skailan.platform.ids import new_id
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.platform.settings import get_settings
from skailan.platform.storage import transaction
from skailan.tenancy.events import emit
from skailan.tenancy.items import ChannelAccountItem, RouteGuardItem, tenant_pk
from skailan.tenancy.models import ChannelAccountIn, ChannelAccountOut, Page

PREFIX = "CHANNEL#"

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


def guard_pk(kind: str, external_id: str) -> str:
    return f"ROUTE#{kind}#{external_id.lower() if kind == 'email' else external_id}"


def _out(item: ChannelAccountItem) -> ChannelAccountOut:
    return ChannelAccountOut(id=item.account_id, channel=item.channel, name=item.name, status=item.status,
                             external=item.external or {}, config=item.config or {},
                             has_credentials=bool(item.secret_name), created_at=item.created_at)


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
    now = iso()
    name = secret_name(tenant_id, account_id) if data.credentials else None
    item = ChannelAccountItem(
        tenant_pk(tenant_id), PREFIX + account_id, tenant_id=tenant_id, account_id=account_id,
        channel=data.channel, name=data.name, status="active", external=data.external, config=data.config,
        secret_name=name, created_at=now, updated_at=now,
    )
    guards = [guard_pk("account", account_id)]
    if data.channel in ROUTING_EXTERNAL:
        guards.append(guard_pk(data.channel, data.external[ROUTING_EXTERNAL[data.channel]]))
    try:
        with transaction() as tx:
            tx.save(item, condition=ChannelAccountItem.pk.does_not_exist())
            for pk in guards:
                tx.save(RouteGuardItem(pk, "ROUTE", tenant_id=tenant_id, account_id=account_id,
                                       channel=data.channel, created_at=now),
                        condition=RouteGuardItem.pk.does_not_exist())
    except TransactWriteError as err:
        raise Conflict(
            "Ese canal o identificador ya está conectado. / That channel or id is already connected.",
            code="channel_already_connected",
        ) from err
    if name:
        _store_secret(name, data.credentials)
    emit(tenant_id, "channel_account.created", caller=caller, entity_type="channel_account",
         entity_id=account_id, data={"channel": data.channel, "name": data.name, "external": data.external})
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
    try:
        return ChannelAccountItem.get(tenant_pk(tenant_id), PREFIX + account_id)
    except ChannelAccountItem.DoesNotExist as err:
        raise NotFound("Canal no encontrado. / Channel account not found.", code="channel_account_not_found") from err


def get_account(tenant_id: str, account_id: str) -> ChannelAccountOut:
    return _out(_load(tenant_id, account_id))


def list_accounts(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[ChannelAccountOut]:
    pk = tenant_pk(tenant_id)
    results = ChannelAccountItem.query(
        pk, ChannelAccountItem.sk.startswith(PREFIX), limit=clamp_limit(limit),
        last_evaluated_key=decode_cursor(cursor, partition_attr="pk", partition_value=pk),
    )
    return Page[ChannelAccountOut](items=[_out(i) for i in results],
                                   next_cursor=encode_cursor(results.last_evaluated_key))


def set_status(caller: Caller, account_id: str, *, active: bool) -> ChannelAccountOut:
    item = _load(caller.tenant_id, account_id)
    item.update(actions=[ChannelAccountItem.status.set("active" if active else "disabled"),
                         ChannelAccountItem.updated_at.set(iso())])
    emit(caller.tenant_id, "channel_account.enabled" if active else "channel_account.disabled", caller=caller,
         entity_type="channel_account", entity_id=account_id, data={"channel": item.channel})
    return _out(item)


def route(kind: str, external_id: str) -> RouteGuardItem | None:
    """Which brand and account a provider id (or account id, kind="account") belongs to."""
    try:
        return RouteGuardItem.get(guard_pk(kind, external_id), "ROUTE")
    except RouteGuardItem.DoesNotExist:
        return None
