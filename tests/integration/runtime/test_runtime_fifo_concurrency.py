"""A concurrent SQS event source on a FIFO queue (moto in process, with the runtime's moto patches):
batches of different groups run in parallel, one batch per message group in flight, each group's
messages in order; and the moto speed-ups answer what moto answers."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local import moto_perf
from infra.local.pollers import SqsEventSourcePoller


@pytest.fixture
def sqs() -> Any:
    moto_perf.install()
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")


class _Recorder:
    logical_id = "FifoWorker"
    concurrency = 4

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []
        self.order: dict[str, list[int]] = {}
        self.peak_groups = 0

    def invoke(self, event: dict[str, Any]) -> Any:
        groups = {r["attributes"]["MessageGroupId"] for r in event["Records"]}
        with self.lock:
            self.overlaps += [g for g in groups if g in self.in_flight]
            self.in_flight |= groups
            self.peak_groups = max(self.peak_groups, len(self.in_flight))
        time.sleep(0.1)  # long enough for the other groups' batches to be received meanwhile
        with self.lock:
            for record in event["Records"]:
                body = json.loads(record["body"])
                self.order.setdefault(body["group"], []).append(body["seq"])
            self.in_flight -= groups
        return None


def test_fifo_groups_run_in_parallel_one_batch_per_group_in_order(sqs):
    url = sqs.create_queue(QueueName="work.fifo", Attributes={"FifoQueue": "true",
                                                               "ContentBasedDeduplication": "true"})["QueueUrl"]
    for seq in range(4):
        for group in ("g1", "g2", "g3"):
            sqs.send_message(QueueUrl=url, MessageGroupId=group,
                             MessageBody=json.dumps({"group": group, "seq": seq}))
    recorder = _Recorder()
    poller = SqsEventSourcePoller(recorder, "Fifo", sqs, url, "arn:aws:sqs:us-east-1:123456789012:work.fifo",  # type: ignore[arg-type]
                                  region="us-east-1", batch_size=2, visibility_timeout=1, concurrency=4)
    poller.start()
    try:
        deadline = time.monotonic() + 30
        while sum(len(v) for v in recorder.order.values()) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        poller.signal_stop()
        poller.join()
    assert recorder.order == {"g1": [0, 1, 2, 3], "g2": [0, 1, 2, 3], "g3": [0, 1, 2, 3]}
    assert recorder.overlaps == []  # never two batches of one group in flight
    assert recorder.peak_groups >= 2  # but different groups at once
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_queue_attributes_inside_send_are_moto_s_minus_the_counts(sqs):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    url = sqs.create_queue(QueueName="plain.fifo", Attributes={"FifoQueue": "true",
                                                                "ContentBasedDeduplication": "false"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d")
    queue = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_queue("plain.fifo")
    full = queue.attributes
    moto_perf._static_attributes.on = True
    try:
        cheap = queue.attributes
    finally:
        moto_perf._static_attributes.on = False
    counted = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
               "ApproximateNumberOfMessagesNotVisible"}
    assert full["ApproximateNumberOfMessages"] == 1
    assert cheap == {k: v for k, v in full.items() if k not in counted}
    # moto's own validation still reads them: a FIFO send without a deduplication id is refused.
    with pytest.raises(sqs.exceptions.ClientError):
        sqs.send_message(QueueUrl=url, MessageBody="y", MessageGroupId="g")
