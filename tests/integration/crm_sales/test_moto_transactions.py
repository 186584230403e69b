"""The O(transaction) TransactWriteItems used by these tests keeps DynamoDB's all-or-nothing rules."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def table(aws):
    client = boto3.client("dynamodb", region_name="us-east-1")
    return client, aws["CONTACTS_TABLE"]


def _item(pk: str, **extra: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": "X"}, **{k: {"S": v} for k, v in extra.items()}}


def test_a_failed_condition_cancels_everything_with_reasons_per_item(table):
    client, name = table
    client.put_item(TableName=name, Item=_item("T#tx#taken"))
    with pytest.raises(ClientError) as err:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": _item("T#tx#new")}},
            {"Put": {"TableName": name, "Item": _item("T#tx#taken", v="2"),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": name, "Key": {"pk": {"S": "T#tx#counter"}, "sk": {"S": "X"}},
                        "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        ])
    reasons = [r["Code"] for r in err.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed", "None"]
    assert "Item" not in client.get_item(TableName=name, Key={"pk": {"S": "T#tx#new"}, "sk": {"S": "X"}})
    assert "Item" not in client.get_item(TableName=name, Key={"pk": {"S": "T#tx#counter"}, "sk": {"S": "X"}})
    assert "v" not in client.get_item(TableName=name, Key={"pk": {"S": "T#tx#taken"}, "sk": {"S": "X"}})["Item"]


def test_a_passing_transaction_writes_every_item(table):
    client, name = table
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": _item("T#tx#a"), "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Delete": {"TableName": name, "Key": {"pk": {"S": "T#tx#a-old"}, "sk": {"S": "X"}}}},
        {"Update": {"TableName": name, "Key": {"pk": {"S": "T#tx#c"}, "sk": {"S": "X"}},
                    "UpdateExpression": "ADD n :two", "ExpressionAttributeValues": {":two": {"N": "2"}}}},
    ])
    assert "Item" in client.get_item(TableName=name, Key={"pk": {"S": "T#tx#a"}, "sk": {"S": "X"}})
    counter = client.get_item(TableName=name, Key={"pk": {"S": "T#tx#c"}, "sk": {"S": "X"}})["Item"]
    assert counter["n"] == {"N": "2"}


def test_two_operations_on_one_item_are_refused(table):
    client, name = table
    with pytest.raises(ClientError) as err:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": _item("T#tx#dup")}},
            {"Delete": {"TableName": name, "Key": {"pk": {"S": "T#tx#dup"}, "sk": {"S": "X"}}}},
        ])
    assert err.value.response["Error"]["Code"] == "ValidationException"


# ---------------------------------------------------------------- Query by partition (same module)


def _gsi1(client, name, partition, **kwargs):
    pages, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = client.query(TableName=name, IndexName="gsi1", KeyConditionExpression="gsi1pk = :p",
                            ExpressionAttributeValues={":p": {"S": partition}}, **kwargs, **extra)
        pages.append([i["pk"]["S"] for i in page["Items"]])
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages


def test_index_queries_follow_puts_updates_and_deletes(table):
    client, name = table
    for i in range(5):
        client.put_item(TableName=name, Item=_item(f"T#q#{i}", gsi1pk="T#q#P", gsi1sk=f"{i:02d}"))
    client.put_item(TableName=name, Item=_item("T#q#other", gsi1pk="T#q#Q", gsi1sk="00"))
    assert _gsi1(client, name, "T#q#P") == [[f"T#q#{i}" for i in range(5)]]
    # an update moves an item to another partition; a delete and a put without the key drop others
    client.update_item(TableName=name, Key={"pk": {"S": "T#q#1"}, "sk": {"S": "X"}},
                       UpdateExpression="SET gsi1pk = :q", ExpressionAttributeValues={":q": {"S": "T#q#Q"}})
    client.delete_item(TableName=name, Key={"pk": {"S": "T#q#2"}, "sk": {"S": "X"}})
    client.put_item(TableName=name, Item=_item("T#q#3"))
    assert _gsi1(client, name, "T#q#P") == [["T#q#0", "T#q#4"]]
    assert sorted(_gsi1(client, name, "T#q#Q")[0]) == ["T#q#1", "T#q#other"]
    # an item that gains the key through an update (not a put) is found too
    client.update_item(TableName=name, Key={"pk": {"S": "T#q#3"}, "sk": {"S": "X"}},
                       UpdateExpression="SET gsi1pk = :p, gsi1sk = :s",
                       ExpressionAttributeValues={":p": {"S": "T#q#P"}, ":s": {"S": "03"}})
    assert _gsi1(client, name, "T#q#P") == [["T#q#0", "T#q#3", "T#q#4"]]
    assert _gsi1(client, name, "T#q#P", Limit=2, ScanIndexForward=False) == [["T#q#4", "T#q#3"], ["T#q#0"]]
    assert _gsi1(client, name, "T#q#none") == [[]]


def test_table_queries_see_only_their_partition(table):
    client, name = table
    for sk in ("A", "B", "C"):
        client.put_item(TableName=name, Item={"pk": {"S": "T#q#part"}, "sk": {"S": sk}})
    client.put_item(TableName=name, Item={"pk": {"S": "T#q#part2"}, "sk": {"S": "A"}})
    page = client.query(TableName=name, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                        ExpressionAttributeValues={":p": {"S": "T#q#part"}, ":s": {"S": "B"}})
    assert [i["sk"]["S"] for i in page["Items"]] == ["B"]
    page = client.query(TableName=name, KeyConditionExpression="pk = :p", ScanIndexForward=False,
                        ExpressionAttributeValues={":p": {"S": "T#q#part"}})
    assert [i["sk"]["S"] for i in page["Items"]] == ["C", "B", "A"]


def test_sort_key_conditions_and_pages_by_start_key(table):
    client, name = table
    for sk in ("N#ana", "N#ana maria", "N#andres", "N#beto", "TL#1"):
        client.put_item(TableName=name, Item={"pk": {"S": "T#q#names"}, "sk": {"S": sk},
                                              "gsi1pk": {"S": "T#q#NAMES"}, "gsi1sk": {"S": sk[2:] + "#x"}})

    def pages(**kwargs):
        out, start = [], None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page = client.query(TableName=name, Limit=1, **kwargs, **extra)
            out += [i["sk"]["S"] for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    table_prefix = {"KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
                    "ExpressionAttributeValues": {":p": {"S": "T#q#names"}, ":s": {"S": "N#an"}}}
    assert pages(**table_prefix) == ["N#ana", "N#ana maria", "N#andres"]
    assert pages(**table_prefix, ScanIndexForward=False) == ["N#andres", "N#ana maria", "N#ana"]
    index_range = {"IndexName": "gsi1", "KeyConditionExpression": "gsi1pk = :p AND gsi1sk BETWEEN :a AND :b",
                   "ExpressionAttributeValues": {":p": {"S": "T#q#NAMES"}, ":a": {"S": "ana m"}, ":b": {"S": "beto~"}}}
    # byte order: "ana maria#x" < "ana#x" (a space sorts before "#")
    assert pages(**index_range) == ["N#ana maria", "N#ana", "N#andres", "N#beto"]
    assert pages(**index_range, ScanIndexForward=False) == ["N#beto", "N#andres", "N#ana", "N#ana maria"]
