"""A drop-in for moto's DynamoDB `transact_write_items` that costs O(items in the transaction).

moto 5.2 deep-copies the whole table once per item of every TransactWriteItems (its rollback
snapshot), so each transaction costs O(items in the table × items in the transaction): an import
of 10 000 people (≈100 000 items) takes hours locally, and every people write slows down as the
table grows. This version keeps DynamoDB's semantics — all conditions are evaluated against the
state before the transaction (DynamoDB forbids two operations on one item, so the order inside
a transaction cannot matter), a failed condition cancels everything with per-item reasons, and
nothing is written unless every condition holds — and snapshots only the items it touches, to
restore them if applying an operation fails.

`install()` patches the backend of the process it runs in (tests with `mock_aws`, and the local
runtime's moto process, `moto_process.py`). A lock makes each transaction atomic against the others,
as DynamoDB is: moto's server threads would otherwise interleave two transactions' checks and
writes.

It also makes Query cost O(partition) instead of O(table): moto answers every Query — on the
table or on an index — by sorting and walking *all* the table's items, so a brand with 100 000
people (≈ 500 000 items) pays seconds for a one-person lookup and a paginated walk is quadratic.
Each table gets a partition index, (GSI hash attribute, value) → keys of the items written with
that value, kept up to date on every put and update. A Query hands moto's own algorithm only the
candidates of its partition (re-checked against the items' current attributes), so results,
ordering, paging and limits stay exactly moto's.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_installed = False
_lock = threading.RLock()
_index_lock = threading.RLock()
_candidates_of = threading.local()  # the items `Table.all_items` returns to the Query on this thread
# Streams: events the local Pipes wait on (set on every new stream record), the records a
# transaction holds back until it commits, and how many records a shard keeps (older ones are
# trimmed, as DynamoDB trims after 24 h; sequence numbers stay stable).
stream_waiters: set[threading.Event] = set()  # woken by a record on any table
stream_table_waiters: dict[str, set[threading.Event]] = {}  # table name → woken by its own records
stream_listeners: list[Any] = []  # called with (shard, record) per new record (streams.InProcessRelay)
_held_records = threading.local()
STREAM_RETENTION = 20_000


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend

    def locked(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _lock:
            _transact_write_items(self, transact_items)

    DynamoDBBackend.transact_write_items = locked  # type: ignore[method-assign]
    _install_partition_index()
    _install_streams()
    _installed = True


# ---------------------------------------------------------------- Query by partition


class _Partitions:
    """(GSI hash attribute, value) → keys of the items written with it (may hold stale keys)."""

    def __init__(self, table: Any, attributes: tuple[str, ...], items: list[Any]) -> None:
        self.attributes = attributes
        self.keys: dict[tuple[str, Any], dict[tuple[Any, Any], None]] = {}
        for item in items:
            self.add(item)

    def add(self, item: Any) -> None:
        for name in self.attributes:
            value = item.attrs.get(name)
            if value is not None:
                self.keys.setdefault((name, value), {})[(item.hash_key, item.range_key)] = None


def _gsi_hash_attributes(table: Any) -> tuple[str, ...]:
    return tuple(sorted({k["AttributeName"] for index in table.global_indexes for k in index.schema
                         if k["KeyType"] == "HASH"}))


def _partitions(table: Any, original_all_items: Any) -> _Partitions:
    with _index_lock:
        attributes = _gsi_hash_attributes(table)
        current = getattr(table, "_skailan_partitions", None)
        if current is None or current.attributes != attributes:  # first use, or the table's GSIs changed
            current = _Partitions(table, attributes, original_all_items(table))
            table._skailan_partitions = current
        return current


def _stored(table: Any, key: tuple[Any, Any]) -> Any:
    hash_key, range_key = key
    if table.range_key_attr:
        return table.items.get(hash_key, {}).get(range_key)
    return table.items.get(hash_key)


def _candidates(table: Any, original_all_items: Any, hash_key: Any, index_name: str | None,
                hash_conditions: list[tuple[str, Any]] | None) -> list[Any] | None:
    """The items that can match the Query's partition condition; None to let moto walk everything."""
    if not index_name:
        if hash_key is None:
            return None
        stored = table.items.get(hash_key)
        if stored is None:
            return []
        return list(stored.values()) if table.range_key_attr else [stored]
    if any(index.name == index_name for index in table.indexes):
        return None  # a local index: same partition as the table, but keep moto's own path
    partitions = _partitions(table, original_all_items)
    for name, value in hash_conditions or ():
        if name in partitions.attributes:
            with _index_lock:
                keys = partitions.keys.get((name, value))
                if not keys:
                    return []
                found, stale = [], []
                for key in keys:
                    item = _stored(table, key)
                    current = item.attrs.get(name) if item is not None else None
                    if current is not None and current == value:
                        found.append(item)
                    else:
                        stale.append(key)
                for key in stale:
                    del keys[key]
            return found
    return None


