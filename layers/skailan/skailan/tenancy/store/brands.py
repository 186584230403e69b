"""Brands: one item per brand (its name and settings), version-checked on every edit;
each write takes its events in the same transaction (`events=`: the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skailan.platform import outbox
from skailan.platform.clock import iso
from skailan.platform.events import DomainEvent
from skailan.platform.storage import conditional
from skailan.tenancy.store.items import BRAND_SK, BrandItem, events_table, tenant_pk


def find_brand(tenant_id: str, *, consistent: bool = False) -> BrandItem | None:
    try:
        return BrandItem.get(tenant_pk(tenant_id), BRAND_SK, consistent_read=consistent)
    except BrandItem.DoesNotExist:
        return None


def brand_names(tenant_ids: list[str]) -> dict[str, str]:
    """Each brand's name by id (one BatchGetItem; unknown ids are left out)."""
    keys = [(tenant_pk(t), BRAND_SK) for t in set(tenant_ids)]
    return {b.tenant_id: b.name for b in BrandItem.batch_get(keys)} if keys else {}


def create_brand(tenant_id: str, name: str, settings: dict[str, Any],
                 events: Sequence[DomainEvent] = ()) -> BrandItem:
    """Save a new brand; `ConditionFailed` when it exists."""
    now = iso()
    item = BrandItem(tenant_pk(tenant_id), BRAND_SK, tenant_id=tenant_id, name=name, settings=settings,
                     created_at=now, updated_at=now)
    with conditional():
        outbox.put_with(item, events, events_table(), condition=BrandItem.pk.does_not_exist())
    return item


def save_brand(item: BrandItem, events: Sequence[DomainEvent] = ()) -> None:
    """Write an edited brand; version-checked: `ConditionFailed` when it changed meanwhile."""
    with conditional():
        outbox.put_with(item, events, events_table())


def mark_defaults_done(item: BrandItem) -> None:
    """The brand's defaults are all in place (`defaults_at`). Not version-checked (an edit of its
    settings meanwhile is not undone), but the version still moves, so a stale save fails."""
    at = iso()
    item.update(actions=[BrandItem.defaults_at.set(at)], condition=BrandItem.pk.exists(),
                add_version_condition=False)
