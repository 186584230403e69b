"""The reads and writes every CRM store module repeats, written once: get one item, put a new
one, page through a key prefix (cursor bound to the partition), read a partition whole, set or
remove attributes, batch reads. The named store functions (`lists.find_list`, `sales.find_deal`…)
call these; services never do.

The writes take the change's domain events (`events=`): the item's write and the events' outbox
items go in ONE transaction (`skailan.platform.outbox`); without events, the plain single write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from pynamodb.expressions.condition import Condition

from skailan.crm.store.items import ContactsItem
from skailan.crm.store.transact import outbox_table, save_if
from skailan.platform import outbox
from skailan.platform.events import DomainEvent
from skailan.platform.pagination import decode_cursor, encode_cursor
from skailan.platform.storage import find_item, query_page

find = find_item  # one GetItem, None when the item is not there: the CRM stores' name for it


class Found[M: ContactsItem](NamedTuple):
    """One page of items and the cursor of the next (None: the last page)."""

    items: list[M]
    next_cursor: str | None


def put_new[M: ContactsItem](item: M, *, events: Sequence[DomainEvent] = ()) -> M:
    """Store a new item, never over an existing one (a fresh id: a clash is a bug, not a 409)."""
    outbox.put_with(item, events, outbox_table(), condition=type(item).pk.does_not_exist())
    return item


def put_new_if(item: ContactsItem, *, events: Sequence[DomainEvent] = ()) -> bool:
    """Store a new item; False (no event written) when one with its key exists (a taken key the caller explains)."""
    return save_if(item, type(item).pk.does_not_exist(), events=events)


def put(item: ContactsItem, *, events: Sequence[DomainEvent] = ()) -> None:
    outbox.put_with(item, events, outbox_table())


def remove(item: ContactsItem, *, events: Sequence[DomainEvent] = ()) -> None:
    outbox.delete_with(item, events, outbox_table())


def page[M: ContactsItem](model: type[M], pk: str, prefix: str, *, cursor: str | None, limit: int | None,
                          newest_first: bool = False, filter_condition: Condition | None = None) -> Found[M]:
    """One Query page of the items under `pk` whose sk starts with `prefix`."""
    return Found(*query_page(model, pk, prefix, cursor=cursor, limit=limit, newest_first=newest_first,
                             filter_condition=filter_condition))


def index_page[M: ContactsItem](model: type[M], index: int, partition: str, range_condition: Condition | None, *,
                                cursor: str | None, limit: int, newest_first: bool = False) -> Found[M]:
    """One Query page of overloaded index `gsi<index>` (`limit` already clamped by the caller)."""
    results = getattr(model, f"gsi{index}").query(
        partition, range_condition, limit=limit, scan_index_forward=not newest_first,
        last_evaluated_key=decode_cursor(cursor, partition_attr=f"gsi{index}pk", partition_value=partition))
    items = list(results)
    return Found(items, encode_cursor(results.last_evaluated_key))


def everything[M: ContactsItem](model: type[M], pk: str, prefix: str, *, consistent: bool = False) -> list[M]:
    """Every item under `pk` whose sk starts with `prefix` (small brand-level partitions)."""
    return list(model.query(pk, model.sk.startswith(prefix), consistent_read=consistent))


def batch[M: ContactsItem](model: type[M], keys: Iterable[tuple[str, str]], *, consistent: bool = False) -> list[M]:
    """BatchGetItem of the keys (100 a request); missing items are left out."""
    wanted = list(keys)
    return list(model.batch_get(wanted, consistent_read=consistent)) if wanted else []


def set_fields(item: ContactsItem, changes: Mapping[str, Any], *, events: Sequence[DomainEvent] = ()) -> None:
    """One UpdateItem setting each attribute (None removes it), with `events` one transaction; the
    item holds the new values (set here: a transaction returns none)."""
    model = type(item)
    outbox.update_with(item, [getattr(model, name).set(value) if value is not None else getattr(model, name).remove()
                              for name, value in changes.items()], events, outbox_table())
    if events:
        for name, value in changes.items():
            setattr(item, name, value)