def _narrowed(table: Any, index_name: str | None, items: list[Any], comparison: str | None, values: list[Any],
              start_key: dict[str, Any] | None, forward: bool) -> list[Any]:
    """Drop the candidates the sort-key condition rejects and those before the page's start key.

    moto would skip both anyway, but only after sorting the whole partition on every page — that
    made a name search or a paginated walk of 100 000 people cost O(partition) per request. Ties on
    the start key's sort value are kept; moto's own walk settles them.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType

    if index_name:
        index = next((i for i in table.global_indexes if i.name == index_name), None)
        ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"] if index else []
        if len(ranges) != 1:
            return items
        attribute = ranges[0]
    else:
        attribute = table.range_key_attr
        if not attribute:
            return items
    if comparison:
        items = [i for i in items if (v := i.attrs.get(attribute)) is not None and v.compare(comparison, values)]
    if start_key and attribute in start_key:
        start = DynamoType(start_key[attribute])
        items = [i for i in items if (v := i.attrs.get(attribute)) is not None and (v >= start if forward else v <= start)]
    return items


def _install_partition_index() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original_all_items = Table.all_items
    original_query = Table.query
    original_put = Table.put_item
    original_update = DynamoDBBackend.update_item

    def all_items(self: Any) -> list[Any]:
        override = getattr(_candidates_of, "value", None)
        if override is not None and override[0] is self:
            return override[1]
        return original_all_items(self)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        found = _candidates(self, original_all_items, hash_key, index_name, kwargs.get("hash_key_conditions"))
        if found is None:
            return original_query(self, hash_key, *args, **kwargs)
        legacy_filters = set(kwargs) - {"hash_key_conditions", "range_key_conditions", "index_name",
                                        "consistent_read", "filter_expression"}
        if len(args) >= 5 and len(kwargs.get("range_key_conditions") or ()) <= 1 and not legacy_filters:
            found = _narrowed(self, index_name, found, args[0], args[1], args[3], args[4])
        previous = getattr(_candidates_of, "value", None)
        _candidates_of.value = (self, found)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _candidates_of.value = previous

    def put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = original_put(self, *args, **kwargs)
        _note(self, item)
        return item

    def update_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        item = original_update(self, table_name, *args, **kwargs)
        _note(self.get_table(table_name), item)  # an update can give an item a new index key
        return item

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    Table.put_item = put_item  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]


def _note(table: Any, item: Any) -> None:
    partitions = getattr(table, "_skailan_partitions", None)
    if partitions is not None and item is not None:
        with _index_lock:
            partitions.add(item)


def _key_of(backend: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen: set[tuple[str, str]] = set()
    planned: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    errors: list[tuple[Any, Any, Any]] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        key = _key_of(self, op_type, op)
        marker = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if marker in seen:
            raise MultipleTransactionsException()
        seen.add(marker)
        current = self.get_item(op["TableName"], key)
        condition = op.get("ConditionExpression")
        if condition is not None:
            expr = get_filter_expression(condition, op.get("ExpressionAttributeNames"),
                                         op.get("ExpressionAttributeValues"))
            if not expr.expr(current):
                old = None
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    old = current.to_json()["Attributes"]
                errors.append(("ConditionalCheckFailed", ConditionalCheckFailed().message, old))
                continue
        errors.append((None, None, None))
        planned.append((op_type, op, key))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)

    snapshots = [(op["TableName"], key, copy.deepcopy(self.get_item(op["TableName"], key)))
                 for op_type, op, key in planned if op_type != "ConditionCheck"]
    # Stream records appear only once the whole transaction is applied: a rolled-back write
    # (or its undo) must never reach the stream, and so never the bus.
    _held_records.value = []
    try:
        for op_type, op, key in planned:
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if op_type == "Put":
                self.put_item(op["TableName"], op["Item"], expression_attribute_names=names,
                              expression_attribute_values=values)
            elif op_type == "Delete":
                self.delete_item(op["TableName"], key, expression_attribute_names=names,
                                 expression_attribute_values=values)
            elif op_type == "Update":
                self.update_item(op["TableName"], key, update_expression=op["UpdateExpression"],
                                 expression_attribute_names=names, expression_attribute_values=values)
    except (MultipleTransactionsException, MockValidationException):
        _restore(self, snapshots)
        _held_records.value = None
        raise
    except Exception as err:
        _restore(self, snapshots)
        _held_records.value = None
        raise TransactionCanceledException([(type(err).__name__, str(err), None)]) from err
    held, _held_records.value = _held_records.value, None
    for shard, old, new in held:
        shard.add(old, new)


def _restore(backend: Any, snapshots: list[tuple[str, dict[str, Any], Any]]) -> None:
    for table_name, key, old in reversed(snapshots):
        if backend.get_item(table_name, key) is not None:
            backend.delete_item(table_name, key)
        if old is not None:
            backend.put_item(table_name, old.to_json()["Attributes"])


# ---------------------------------------------------------------- streams


def wake_stream_waiters(tables: list[str] | None) -> None:
    """Wake the Pipes waiting on these tables' streams (None: every Pipe)."""
    for waiter in list(stream_waiters):
        waiter.set()
    for name, waiters in list(stream_table_waiters.items()):
        if tables is None or name in tables:
            for waiter in list(waiters):
                waiter.set()


