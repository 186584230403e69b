"""tests/provisioning.Snapshot, which every integration module starts from: a restored world holds
exactly what was there when the copy was taken — nothing a previous module wrote — and works
like a fresh one (an SQS queue's condition, DynamoDB transactions and streams)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.base_backend import BackendDict

from infra.local import moto_dynamodb
from tests.provisioning import Snapshot

REGION = "us-east-1"


@pytest.fixture
def moto() -> Iterator[None]:
    moto_dynamodb.install()
    with mock_aws():  # fake credentials of its own
        yield


def _world() -> tuple[Any, Any, str]:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    dynamodb.create_table(TableName="t", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST",
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    dynamodb.put_item(TableName="t", Item={"pk": {"S": "seeded"}})
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="seeded")
    return dynamodb, sqs, url


def _reset_and_restore(snapshot: Snapshot) -> tuple[Any, Any]:
    BackendDict.reset()  # what entering mock_aws() does for the next module
    assert snapshot.restore() == {"TABLE": "t"}
    return boto3.client("dynamodb", region_name=REGION), boto3.client("sqs", region_name=REGION)


def test_a_restored_world_holds_only_what_the_copy_held(moto: None) -> None:
    dynamodb, sqs, url = _world()
    snapshot = Snapshot({"TABLE": "t"})
    # What a module does after the copy: more items, a message taken, a new queue and bucket.
    dynamodb.put_item(TableName="t", Item={"pk": {"S": "written-later"}})
    taken = sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"]
    assert [m["Body"] for m in taken] == ["seeded"]
    sqs.create_queue(QueueName="later")
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="later")

    for _module in range(2):  # every restore is a new copy: the first module's writes never reach the second
        dynamodb, sqs = _reset_and_restore(snapshot)
        keys = sorted(i["pk"]["S"] for i in dynamodb.scan(TableName="t")["Items"])
        assert keys == ["seeded"]
        assert [u.rsplit("/", 1)[-1] for u in sqs.list_queues().get("QueueUrls", [])] == ["q"]
        assert boto3.client("s3", region_name=REGION).list_buckets()["Buckets"] == []
        messages = sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"]
        assert [m["Body"] for m in messages] == ["seeded"]  # visible again: it was when copied
        dynamodb.put_item(TableName="t", Item={"pk": {"S": "module-write"}})


def test_a_restored_queue_wakes_a_long_poll_and_transactions_still_apply(moto: None) -> None:
    _world()
    snapshot = Snapshot({"TABLE": "t"})
    dynamodb, sqs = _reset_and_restore(snapshot)
    url = sqs.get_queue_url(QueueName="q")["QueueUrl"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"])

    # The copy's queue has a condition of its own (a field-by-field copy would wait on the original's
    # lock and fail): a long poll started on the empty queue gets a message sent from another thread.
    received: list[str] = []

    def poll() -> None:
        reply = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)
        received.extend(m["Body"] for m in reply.get("Messages", []))

    poller = threading.Thread(target=poll)
    poller.start()
    sqs.send_message(QueueUrl=url, MessageBody="after-restore")
    poller.join(10)
    assert not poller.is_alive()
    if not received:  # the send landed before the poll began waiting: it is there all the same
        received = [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]]
    assert received == ["after-restore"]

    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "t", "Item": {"pk": {"S": "tx"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
    ])
    table = dynamodb.describe_table(TableName="t")["Table"]
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    shard = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=table["LatestStreamArn"], ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in streams.get_records(ShardIterator=iterator)["Records"]]
    assert keys == ["seeded", "tx"]  # the copied stream record, then the new write
