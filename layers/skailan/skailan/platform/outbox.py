"""Transactional outbox: domain events are written with the state they describe.

A context adds its events to the SAME DynamoDB transaction as its state change
(`add(tx, events, table_name)`), one outbox item per event in its own table:

    pk  T#<tenant>#outbox#<0-9>   (tenant first; the digit spreads a busy tenant's writes)
    sk  <event id>
    item_type "outbox"            (what the Pipe's filter matches)
    source, type, tenant_id, created_at, ttl (a few days: the stream has published it long before)
    event  the envelope JSON, exactly the `Detail` that `platform.events.publish` sends

The table's stream (NEW_IMAGE) feeds an `AWS::Pipes::Pipe` filtered to INSERTs of outbox items;
its enrichment (`functions/workers/outbox`) turns each record back into the envelope and the Pipe
puts it on the bus with Source = `skailan.<context>` and DetailType = the event type. Locally the
runtime's stream poller (`infra/local/streams.py`) does the same from the template. So a request
never answers an error after its write stood, and no event is lost while EventBridge is down.

Re-writing an outbox item with the same event id (a retried transaction with stable ids) is a
MODIFY on the stream, not an INSERT: the Pipe publishes each event once per TTL period.

A single-item change (a create, an edit, a delete) takes its events with `put_with`, `update_with`
or `delete_with`: one TransactWriteItems holding the item's write (and its condition) and the
events' outbox items — atomic, and one request where a write and a following PutItem were two.
Without events they are the plain single write.

Where a call site cannot join a transaction (a provider call or a queue send between, more items
than a transaction holds), `write(events, table_name)` puts the items with one BatchWriteItem right
after the state change, and the code says why there — never a direct PutEvents from a request path.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from functools import cache
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from skailan.platform.clock import iso, utcnow
from skailan.platform.events import DomainEvent
from skailan.platform.storage import KeyedItem, tenant_pk, transaction

ITEM_TYPE = "outbox"
TTL = timedelta(days=3)
SHARDS = 10


def outbox_pk(tenant_id: str, event_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#outbox#{zlib.crc32(event_id.encode()) % SHARDS}"


class OutboxItem(KeyedItem):
    """One domain event waiting for the table's stream; `model_for` binds it to a table."""

    class Meta:
        table_name = "outbox-unbound"  # never used: every write goes through `model_for(table)`

    item_type = UnicodeAttribute(default=ITEM_TYPE)
    tenant_id = UnicodeAttribute()
    source = UnicodeAttribute()
    type = UnicodeAttribute()
    event = UnicodeAttribute()
    created_at = UnicodeAttribute()
    ttl = TTLAttribute()


@cache
def model_for(table_name: str) -> type[OutboxItem]:
    """The outbox item class of one table (pynamodb binds a model to its table at class level)."""
    meta = type("Meta", (), {"table_name": table_name})
    name = "Outbox_" + "".join(ch if ch.isalnum() else "_" for ch in table_name)
    return type(name, (OutboxItem,), {"Meta": meta})


def items(events: Iterable[DomainEvent], table_name: str) -> list[OutboxItem]:
    model = model_for(table_name)
    now = utcnow()
    created = iso(now)
    return [
        model(outbox_pk(event.tenant_id, event.id), event.id, item_type=ITEM_TYPE, tenant_id=event.tenant_id,
              source=event.source, type=event.type, event=event.model_dump_json(), created_at=created,
              ttl=now + TTL)
        for event in events
    ]


def add(tx: TransactWrite, events: Iterable[DomainEvent], table_name: str) -> int:
    """Add the events' outbox items to an open transaction; returns how many were added.

    Written as UpdateItems (SET every attribute: an INSERT on the stream when new), because pynamodb
    sends a transaction's operations grouped — checks, deletes, puts, updates — and callers read
    cancellation reasons by position: added last, the outbox items come after every other operation.
    """
    added = items(events, table_name)
    for item in added:
        model = type(item)
        tx.update(item, actions=[model.item_type.set(item.item_type), model.tenant_id.set(item.tenant_id),
                                 model.source.set(item.source), model.type.set(item.type),
                                 model.event.set(item.event), model.created_at.set(item.created_at),
                                 model.ttl.set(item.ttl)])
    return len(added)


