"""API keys for server-to-server calls: shown once, stored hashed, scoped, revocable.

Format `skl.<tenant>.<key id>.<secret>`: the authorizer finds the item with one GetItem and
compares hashes in constant time. The secret has 256 bits of entropy, so SHA-256 suffices.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import Forbidden, NotFound
from skailan.platform.ids import new_id
from skailan.platform.pagination import clamp_limit, decode_cursor, encode_cursor
from skailan.tenancy.events import emit
from skailan.tenancy.items import ApiKeyItem, tenant_pk
from skailan.tenancy.models import ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut, Page

PREFIX = "APIKEY#"
KEY_SCHEME = "skl"
# Recording "last used" on every call would double the writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _out(item: ApiKeyItem) -> ApiKeyOut:
    return ApiKeyOut(id=item.key_id, name=item.name, hint=item.hint, permissions=sorted(item.permissions or ()),
                     created_at=item.created_at, last_used_at=item.last_used_at, revoked_at=item.revoked_at)


def create_key(caller: Caller, data: ApiKeyIn) -> ApiKeyCreatedOut:
    # A key cannot do more than the person who made it.
    beyond = [p for p in data.permissions if not caller.can(p)]
    if beyond:
        raise Forbidden("No puedes otorgar permisos que no tienes. / You cannot grant permissions you lack.",
                        code="permission_escalation", details={"permissions": beyond})
    key_id = new_id()
    secret = secrets.token_urlsafe(32)
    raw = f"{KEY_SCHEME}.{caller.tenant_id}.{key_id}.{secret}"
    item = ApiKeyItem(
        tenant_pk(caller.tenant_id), PREFIX + key_id, tenant_id=caller.tenant_id, key_id=key_id, name=data.name,
        secret_hash=_hash(secret), hint=f"{KEY_SCHEME}.…{secret[-4:]}", permissions=set(data.permissions),
        created_by=caller.principal_id, created_at=iso(), updated_at=iso(),
    )
    item.save(condition=ApiKeyItem.pk.does_not_exist())
    emit(caller.tenant_id, "api_key.created", caller=caller, entity_type="api_key", entity_id=key_id,
         data={"name": data.name, "permissions": data.permissions})
    return ApiKeyCreatedOut(**_out(item).model_dump(), secret=raw)


def list_keys(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[ApiKeyOut]:
    pk = tenant_pk(tenant_id)
    results = ApiKeyItem.query(pk, ApiKeyItem.sk.startswith(PREFIX), limit=clamp_limit(limit),
                               last_evaluated_key=decode_cursor(cursor, partition_attr="pk", partition_value=pk))
    return Page[ApiKeyOut](items=[_out(i) for i in results], next_cursor=encode_cursor(results.last_evaluated_key))


def revoke_key(caller: Caller, key_id: str) -> ApiKeyOut:
    try:
        item = ApiKeyItem.get(tenant_pk(caller.tenant_id), PREFIX + key_id)
    except ApiKeyItem.DoesNotExist as err:
        raise NotFound("Clave de API no encontrada. / API key not found.", code="api_key_not_found") from err
    if item.revoked_at is None:
        item.update(actions=[ApiKeyItem.revoked_at.set(iso())])
        emit(caller.tenant_id, "api_key.revoked", caller=caller, entity_type="api_key", entity_id=key_id,
             data={"name": item.name})
    return _out(item)


def authenticate(raw_key: str) -> Caller | None:
    """The caller a presented key stands for, or None (unknown, wrong secret or revoked)."""
    parts = raw_key.strip().split(".")
    if len(parts) != 4 or parts[0] != KEY_SCHEME:
        return None
    _, tenant_id, key_id, secret = parts
    try:
        item = ApiKeyItem.get(tenant_pk(tenant_id), PREFIX + key_id)
    except ApiKeyItem.DoesNotExist:
        return None
    if item.revoked_at is not None or not hmac.compare_digest(item.secret_hash, _hash(secret)):
        return None
    now = utcnow()
    if item.last_used_at is None or parse_iso(item.last_used_at) < now - LAST_USED_RESOLUTION:
        item.update(actions=[ApiKeyItem.last_used_at.set(iso(now))])
    return Caller(tenant_id=tenant_id, principal_id=key_id, kind="api_key",
                  permissions=frozenset(item.permissions or ()), name=item.name)
