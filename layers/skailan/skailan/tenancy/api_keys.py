"""API keys for server-to-server calls: shown once, stored hashed, scoped, revocable.

Format `skl.<tenant>.<key id>.<secret>`: the authorizer finds the item with one GetItem and
compares hashes in constant time. The secret has 256 bits of entropy, so SHA-256 suffices.

A key never does more than its creator can do *now*: every use (the authorizer, and again the
function behind it, since API Gateway caches authorizer answers) reads the creator's membership,
and the key's scopes are cut to what the creator's current role grants. A creator removed from
the brand or disabled takes their keys with them (removal also marks them revoked).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from datetime import timedelta

from skailan.platform.auth import Caller
from skailan.platform.clock import iso, parse_iso, utcnow
from skailan.platform.errors import Forbidden, NotFound
from skailan.platform.ids import new_id
from skailan.platform.storage import ConditionFailed
from skailan.tenancy.events import build
from skailan.tenancy.models import ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut, Page
from skailan.tenancy.store import api_keys as store
from skailan.tenancy.store.items import ApiKeyItem

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
    beyond = caller.lacks(data.permissions)
    if beyond:
        raise Forbidden("No puedes otorgar permisos que no tienes. / You cannot grant permissions you lack.",
                        code="permission_escalation", details={"permissions": beyond})
    key_id = new_id()
    secret = secrets.token_urlsafe(32)
    raw = f"{KEY_SCHEME}.{caller.tenant_id}.{key_id}.{secret}"
    created = build(caller.tenant_id, "api_key.created", caller=caller, entity_type="api_key", entity_id=key_id,
                    data={"name": data.name, "permissions": data.permissions})
    item = store.create_key(caller.tenant_id, key_id, name=data.name, secret_hash=_hash(secret),
                            hint=f"{KEY_SCHEME}.…{secret[-4:]}", permissions=set(data.permissions),
                            created_by=caller.principal_id, events=[created])
    return ApiKeyCreatedOut(**_out(item).model_dump(), secret=raw)


def list_keys(tenant_id: str, *, cursor: str | None, limit: int | None) -> Page[ApiKeyOut]:
    items, next_cursor = store.list_keys(tenant_id, cursor=cursor, limit=limit)
    return Page[ApiKeyOut](items=[_out(i) for i in items], next_cursor=next_cursor)


def revoke_key(caller: Caller, key_id: str) -> ApiKeyOut:
    item = store.find_key(caller.tenant_id, key_id)
    if item is None:
        raise NotFound("Clave de API no encontrada. / API key not found.", code="api_key_not_found")
    if item.revoked_at is None:
        try:
            store.mark_revoked(item, iso(), events=[build(caller.tenant_id, "api_key.revoked", caller=caller,
                                                          entity_type="api_key", entity_id=key_id,
                                                          data={"name": item.name})])
        except ConditionFailed:  # revoked meanwhile: the same answer, its one event written then
            item = store.find_key(caller.tenant_id, key_id) or item
    return _out(item)


def live_keys_of(tenant_id: str, user_id: str) -> list[ApiKeyItem]:
    """The live keys `user_id` created in the brand (what removing them revokes)."""
    return list(store.live_keys_created_by(tenant_id, user_id))


def revoke_keys(caller: Caller, items: list[ApiKeyItem]) -> int:
    """Revoke keys whose creator was removed, each with its event; returns how many."""
    now = iso()
    revoked = 0
    for item in items:
        with contextlib.suppress(ConditionFailed):  # revoked meanwhile: its event was written then
            store.mark_revoked(item, now, events=[build(caller.tenant_id, "api_key.revoked", caller=caller,
                                                        entity_type="api_key", entity_id=item.key_id,
                                                        data={"name": item.name, "reason": "creator_removed"})])
            revoked += 1
    return revoked



def effective_permissions(item: ApiKeyItem) -> frozenset[str] | None:
    """The key's scopes its creator still holds, or None when the key may not be used at all."""
    if item.revoked_at is not None:
        return None
    scopes = frozenset(item.permissions or ())
    if item.created_by is None:  # made by the platform itself (seeding): its scopes stand
        return scopes
    from skailan.tenancy import member_reads, roles

    creator = member_reads.find_member(item.tenant_id, item.created_by)
    if creator is None or creator.status != "active":
        return None
    held = roles.role_permissions(item.tenant_id, creator.role)
    probe = Caller(tenant_id=item.tenant_id, principal_id=item.created_by, kind="user", permissions=held)
    return frozenset(p for p in scopes if probe.can(p))


def key_caller(tenant_id: str, key_id: str) -> Caller | None:
    """The caller a key id stands for right now (the function's own check behind the authorizer)."""
    item = store.find_key(tenant_id, key_id)
    if item is None:
        return None
    permissions = effective_permissions(item)
    if permissions is None:
        return None
    return Caller(tenant_id=tenant_id, principal_id=key_id, kind="api_key", permissions=permissions, name=item.name)


def authenticate(raw_key: str) -> Caller | None:
    """The caller a presented key stands for, or None (unknown, wrong secret, revoked, or its
    creator gone or disabled)."""
    parts = raw_key.strip().split(".")
    if len(parts) != 4 or parts[0] != KEY_SCHEME:
        return None
    _, tenant_id, key_id, secret = parts
    item = store.find_key(tenant_id, key_id)
    if item is None:
        return None
    if item.revoked_at is not None or not hmac.compare_digest(item.secret_hash, _hash(secret)):
        return None
    permissions = effective_permissions(item)
    if permissions is None:
        return None
    now = utcnow()
    if item.last_used_at is None or parse_iso(item.last_used_at) < now - LAST_USED_RESOLUTION:
        store.mark_used(item, iso(now))
    return Caller(tenant_id=tenant_id, principal_id=key_id, kind="api_key", permissions=permissions, name=item.name)
