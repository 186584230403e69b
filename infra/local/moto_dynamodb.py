"""A drop-in for moto's DynamoDB `transact_write_items` that costs O(items in the transaction).

moto 5.2 deep-copies the whole table once per item of every TransactWriteItems (its rollback
snapshot), so each transaction costs O(items in the table × items in the transaction): an import
of 10 000 people (≈100 000 items) takes hours locally, and every people write slows down as the
table grows. This version keeps DynamoDB's semantics — all conditions are evaluated against the
state before the transaction (DynamoDB forbids two operations on one item, so the order inside
a transaction cannot matter), a failed condition cancels everything with per-item reasons, and
nothing is written unless every condition holds — and snapshots only the items it touches, to
restore them if applying an operation fails.

`install()` patches the in-process backend (tests with `mock_aws`, and the local runtime, whose
moto server runs in the same process). A lock makes each transaction atomic against the others,
as DynamoDB is: moto's server threads would otherwise interleave two transactions' checks and
writes.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_installed = False
_lock = threading.RLock()


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend

    def locked(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _lock:
            _transact_write_items(self, transact_items)

    DynamoDBBackend.transact_write_items = locked  # type: ignore[method-assign]
    _installed = True


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
        raise
    except Exception as err:
        _restore(self, snapshots)
        raise TransactionCanceledException([(type(err).__name__, str(err), None)]) from err


def _restore(backend: Any, snapshots: list[tuple[str, dict[str, Any], Any]]) -> None:
    for table_name, key, old in reversed(snapshots):
        if backend.get_item(table_name, key) is not None:
            backend.delete_item(table_name, key)
        if old is not None:
            backend.put_item(table_name, old.to_json()["Attributes"])
