"""API keys: the key items (the secret stored hashed) and the few writes a key takes, each
with its events in the same transaction (`events=`: the outbox)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import conditional, find_item, query_page
from skailan.tenancy.store.items import API_KEY_PREFIX, ApiKeyItem, api_key_sk, events_table, tenant_pk


def create_key(tenant_id: str, key_id: str, *, name: str, secret_hash: str, hint: str, permissions: set[str],
               created_by: str | None, events: Sequence[DomainEvent] = ()) -> ApiKeyItem:
    """Save a new key; `ConditionFailed` if the id were taken."""
    now = iso()
    item = ApiKeyItem(
        tenant_pk(tenant_id), api_key_sk(key_id), tenant_id=tenant_id, key_id=key_id, name=name,
        secret_hash=secret_hash, hint=hint, permissions=permissions, created_by=created_by, created_at=now,
        updated_at=now,
    )
    with conditional():
        outbox.put_with(item, events, events_table(), condition=ApiKeyItem.pk.does_not_exist())
    return item


def find_key(tenant_id: str, key_id: str) -> ApiKeyItem | None:
    return find_item(ApiKeyItem, tenant_pk(tenant_id), api_key_sk(key_id))


def list_keys(tenant_id: str, *, cursor: str | None, limit: int | None) -> tuple[list[ApiKeyItem], str | None]:
    """One page of the brand's keys (revoked ones included), and the next cursor."""
    return query_page(ApiKeyItem, tenant_pk(tenant_id), API_KEY_PREFIX, cursor=cursor, limit=limit)


def live_keys_created_by(tenant_id: str, user_id: str) -> Iterator[ApiKeyItem]:
    """The brand's unrevoked keys `user_id` created (one Query over the brand's keys, filtered)."""
    return iter(ApiKeyItem.query(tenant_pk(tenant_id), ApiKeyItem.sk.startswith(API_KEY_PREFIX), page_size=200,
                                 filter_condition=(ApiKeyItem.created_by == user_id)
                                 & ApiKeyItem.revoked_at.does_not_exist()))


def mark_revoked(item: ApiKeyItem, at: str, events: Sequence[DomainEvent] = ()) -> None:
    """Revoke a live key; `ConditionFailed` when it was revoked meanwhile (revoked once, one event).
    `item` reflects the change after (a transaction returns no values: set here)."""
    with conditional():
        outbox.update_with(item, [ApiKeyItem.revoked_at.set(at)], events, events_table(),
                           condition=ApiKeyItem.revoked_at.does_not_exist())
    item.revoked_at = at


def mark_used(item: ApiKeyItem, at: str) -> None:
    item.update(actions=[ApiKeyItem.last_used_at.set(at)])
