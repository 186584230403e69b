"""Custom roles (the built-in ones live in code: `skailan.tenancy.defaults`). Each write takes its
events in the same transaction (`events=`: the outbox)."""

from __future__ import annotations

from collections.abc import Sequence

from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import conditional, find_item
from skailan.tenancy.store.items import ROLE_PREFIX, RoleItem, events_table, role_sk, tenant_pk


def find_role(tenant_id: str, role_key: str) -> RoleItem | None:
    return find_item(RoleItem, tenant_pk(tenant_id), role_sk(role_key))


def role_exists(tenant_id: str, role_key: str) -> bool:
    """A key-only Query (COUNT): no item read back."""
    return RoleItem.count(tenant_pk(tenant_id), RoleItem.sk == role_sk(role_key)) > 0


def list_roles(tenant_id: str) -> list[RoleItem]:
    """Every custom role of the brand: a handful, one Query."""
    return list(RoleItem.query(tenant_pk(tenant_id), RoleItem.sk.startswith(ROLE_PREFIX)))


def create_role(tenant_id: str, key: str, *, name: str, description: str | None,
                permissions: set[str], events: Sequence[DomainEvent] = ()) -> RoleItem:
    """Save a new role; `ConditionFailed` when the brand has one with that key."""
    now = iso()
    item = RoleItem(
        tenant_pk(tenant_id), role_sk(key), tenant_id=tenant_id, key=key, name=name, description=description,
        permissions=permissions, created_at=now, updated_at=now,
    )
    with conditional():
        outbox.put_with(item, events, events_table(), condition=RoleItem.pk.does_not_exist())
    return item


def save_role(item: RoleItem, events: Sequence[DomainEvent] = ()) -> None:
    """Write an edited role; version-checked: `ConditionFailed` when it changed meanwhile."""
    with conditional():
        outbox.put_with(item, events, events_table())


def delete_role(item: RoleItem, events: Sequence[DomainEvent] = ()) -> None:
    """Delete a role as read (version-checked); `ConditionFailed` when it changed or went meanwhile."""
    with conditional():
        outbox.delete_with(item, events, events_table(), condition=RoleItem.pk.exists())
