"""CRM test helpers: deliver what EventBridge put on a worker's queue (moto) to that worker."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from tests.support import FakeContext, handler_of, sample_event

WORKERS = {
    "skailan-local-crm-segments": ("workers/segments", "SegmentsWorkerFunction", "contact_updated"),
    "skailan-local-crm-exports": ("workers/exports", "ExportsWorkerFunction", "export_requested"),
}


def _records(queue: str) -> list[dict]:
    from skailan.platform.aws import client

    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    _dir, function, sample = WORKERS[queue]
    records = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return records
        for message in batch:
            record = copy.deepcopy(sample_event(function, sample)["Records"][0])
            record.update(messageId=message["MessageId"], receiptHandle=message["ReceiptHandle"], body=message["Body"])
            records.append(record)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def deliver(aws) -> Callable[[str], dict]:
    """`deliver("skailan-local-crm-segments")` runs the worker on every queued message, in order."""

    def run(queue: str) -> dict:
        records = _records(queue)
        function_dir = WORKERS[queue][0]
        result = {"batchItemFailures": []}
        for start in range(0, len(records), 10):
            out = handler_of(function_dir)({"Records": records[start:start + 10]}, FakeContext())
            result["batchItemFailures"] += out["batchItemFailures"]
        result["delivered"] = len(records)
        return result

    return run


@pytest.fixture
def drained(deliver) -> Callable[[], None]:
    """Empty the CRM worker queues (events left by earlier tests)."""

    def run() -> None:
        for queue in WORKERS:
            deliver(queue)

    run()
    return run
