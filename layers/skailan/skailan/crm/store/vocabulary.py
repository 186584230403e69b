"""A brand's vocabulary as stored items: field definitions, customer roles and journeys in the
definitions partition (`T#<t>#DEF`, read whole with one Query), tags in their own (`T#<t>#TAGS`).
Every write takes its domain events (`events=`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pynamodb.exceptions import TransactWriteError

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


def find_tag_key(tenant_id: str, key: str, *, consistent: bool = False) -> TagItem | None:
    """The tag stored under a folded key (a rename's old or new item)."""
    return records.find(TagItem, tags_pk(tenant_id), TAG + key, consistent=consistent)


def set_tag_fields(item: TagItem, changes: Mapping[str, Any], *, events: Sequence[DomainEvent] = ()) -> None:
    records.set_fields(item, changes, events=events)


def start_tag_rename(old: TagItem, new_name: str, color: str | None, now: str, *,
                     events: Sequence[DomainEvent] = ()) -> TagItem | None:
    """The new tag item (colour, count 0: the old item's count is still shown with it until the
    people move) and the old one marked `renamed_to`, with the events: one transaction. A tag
    nobody holds (count 0, checked in the transaction) is simply replaced: nothing to move. None
    when the new key is taken or the old tag changed (renamed, deleted, tagged) meanwhile."""
    new_key = tag_key(new_name)
    old_key = tag_key(old.name or "")
    unused = int(old.count or 0) <= 0
    item = TagItem(tags_pk(old.tenant_id or ""), TAG + new_key, tenant_id=old.tenant_id, name=new_name, color=color,
                   count=0, renaming_from=None if unused else old_key, created_at=now, updated_at=now)
    free = TagItem.pk.exists() & TagItem.renamed_to.does_not_exist() & TagItem.renaming_from.does_not_exist()
    try:
        with transaction() as tx:
            tx.save(item, condition=TagItem.pk.does_not_exist())
            if unused:
                tx.delete(TagItem(old.pk, old.sk), condition=free & (TagItem.count <= 0))
            else:
                tx.update(TagItem(old.pk, old.sk), actions=[TagItem.renamed_to.set(new_key),
                                                             TagItem.updated_at.set(now)], condition=free)
            outbox.add(tx, events, outbox_table())
    except TransactWriteError as err:
        if err.cause_response_code == "TransactionCanceledException":
            return None
        raise
    return item


def finish_tag_rename(tenant_id: str, old_key: str, new_key: str) -> bool:
    """Drop the old tag item once nobody holds it (count 0) and clear the new one's `renaming_from`:
    one transaction. False when someone still holds the old tag (tagged meanwhile) or it is gone."""
    try:
        with transaction() as tx:
            tx.delete(TagItem(tags_pk(tenant_id), TAG + old_key),
                      condition=(TagItem.renamed_to == new_key) & (TagItem.count <= 0))
            tx.update(TagItem(tags_pk(tenant_id), TAG + new_key), actions=[TagItem.renaming_from.remove()],
                      condition=TagItem.renaming_from == old_key)
    except TransactWriteError as err:
        if err.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


def tag_holders(tenant_id: str, key: str) -> Iterator[str]:
    """The ids of the people holding a tag: the tag's facet index, paged (1 MB a page)."""
    for item in FacetItem.gsi1.query(facet_index_pk(tenant_id, "tag", key)):
        yield item.person_id


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
