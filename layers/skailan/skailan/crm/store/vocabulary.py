"""A brand's vocabulary as stored items: field definitions, customer roles and journeys in the
definitions partition (`T#<t>#DEF`, read whole with one Query), tags in their own (`T#<t>#TAGS`).
Every write takes its domain events (`events=`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from skailan.crm.store import records
from skailan.crm.store.items import (
    CROLE,
    FIELD,
    JOURNEY,
    TAG,
    ContactsItem,
    CustomerRoleItem,
    FacetItem,
    FieldDefinitionItem,
    JourneyItem,
    TagItem,
    definitions_pk,
    facet_index_pk,
    tags_pk,
)
from skailan.crm.store.transact import outbox_table
from skailan.crm.values.text import tag_key
from skailan.platform import outbox
from skailan.platform.events import DomainEvent
from skailan.platform.storage import transaction


def definitions(tenant_id: str) -> list[ContactsItem]:
    """Every field definition, customer role and journey of the brand: one Query (paged only if huge)."""
    return list(ContactsItem.query(definitions_pk(tenant_id)))


def facet_in_use(tenant_id: str, facet: str, value: str) -> bool:
    """Someone holds the facet (a tag, a role, a journey state): one Limit=1 Query on its index."""
    return any(True for _ in FacetItem.gsi1.query(facet_index_pk(tenant_id, facet, value), limit=1))


def delete(item: FieldDefinitionItem | TagItem | CustomerRoleItem | JourneyItem, *,
           events: Sequence[DomainEvent] = ()) -> None:
    records.remove(item, events=events)


# ---------------------------------------------------------------- fields


def new_field(tenant_id: str, key: str, definition: dict[str, Any], now: str, *,
              events: Sequence[DomainEvent] = ()) -> FieldDefinitionItem | None:
    """Store a new field definition; None (no event written) when the key is taken."""
    item = FieldDefinitionItem(definitions_pk(tenant_id), FIELD + key, tenant_id=tenant_id, key=key,
                               definition=definition, created_at=now, updated_at=now)
    return item if records.put_new_if(item, events=events) else None


def find_field(tenant_id: str, key: str) -> FieldDefinitionItem | None:
    return records.find(FieldDefinitionItem, definitions_pk(tenant_id), FIELD + key)


def set_field_definition(item: FieldDefinitionItem, definition: dict[str, Any], now: str, *,
                         events: Sequence[DomainEvent] = ()) -> None:
    records.set_fields(item, {"definition": definition, "updated_at": now}, events=events)


# ---------------------------------------------------------------- tags


def tags_page(tenant_id: str, *, cursor: str | None, limit: int | None) -> records.Found[TagItem]:
    return records.page(TagItem, tags_pk(tenant_id), TAG, cursor=cursor, limit=limit)


def new_tag(tenant_id: str, name: str, color: str | None, now: str, *,
            events: Sequence[DomainEvent] = ()) -> TagItem | None:
    """Store a new tag (keyed by its folded spelling); None (no event written) when it exists."""
    item = TagItem(tags_pk(tenant_id), TAG + tag_key(name), tenant_id=tenant_id, name=name, color=color, count=0,
                   created_at=now, updated_at=now)
    return item if records.put_new_if(item, events=events) else None


def find_tag(tenant_id: str, name: str) -> TagItem | None:
    return records.find(TagItem, tags_pk(tenant_id), TAG + tag_key(name))


def set_tag_fields(item: TagItem, changes: Mapping[str, Any], *, events: Sequence[DomainEvent] = ()) -> None:
    records.set_fields(item, changes, events=events)


# ---------------------------------------------------------------- customer roles


def new_customer_role(tenant_id: str, role_id: str, name: str, description: str | None, now: str, *,
                      events: Sequence[DomainEvent] = ()) -> CustomerRoleItem:
    return records.put_new(CustomerRoleItem(definitions_pk(tenant_id), CROLE + role_id, tenant_id=tenant_id,
                                            role_id=role_id, name=name, description=description, created_at=now,
                                            updated_at=now), events=events)


def find_customer_role(tenant_id: str, role_id: str) -> CustomerRoleItem | None:
    return records.find(CustomerRoleItem, definitions_pk(tenant_id), CROLE + role_id)


def set_customer_role_fields(item: CustomerRoleItem, changes: Mapping[str, Any], *,
                             events: Sequence[DomainEvent] = ()) -> None:
    records.set_fields(item, changes, events=events)


# ---------------------------------------------------------------- journeys


def new_journey_item(tenant_id: str, journey_id: str, **attributes: Any) -> JourneyItem:
    return JourneyItem(definitions_pk(tenant_id), JOURNEY + journey_id, tenant_id=tenant_id, journey_id=journey_id,
                       **attributes)


def save_journey(item: JourneyItem, *, new: bool, other_defaults: Iterable[JourneyItem],
                 events: Sequence[DomainEvent] = ()) -> None:
    """The journey (a new one never over an existing key), the other journeys that were the default
    no longer are, and the events: one transaction."""
    with transaction() as tx:
        if new:
            tx.save(item, condition=JourneyItem.pk.does_not_exist())
        else:
            tx.save(item)
        for other in other_defaults:
            tx.update(JourneyItem(other.pk, other.sk), actions=[JourneyItem.is_default.set(False)])
        outbox.add(tx, events, outbox_table())
