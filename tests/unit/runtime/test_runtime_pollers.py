"""The Lambda SQS event and the delete rules of an SQS event source mapping (fake queue, no sockets)."""

from __future__ import annotations

import json

import pytest
from moto.events.models import EventPattern

from infra.local.functions import FunctionError
from infra.local.pollers import (
    AsyncInvokePoller,
    SqsEventSourcePoller,
    failed_message_ids,
    matches_filters,
    sns_lambda_event,
    sqs_record,
)

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:work"


def _message(message_id: str, body: str = "{}", receive_count: str = "1", **extra) -> dict:
    return {
        "MessageId": message_id,
        "ReceiptHandle": f"rh-{message_id}",
        "MD5OfBody": "md5",
        "Body": body,
        "Attributes": {
            "SenderId": "AIDA",
            "SentTimestamp": "1700000000000",
            "ApproximateReceiveCount": receive_count,
            "ApproximateFirstReceiveTimestamp": "1700000000001",
            **extra,
        },
    }


def test_sqs_record_has_the_lambda_shape():
    message = _message("m1", "hello", MessageGroupId="g", MessageDeduplicationId="d", SequenceNumber="1")
    message["MessageAttributes"] = {
        "kind": {"StringValue": "x", "DataType": "String"},
        "blob": {"BinaryValue": b"\x00\x01", "DataType": "Binary"},
    }
    message["MD5OfMessageAttributes"] = "md5attrs"

    record = sqs_record(message, QUEUE_ARN, "us-east-1")

    assert record == {
        "messageId": "m1",
        "receiptHandle": "rh-m1",
        "body": "hello",
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1700000000000",
            "SenderId": "AIDA",
            "ApproximateFirstReceiveTimestamp": "1700000000001",
            "SequenceNumber": "1",
            "MessageGroupId": "g",
            "MessageDeduplicationId": "d",
        },
        "messageAttributes": {
            "kind": {
                "stringValue": "x",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            },
            "blob": {
                "binaryValue": "AAE=",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "Binary",
            },
        },
        "md5OfBody": "md5",
        "md5OfMessageAttributes": "md5attrs",
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "us-east-1",
    }


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": None}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, None),
        ({"batchItemFailures": [{"id": "b"}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, None),
        ("done", None),
    ],
)
def test_batch_item_failure_rules(result, failed):
    assert failed_message_ids(result, ["a", "b", "c"]) == failed


def test_filter_criteria_match_the_parsed_body():
    record = sqs_record(
        _message("m", json.dumps({"type": "message.received", "n": 5})), QUEUE_ARN, "us-east-1"
    )
    assert matches_filters(record, [])
    assert matches_filters(
        record, [EventPattern.load(json.dumps({"body": {"type": [{"prefix": "message."}]}}))]
    )
    assert not matches_filters(
        record, [EventPattern.load(json.dumps({"body": {"n": [{"numeric": [">", 9]}]}}))]
    )


def test_sns_lambda_event():
    body = json.dumps(
        {
            "Type": "Notification",
            "MessageId": "1",
            "TopicArn": "arn:t",
            "Subject": "s",
            "Message": "m",
            "Timestamp": "2025-01-01T00:00:00.000Z",
            "SigningCertURL": "c",
            "UnsubscribeURL": "u",
            "MessageAttributes": {},
        }
    )
    record = sns_lambda_event(body, "arn:t:sub")["Records"][0]
    assert record["EventSource"] == "aws:sns" and record["EventSubscriptionArn"] == "arn:t:sub"
    assert record["Sns"]["Message"] == "m" and record["Sns"]["SigningCertUrl"] == "c"


class FakeQueue:
    def __init__(self) -> None:
        self.deleted: list[str] = []
        self.sent: list[str] = []

    def delete_message_batch(self, QueueUrl, Entries):
        self.deleted += [entry["ReceiptHandle"] for entry in Entries]
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries]}

    def send_message(self, QueueUrl, MessageBody):
        self.sent.append(MessageBody)


class FakeFunction:
    logical_id = "Worker"

    def __init__(self, behaviour) -> None:
        self.behaviour = behaviour
        self.events: list = []

    def invoke(self, event):
        self.events.append(event)
        return self.behaviour(event)


def _raise(_event):
    raise FunctionError("Worker", "RuntimeError", "boom")


def _poller(behaviour, report=True, filters=None):
    queue, function = FakeQueue(), FakeFunction(behaviour)
    poller = SqsEventSourcePoller(
        function,
        "Work",
        queue,
        "url",
        QUEUE_ARN,
        region="us-east-1",
        report_batch_item_failures=report,
        filters=filters,
    )
    return poller, queue, function


MESSAGES = [_message("a", '{"n": 1}'), _message("b", '{"n": 2}'), _message("c", '{"n": 3}')]


def test_success_deletes_the_batch():
    poller, queue, function = _poller(lambda event: None, report=False)
    poller.process(MESSAGES)
    assert queue.deleted == ["rh-a", "rh-b", "rh-c"]
    assert [r["messageId"] for r in function.events[0]["Records"]] == ["a", "b", "c"]


def test_exception_deletes_nothing():
    for report in (False, True):
        poller, queue, _ = _poller(_raise, report=report)
        poller.process(MESSAGES)
        assert queue.deleted == []


def test_partial_failures_delete_the_others():
    poller, queue, _ = _poller(lambda event: {"batchItemFailures": [{"itemIdentifier": "b"}]})
    poller.process(MESSAGES)
    assert queue.deleted == ["rh-a", "rh-c"]


def test_invalid_partial_response_deletes_nothing():
    poller, queue, _ = _poller(lambda event: {"batchItemFailures": [{"itemIdentifier": "unknown"}]})
    poller.process(MESSAGES)
    assert queue.deleted == []


def test_filtered_out_messages_are_deleted_without_invocation():
    pattern = EventPattern.load(json.dumps({"body": {"n": [{"numeric": [">=", 2]}]}}))
    poller, queue, function = _poller(lambda event: None, filters=[pattern])
    poller.process(MESSAGES)
    assert queue.deleted == ["rh-a", "rh-b", "rh-c"]
    assert [r["messageId"] for r in function.events[0]["Records"]] == ["b", "c"]


def test_async_invocations_retry_then_go_to_the_dead_letter_queue():
    queue, function = FakeQueue(), FakeFunction(_raise)
    poller = AsyncInvokePoller(function, "Rule", queue, "url", max_retries=2, dead_letter_queue_url="dlq")

    poller.process([_message("x", '{"detail": {}}', receive_count="1")])
    poller.process([_message("x", '{"detail": {}}', receive_count="3")])

    assert queue.deleted == ["rh-x"]  # left for a retry the first time, given up on the third attempt
    assert queue.sent == ['{"detail": {}}']
    assert function.events == [{"detail": {}}, {"detail": {}}]