def _with_events(events: Sequence[DomainEvent], table_name: str, alone: Callable[[], Any],
                 in_transaction: Callable[[TransactWrite], Any]) -> None:
    """One item's write and its events in one transaction; without events, the plain write."""
    if not events:
        alone()
        return
    with transaction() as tx:
        in_transaction(tx)
        add(tx, events, table_name)


def put_with(item: Model, events: Sequence[DomainEvent], table_name: str, *,
             condition: Condition | None = None) -> None:
    """Save `item` (under `condition`) and write `events` in the same transaction.

    A refused condition raises pynamodb's TransactWriteError (PutError without events), which
    `platform.storage.conditional()` turns into `ConditionFailed` either way."""
    _with_events(events, table_name, lambda: item.save(condition=condition),
                 lambda tx: tx.save(item, condition=condition))


def update_with(item: Model, actions: list[Action], events: Sequence[DomainEvent], table_name: str, *,
                condition: Condition | None = None) -> None:
    """UpdateItem `item` with `actions` (under `condition`) and write `events` in the same transaction.

    Without events the item is refreshed from the response, as `Model.update` does; with them a
    transaction returns no values, so the caller sets on `item` what it changed (the stores do)."""
    _with_events(events, table_name, lambda: item.update(actions=actions, condition=condition),
                 lambda tx: tx.update(item, actions=actions, condition=condition))


def delete_with(item: Model, events: Sequence[DomainEvent], table_name: str, *,
                condition: Condition | None = None) -> None:
    """Delete `item` (under `condition`) and write `events` in the same transaction."""
    _with_events(events, table_name, lambda: item.delete(condition=condition),
                 lambda tx: tx.delete(item, condition=condition))


def write(events: Iterable[DomainEvent], table_name: str) -> None:
    """Outbox items in one BatchWriteItem, for a state change that could not take them in its
    transaction. An error here reaches the caller's retry (SQS) or answers 5xx before anything
    else happens; the state change it follows is idempotent where it matters."""
    batch = items(events, table_name)
    if not batch:
        return
    if len(batch) == 1:
        batch[0].save()
        return
    with model_for(table_name).batch_write() as writer:
        for item in batch:
            writer.save(item)


def event_of(new_image: dict[str, Any]) -> dict[str, Any]:
    """The envelope of a stream record's NewImage (DynamoDB JSON) as the bus receives it."""
    import json

    return json.loads(new_image["event"]["S"])


def operation(event: DomainEvent, table_name: str) -> dict[str, Any]:
    """The event's outbox item as one low-level TransactWriteItems `Update` (SET every attribute),
    for a context that writes its transaction with the boto3 client instead of pynamodb."""
    now = utcnow()
    values = {":t": ITEM_TYPE, ":tenant": event.tenant_id, ":s": event.source, ":ty": event.type,
              ":e": event.model_dump_json(), ":c": iso(now)}
    return {"Update": {
        "TableName": table_name,
        "Key": {"pk": {"S": outbox_pk(event.tenant_id, event.id)}, "sk": {"S": event.id}},
        "UpdateExpression": "SET item_type = :t, tenant_id = :tenant, #source = :s, #type = :ty, "
                            "event = :e, created_at = :c, #ttl = :ttl",
        "ExpressionAttributeNames": {"#source": "source", "#type": "type", "#ttl": "ttl"},
        "ExpressionAttributeValues": {**{k: {"S": v} for k, v in values.items()},
                                      ":ttl": {"N": str(int((now + TTL).timestamp()))}},
    }}
