"""moto_perf's DynamoDB fast paths: answers, parsed requests and updates are exactly moto's own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.core.parse import BaseJSONParser, JSONParser
from moto.core.serialize import BaseJSONSerializer, JSONSerializer, XFormedAttributePicker
from moto.core.utils import get_service_model

from infra.local import moto_perf

ITEM: dict[str, Any] = {
    "pk": {"S": "T#demo#C#1"},
    "sk": {"S": ""},
    "count": {"N": "12.5"},
    "open": {"BOOL": False},
    "gone": {"NULL": True},
    "tags": {"SS": ["a", "b"]},
    "scores": {"NS": ["1", "2"]},
    "contact": {"M": {"name": {"S": "Ana"}, "phones": {"L": [{"S": "+57"}, {"N": "3"}]}, "empty": {"M": {}}}},
    "history": {"L": [{"M": {"at": {"S": "2026"}}}, {"L": []}, {"BOOL": True}]},
}


class _MotoOwn(JSONSerializer):
    _serialize_type_structure = BaseJSONSerializer._serialize_type_structure  # moto without the patch


def _serialize(serializer_class: type, service: str, operation: str, result: Any) -> Any:
    model = get_service_model(service).operation_model(operation)
    serializer = serializer_class(operation_model=model, pretty_print=False, value_picker=XFormedAttributePicker())
    return json.loads(serializer.serialize(result)["body"])


@pytest.mark.parametrize("result", [
    {"Item": ITEM},
    {"Item": {**ITEM, "blob": {"B": "aGVsbG8="}}},  # a binary attribute: moto's own path, whole item
    {"Items": [ITEM, {"pk": {"S": "x"}}], "Count": 2, "ScannedCount": 2, "LastEvaluatedKey": {"pk": {"S": "x"}}},
])
def test_the_fast_path_answers_what_moto_answers(result: dict[str, Any]) -> None:
    moto_perf.install()
    operation = "GetItem" if "Item" in result else "Query"
    fast = _serialize(JSONSerializer, "dynamodb", operation, result)
    assert fast == _serialize(_MotoOwn, "dynamodb", operation, result)
    assert (fast.get("Item") or fast["Items"][0])["contact"] == ITEM["contact"]


def test_only_plain_values_take_the_fast_path() -> None:
    assert moto_perf.plain_attribute_value({"M": {"a": {"S": "x"}}}) == {"M": {"a": {"S": "x"}}}
    for value in ({"B": "aGk="}, {"M": {"a": {"BS": []}}}, {"L": [{"N": 1}]}, {"S": None}, {}, "S",
                  {"S": "a", "N": "1"}):
        assert moto_perf.plain_attribute_value(value) is moto_perf._NOT_PLAIN


class _MotoOwnParser(JSONParser):
    _parse_structure = BaseJSONParser._parse_structure  # moto without the patch


@pytest.mark.parametrize(("operation", "request_body"), [
    ("PutItem", {"TableName": "t", "Item": ITEM, "ConditionExpression": "attribute_not_exists(pk)"}),
    ("PutItem", {"TableName": "t", "Item": {**ITEM, "blob": {"B": "aGVsbG8="}}}),  # decoded by moto's own path
    ("UpdateItem", {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}}, "UpdateExpression": "SET #a = :v",
                    "ExpressionAttributeNames": {"#a": "a"}, "ExpressionAttributeValues": {":v": ITEM["contact"]}}),
    ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "t", "Item": ITEM}},
                                              {"Delete": {"TableName": "t", "Key": {"pk": {"S": "x"}}}}]}),
])
def test_requests_parse_to_what_moto_parses(operation: str, request_body: dict[str, Any]) -> None:
    moto_perf.install()
    model = get_service_model("dynamodb").operation_model(operation)
    request = {"method": "POST", "values": {}, "headers": {}, "body": json.dumps(request_body).encode(),
               "url_path": "/", "url_params": {}}
    fast = JSONParser(model, map_type=dict).parse(request)  # type: ignore[arg-type]
    assert fast == _MotoOwnParser(model, map_type=dict).parse(request)  # type: ignore[arg-type]
    if "blob" not in json.dumps(request_body):
        assert fast == request_body


def test_an_update_expression_parsed_once_is_never_changed_by_the_updates_that_use_it() -> None:
    import boto3
    from moto import mock_aws

    moto_perf.install()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        expression = "SET #t = :t, tags = list_append(if_not_exists(tags, :empty), :tag) ADD n :one"
        for pk, text in (("a", "uno"), ("a", "dos"), ("b", "tres")):  # new item, existing item, new item
            dynamodb.update_item(TableName="t", Key={"pk": {"S": pk}}, UpdateExpression=expression,
                                 ExpressionAttributeNames={"#t": "text"},
                                 ExpressionAttributeValues={":t": {"S": text}, ":empty": {"L": []},
                                                            ":tag": {"L": [{"S": text}]}, ":one": {"N": "1"}})
        dynamodb.transact_write_items(TransactItems=[{"Update": {
            "TableName": "t", "Key": {"pk": {"S": "b"}}, "UpdateExpression": expression,
            "ExpressionAttributeNames": {"#t": "text"},
            "ExpressionAttributeValues": {":t": {"S": "cuatro"}, ":empty": {"L": []},
                                          ":tag": {"L": [{"S": "cuatro"}]}, ":one": {"N": "1"}}}}])
        a = dynamodb.get_item(TableName="t", Key={"pk": {"S": "a"}})["Item"]
        b = dynamodb.get_item(TableName="t", Key={"pk": {"S": "b"}})["Item"]
        with pytest.raises(dynamodb.exceptions.ClientError):  # a parse error is still an error, every time
            dynamodb.update_item(TableName="t", Key={"pk": {"S": "c"}}, UpdateExpression="SET = broken")
        with pytest.raises(dynamodb.exceptions.ClientError):
            dynamodb.update_item(TableName="t", Key={"pk": {"S": "c"}}, UpdateExpression="SET = broken")
    assert a == {"pk": {"S": "a"}, "text": {"S": "dos"}, "tags": {"L": [{"S": "uno"}, {"S": "dos"}]}, "n": {"N": "2"}}
    assert b == {"pk": {"S": "b"}, "text": {"S": "cuatro"}, "tags": {"L": [{"S": "tres"}, {"S": "cuatro"}]},
                 "n": {"N": "2"}}


def test_method_names_follow_a_method_added_after_the_first_request() -> None:
    from moto.core import responses

    moto_perf.install()

    class Handler:
        def one(self) -> None: ...

    assert responses.method_names_from_class(Handler) == ["one"]
    Handler.two = lambda self: None  # type: ignore[attr-defined]
    assert responses.method_names_from_class(Handler) == ["one", "two"]
