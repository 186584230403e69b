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
