"""The few pynamodb calls every item kind of the context's stores makes alike (get-or-None, a
create that must be new, a save, a delete, a batch read): the named store modules call these,
so a refused condition always surfaces as `platform.storage.ConditionFailed`.

A write given `events` takes their outbox items (the inbox table's) in the same transaction
(`platform.outbox.put_with` / `delete_with`): the change and its events stand or fall together."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pynamodb.models import Model

from skailan.conversations.inbox_events import table
from skailan.platform import outbox
from skailan.platform.events import DomainEvent
from skailan.platform.storage import ConditionFailed, conditional
from skailan.platform.storage import find_item as get  # get-or-None, the stores' name for it

__all__ = ["ConditionFailed", "batch_get", "delete", "get", "insert", "save"]


def insert(item: Model, *, events: Sequence[DomainEvent] = ()) -> None:
    """Write a new item (and its events); `ConditionFailed` when its key exists."""
    with conditional():
        outbox.put_with(item, events, table(), condition=type(item)._hash_key_attribute().does_not_exist())


def save(item: Model, *, events: Sequence[DomainEvent] = ()) -> None:
    """Put the item and its events (a versioned item only over the version it was read at:
    `ConditionFailed`)."""
    with conditional():
        outbox.put_with(item, events, table())


def delete(item: Model, *, events: Sequence[DomainEvent] = ()) -> None:
    outbox.delete_with(item, events, table())


def batch_get[M: Model](model: type[M], keys: Iterable[tuple[str, str]]) -> list[M]:
    """The items that exist of those keys (BatchGetItem, 100 keys a call, in the keys' chunks)."""
    keys = list(keys)
    found: list[M] = []
    for start in range(0, len(keys), 100):
        found.extend(model.batch_get(keys[start:start + 100]))
    return found
