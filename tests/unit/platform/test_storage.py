"""skailan.platform.storage: one item base for every table, each table with its own discriminator
registry and indexes; cancellation reasons read the same from pynamodb and botocore."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError, TransactWriteError

from infra.local import moto_dynamodb
from skailan.platform import cancellation, storage
from skailan.platform.storage import TableItem


class OrdersItem(TableItem):
    class Meta:
        table_name = "test-storage-orders"
        region = "us-east-1"

    overloaded_indexes = 2


class InvoicesItem(TableItem):
    class Meta:
        table_name = "test-storage-invoices"
        region = "us-east-1"

    overloaded_indexes = 1


# The same kind name in two tables: with one shared discriminator instance this would raise.
class OrderVersion(OrdersItem, discriminator="version"):
    total = UnicodeAttribute()


class InvoiceVersion(InvoicesItem, discriminator="version"):
    number = UnicodeAttribute()


class OrderLine(OrdersItem, discriminator="line"):
    product = UnicodeAttribute()


def test_each_table_root_owns_its_discriminator_and_indexes() -> None:
    assert OrdersItem.kind is not InvoicesItem.kind
    assert OrdersItem._attributes["kind"] is OrdersItem.kind
    assert OrdersItem.kind.get_registered_subclasses(OrdersItem) == [OrderVersion, OrderLine]
    assert InvoicesItem.kind.get_registered_subclasses(InvoicesItem) == [InvoiceVersion]
    assert OrderVersion.kind is OrdersItem.kind  # item kinds share their root's registry
    assert set(OrdersItem._indexes) == {"gsi1", "gsi2"}
    assert set(InvoicesItem._indexes) == {"gsi1"}
    assert OrdersItem._indexes["gsi1"] is not InvoicesItem._indexes["gsi1"]
    assert OrdersItem.gsi1._model is OrdersItem and InvoicesItem.gsi1._model is InvoicesItem
    assert not hasattr(InvoicesItem, "gsi2pk")  # a table has the attributes of its indexes only
    assert OrdersItem.gsi2pk.attr_name == "gsi2pk" and OrdersItem._hash_keyname == "pk"
    assert OrdersItem._range_keyname == "sk"


@pytest.fixture
def tables() -> Iterator[None]:
    names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL")
    saved = {key: os.environ.get(key) for key in names}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    moto_dynamodb.install()  # the local runtime's DynamoDB: per-operation cancellation reasons
    storage.shared_connection.cache_clear()  # the transactions' client, made inside the mock
    with mock_aws():
        for model in (OrdersItem, InvoicesItem):
            model._connection = None  # a connection made outside this mock would not reach it
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        yield
        for model in (OrdersItem, InvoicesItem):
            model._connection = None
    storage.shared_connection.cache_clear()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def test_queries_on_each_tables_indexes_return_that_tables_kinds(tables: None) -> None:
    OrderVersion("T#a#O#1", "V#1", total="10", gsi1pk="T#a#ORDERS", gsi1sk="1", gsi2pk="T#a#X", gsi2sk="1").save()
    OrderLine("T#a#O#1", "L#1", product="pan", gsi1pk="T#a#ORDERS", gsi1sk="2").save()
    InvoiceVersion("T#a#I#1", "V#1", number="F-1", gsi1pk="T#a#ORDERS", gsi1sk="1").save()

    orders = list(OrdersItem.gsi1.query("T#a#ORDERS"))
    assert [type(item) for item in orders] == [OrderVersion, OrderLine]
    assert [type(item) for item in OrdersItem.gsi2.query("T#a#X")] == [OrderVersion]
    invoices = list(InvoicesItem.gsi1.query("T#a#ORDERS"))
    assert [(type(item), item.number) for item in invoices] == [(InvoiceVersion, "F-1")]
    stored = boto3.client("dynamodb", region_name="us-east-1").get_item(
        TableName="test-storage-orders", Key={"pk": {"S": "T#a#O#1"}, "sk": {"S": "V#1"}})["Item"]
    assert stored["kind"] == {"S": "version"}
    assert OrderLine.get("T#a#O#1", "L#1").product == "pan"


def test_cancellation_reasons_from_pynamodb_and_conditions(tables: None) -> None:
    OrderLine("T#a#O#2", "L#1", product="pan").save()
    with pytest.raises(TransactWriteError) as caught, storage.transaction() as tx:
        tx.save(OrderLine("T#a#O#2", "L#2", product="sal"), condition=OrderLine.pk.does_not_exist())
        tx.save(OrderLine("T#a#O#2", "L#1", product="pan"), condition=OrderLine.pk.does_not_exist())
    assert cancellation.cancellation_reasons(caught.value) == [None, "ConditionalCheckFailed"]
    assert cancellation.condition_failed(caught.value, 1) and cancellation.condition_failed(caught.value)
    assert not cancellation.condition_failed(caught.value, 0)
    assert cancellation.contended(cancellation.cancellation_reasons(caught.value))
    assert OrdersItem.count("T#a#O#2") == 1  # nothing half-written

    with pytest.raises(PutError) as plain:
        OrderLine("T#a#O#2", "L#1", product="x").save(condition=OrderLine.pk.does_not_exist())
    assert cancellation.condition_failed(plain.value) and cancellation.condition_failed(plain.value, 0)
    assert cancellation.cancellation_reasons(plain.value) == []


def test_changed_meanwhile_answers_a_refused_write_as_409_and_lets_other_errors_through(tables: None) -> None:
    from skailan.platform.errors import Conflict

    OrderLine("T#a#O#3", "L#1", product="pan").save()
    with pytest.raises(Conflict) as caught, storage.changed_meanwhile("Cambió.", "Changed."), storage.conditional():
        OrderLine("T#a#O#3", "L#1", product="sal").save(condition=OrderLine.pk.does_not_exist())
    assert caught.value.status == 409 and caught.value.code == "concurrent_update"
    assert caught.value.message == "Cambió. / Changed."
    assert OrderLine.get("T#a#O#3", "L#1").product == "pan"  # nothing written
    with pytest.raises(ValueError), storage.changed_meanwhile("Cambió.", "Changed."):
        raise ValueError("not a refused condition")


def test_refused_as_answers_a_refused_write_with_the_callers_error_and_lets_other_errors_through(tables: None) -> None:
    from skailan.platform.errors import NotFound

    OrderLine("T#a#O#4", "L#1", product="pan").save()
    gone = NotFound("No está. / Gone.", code="line_not_found")
    with pytest.raises(NotFound) as caught, storage.refused_as(gone), storage.conditional():
        OrderLine("T#a#O#4", "L#2", product="sal").save(condition=OrderLine.pk.exists())
    assert caught.value.code == "line_not_found"
    assert isinstance(caught.value.__cause__, storage.ConditionFailed)
    assert OrderLine.count("T#a#O#4") == 1  # nothing written
    with pytest.raises(ValueError), storage.refused_as(NotFound("No está. / Gone.")):
        raise ValueError("not a refused condition")


def test_find_item_and_query_page_bound_to_their_partition(tables: None) -> None:
    from skailan.platform.errors import BadRequest

    for number in range(5):
        OrderLine("T#a#O#5", f"L#{number}", product=f"p{number}").save()
    OrderVersion("T#a#O#5", "V#1", total="9").save()
    found = storage.find_item(OrderLine, "T#a#O#5", "L#3", consistent=True)
    assert found is not None and found.product == "p3"
    assert storage.find_item(OrderLine, "T#a#O#5", "L#9") is None

    first, cursor = storage.query_page(OrderLine, "T#a#O#5", "L#", cursor=None, limit=3)
    assert [line.product for line in first] == ["p0", "p1", "p2"] and cursor is not None
    rest, last = storage.query_page(OrderLine, "T#a#O#5", "L#", cursor=cursor, limit=3)
    assert [line.product for line in rest] == ["p3", "p4"] and last is None  # the prefix leaves V#1 out
    newest, _ = storage.query_page(OrderLine, "T#a#O#5", "L#", cursor=None, limit=2, newest_first=True,
                                   filter_condition=OrderLine.product != "p4")
    assert [line.product for line in newest] == ["p3", "p2"]  # newest first, p4 filtered out
    with pytest.raises(BadRequest):  # a cursor of one partition never reads another
        storage.query_page(OrderLine, "T#b#O#5", "L#", cursor=cursor, limit=3)


def test_cancellation_reasons_from_botocore() -> None:
    response: Any = {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                     "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "x"}]}
    err = ClientError(response, "TransactWriteItems")
    assert cancellation.cancellation_reasons(err) == [None, "TransactionConflict"]
    assert not cancellation.condition_failed(err) and cancellation.contended(cancellation.cancellation_reasons(err))
    assert cancellation.cancellation_reasons(ValueError("x")) == []


LAYER = Path(__file__).resolve().parents[3] / "layers" / "skailan" / "skailan"
# Where pynamodb may be imported: each context's store, and platform's shared plumbing.
STORES = ("platform/storage.py", "platform/outbox.py", "platform/limit_counters.py", "tenancy/store/",
          "automations/store.py", "campaigns/store.py", "leads/store.py", "conversations/store/", "crm/store/")


def test_no_module_outside_a_store_imports_pynamodb() -> None:
    importing = re.compile(r"^\s*(from|import)\s+pynamodb\b", re.M)
    outside = sorted(
        str(path.relative_to(LAYER)) for path in LAYER.rglob("*.py")
        if importing.search(path.read_text(encoding="utf-8"))
        and not str(path.relative_to(LAYER)).startswith(STORES)
    )
    assert outside == []


# pynamodb's API called through the item classes (`XItem.get/query`, an index's `XItem.gsi1.query`,
# `item.save(...)`, `tx.save`, attribute `.set`/`.does_not_exist`…): inside a store only, in every context.
ITEM_API = re.compile(r"[A-Z]\w*Item\.(query|get|batch_get|batch_write|scan|count|from_raw_data|\w+\.(query|count|scan|set"
                      r"|add|remove|does_not_exist|exists|startswith|between|is_in|contains))\b|\.save\(|\.update\(actions"
                      r"|\.refresh\(|\.delete\(condition|tx\.(save|update|delete|condition_check)|\.page_iter\b"
                      # an item class under another name (`C = ConversationItem`) would hide its calls from the rest
                      r"|^\s*\w+\s*(:[^=]+)?=\s*[A-Z]\w*Item\s*(#.*)?$")
# Stores that hold their context's data access without pynamodb (boto3's DynamoDB client).
BOTO3_STORES = ("realtime/store.py", "analytics/store.py")
NOT_ITEM_API = ("signin.refresh(",)  # a function of that name, not pynamodb's


def test_no_module_outside_its_store_calls_pynamodb_through_the_items() -> None:
    calling = sorted(
        f"{path.relative_to(LAYER)}:{number}" for path in LAYER.rglob("*.py")
        if not str(path.relative_to(LAYER)).startswith(STORES + BOTO3_STORES)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ITEM_API.search(line) and not any(allowed in line for allowed in NOT_ITEM_API)
    )
    assert calling == []


# Events written by a second request after their state change (`outbox.write`) rather than in its
# transaction: only where the change cannot take them, each for the reason named (and said in the code).
WRITTEN_AFTER = {
    "crm/capture/imports/worker.py": "one contact.imported covers a batch written in many transactions",
    "crm/capture/imports/jobs.py": "contact_import.started follows the queue send a failed send undoes",
    "crm/audiences/lists.py": "one members_added/removed covers many transactions",
    "crm/audiences/segments.py": "segment.updated carries the rule_version the UpdateItem returns",
    "crm/people/merge.py": "contact.merged follows the partition move its readers depend on",
    "conversations/outbound.py": "message.queued follows the queue send",
    "conversations/inbox/template_sync.py": "one templates.synced sums many writes and Meta calls",
}


def test_events_are_written_after_their_change_only_where_it_cannot_take_them() -> None:
    writing = re.compile(r"\boutbox\.write\(")
    after = sorted({
        str(path.relative_to(LAYER)) for path in LAYER.rglob("*.py")
        if path.name != "outbox.py" and writing.search(path.read_text(encoding="utf-8"))
    })
    assert after == sorted(WRITTEN_AFTER)