def _install_streams() -> None:
    """Streams for the local Pipes (infra/local/streams.py): records of a transaction appear when
    it commits, waiting pollers wake on a new record, a shard keeps the last STREAM_RETENTION
    records, and a shard iterator is forgotten once used (moto keeps every one forever)."""
    from moto.dynamodb.models.table import StreamShard
    from moto.dynamodbstreams.models import ShardIterator

    original_add = StreamShard.add
    original_get = ShardIterator.get

    def add(self: Any, old: Any, new: Any) -> None:
        held = getattr(_held_records, "value", None)
        if held is not None:
            # Images taken now: the transaction may change the same Item objects again later.
            held.append((self, copy.deepcopy(old), copy.deepcopy(new)))
            return
        trimmed = getattr(self, "_skailan_trimmed", 0)
        self.starting_sequence_number += trimmed  # moto numbers records by their list position
        try:
            original_add(self, old, new)
        finally:
            self.starting_sequence_number -= trimmed
        record = self.items[-1] if self.items else None
        if len(self.items) > STREAM_RETENTION:
            drop = len(self.items) - STREAM_RETENTION // 2
            del self.items[:drop]
            self._skailan_trimmed = trimmed + drop
        wake_stream_waiters([str(self.table.name)])
        if record is not None:
            for listener in list(stream_listeners):
                listener(self, record)

    def shard_get(self: Any, start: int, quantity: int) -> list[dict[str, Any]]:
        first = self.starting_sequence_number + getattr(self, "_skailan_trimmed", 0)
        begin = max(0, start - first)  # before the trim horizon: from the oldest record kept
        return [record.to_json() for record in self.items[begin:begin + quantity]]

    def iterator_get(self: Any, limit: int = 1000) -> dict[str, Any]:
        self.streams_backend.shard_iterators.pop(self.arn, None)
        return original_get(self, limit)

    StreamShard.add = add  # type: ignore[method-assign]
    StreamShard.get = shard_get  # type: ignore[method-assign]
    ShardIterator.get = iterator_get  # type: ignore[method-assign]
