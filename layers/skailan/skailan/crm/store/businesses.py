"""Businesses as stored items: the business (`T#<t>#B#<b>` / BUSINESS, searched by folded name on
gsi1 `T#<t>#BUSINESSES`) and its people links (`PERSON#<p>`, a person's side on gsi2). Every
write takes its domain events (`events=`) in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from skailan.crm.store import records
from skailan.crm.store.items import (
    BUSINESS_LINK,
    BUSINESS_SK,
    BusinessItem,
    BusinessLinkItem,
    business_pk,
    business_search_prefix,
    business_search_sk,
    businesses_index_pk,
    person_businesses_pk,
)
from skailan.crm.store.transact import delete_if, outbox_table, save_if
from skailan.platform import outbox
from skailan.platform.events import DomainEvent
from skailan.platform.pagination import clamp_limit


def business_item(tenant_id: str, business_id: str, name: str, now: str, **attributes: Any) -> BusinessItem:
    """A new business, not stored yet (`put_new_business`)."""
    return BusinessItem(business_pk(tenant_id, business_id), BUSINESS_SK, tenant_id=tenant_id,
                        business_id=business_id, name=name, gsi1pk=businesses_index_pk(tenant_id),
                        gsi1sk=business_search_sk(name, business_id), created_at=now, updated_at=now, **attributes)


def put_new_business(item: BusinessItem, *, events: Sequence[DomainEvent] = ()) -> BusinessItem:
    return records.put_new(item, events=events)


def find_business(tenant_id: str, business_id: str) -> BusinessItem | None:
    return records.find(BusinessItem, business_pk(tenant_id, business_id), BUSINESS_SK)


def businesses_page(tenant_id: str, q: str, *, cursor: str | None, limit: int | None) -> records.Found[BusinessItem]:
    """The brand's businesses by name, those whose folded name starts with `q` when given."""
    prefix = business_search_prefix(q)
    return records.index_page(BusinessItem, 1, businesses_index_pk(tenant_id),
                              BusinessItem.gsi1sk.startswith(prefix) if prefix else None, cursor=cursor,
                              limit=clamp_limit(limit))


def rename(item: BusinessItem, name: str) -> None:
    """A new name, and the search key that goes with it (saved by `save_business`)."""
    item.name = name
    item.gsi1sk = business_search_sk(name, item.business_id)


def save_business(item: BusinessItem, *, events: Sequence[DomainEvent] = ()) -> bool:
    """Save an edited business with its events; False, nothing written, when someone else saved it
    since it was read (VersionAttribute)."""
    return save_if(item, events=events)


def delete_business(item: BusinessItem, now: str, *, events: Sequence[DomainEvent] = ()) -> None:
    """Soft delete: out of the listings (its index keys go) with its events, then its people links
    dropped (a batch: as many as there are)."""
    item.deleted_at = now
    item.gsi1pk = item.gsi1sk = None
    outbox.put_with(item, events, outbox_table())
    with BusinessLinkItem.batch_write() as writer:
        for link in BusinessLinkItem.query(item.pk, BusinessLinkItem.sk.startswith(BUSINESS_LINK)):
            writer.delete(link)


def link_person(business: BusinessItem, person_id: str, role: str | None, now: str, *,
                events: Sequence[DomainEvent] = ()) -> None:
    """Link the person (linking again just changes the role)."""
    tenant_id = business.tenant_id
    records.put(BusinessLinkItem(business.pk, BUSINESS_LINK + person_id, tenant_id=tenant_id,
                                 business_id=business.business_id, person_id=person_id, role=role,
                                 gsi2pk=person_businesses_pk(tenant_id, person_id), gsi2sk=business.business_id,
                                 created_at=now, updated_at=now), events=events)


def unlink_person(business: BusinessItem, person_id: str, *, events: Sequence[DomainEvent] = ()) -> bool:
    """False (no event written) when the person was not linked."""
    return delete_if(BusinessLinkItem(business.pk, BUSINESS_LINK + person_id), BusinessLinkItem.pk.exists(),
                     events=events)


def business_links_page(business: BusinessItem, *, cursor: str | None,
                        limit: int | None) -> records.Found[BusinessLinkItem]:
    return records.page(BusinessLinkItem, business.pk, BUSINESS_LINK, cursor=cursor, limit=limit)


def person_links(tenant_id: str, person_id: str) -> list[BusinessLinkItem]:
    """The person's business links (at most 100: one Query on gsi2)."""
    return list(BusinessLinkItem.gsi2.query(person_businesses_pk(tenant_id, person_id), limit=100))


def businesses_by_id(tenant_id: str, business_ids: list[str]) -> dict[str, BusinessItem]:
    return {b.business_id: b for b in records.batch(BusinessItem, [(business_pk(tenant_id, b), BUSINESS_SK)
                                                                   for b in business_ids])}
