"""AWS requests per inbound message (issue 17): the runtime's counter by caller, and the outbox
Pipes' stream reads pinned (no sockets, no moto: stub clients count the calls)."""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from infra.local import request_counts, streams
from infra.local.streams import PipeSpec, StreamPipePoller


def test_requests_are_charged_to_the_invoked_function_else_to_the_thread() -> None:
    request_counts.install()
    sqs = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(sqs)
    for _ in range(3):
        stub.add_response("get_queue_url", {"QueueUrl": "http://q"}, {"QueueName": "q"})
    before = request_counts.snapshot()

    def poller() -> None:
        sqs.get_queue_url(QueueName="q")

    with stub:
        with request_counts.invoking("IngestWorkerFunction"):
            sqs.get_queue_url(QueueName="q")
            sqs.get_queue_url(QueueName="q")
        thread = threading.Thread(target=poller, name="skailan-local-poller-Fn.Source")
        thread.start()
        thread.join()

    counted = request_counts.difference(request_counts.snapshot(), before)
    assert counted == {"IngestWorkerFunction": {"sqs:GetQueueUrl": 2}, "poller-Fn.Source": {"sqs:GetQueueUrl": 1}}


class _Streams:
    """DynamoDB Streams answering `batches` in turn (then nothing), counting GetRecords."""

    def __init__(self, batches: list[int]) -> None:
        self.batches = batches
        self.get_records_calls = 0
        self.sequence = 0

    def describe_stream(self, **_: Any) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **_: Any) -> dict[str, Any]:
        return {"ShardIterator": "it-0"}

    def get_records(self, **_: Any) -> dict[str, Any]:
        self.get_records_calls += 1
        count = self.batches.pop(0) if self.batches else 0
        records = []
        for _n in range(count):
            self.sequence += 1
            records.append({"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(self.sequence),
                                                                "NewImage": {"pk": {"S": f"T#acme#outbox#{self.sequence}"}}}})
        return {"Records": records, "NextShardIterator": f"it-{self.sequence}"}


class _Bus:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.entries += Entries
        return {"Entries": [{"EventId": str(n)} for n in range(len(Entries))]}


class _StopAtFirstIdleWait(threading.Event):
    """The pipe's wake-up: its first idle wait stops the pipe, so `_run` returns without sleeping."""

    def __init__(self, pipe: StreamPipePoller) -> None:
        super().__init__()
        self.pipe = pipe

    def wait(self, timeout: float | None = None) -> bool:
        self.pipe.signal_stop()
        return False


def _pipe(batches: list[int]) -> tuple[StreamPipePoller, _Streams, _Bus]:
    stream, bus = _Streams(batches), _Bus()
    spec = PipeSpec(name="p", stream_arn="arn:aws:dynamodb:us-east-1:1:table/t/stream/x", bus_name="b",
                    source="skailan.test", detail_type="thing.happened")
    pipe = StreamPipePoller(spec, stream, bus, sqs=None)
    pipe._wake = _StopAtFirstIdleWait(pipe)
    return pipe, stream, bus


def test_a_pipe_reads_its_stream_once_per_wake_up() -> None:
    pipe, stream, bus = _pipe([2])
    pipe._run()
    assert len(bus.entries) == 2
    # Before: every read that found records was followed by an empty one (2 GetRecords).
    assert stream.get_records_calls == 1


def test_a_full_read_is_followed_by_another_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "READ_LIMIT", 3)
    pipe, stream, bus = _pipe([3, 1])
    pipe._run()
    assert len(bus.entries) == 4
    assert stream.get_records_calls == 2


class _TricklingQueue:
    """SQS with a message arriving every 10 ms: a receive answers what has arrived (a long poll
    waits for the next one), counting ReceiveMessage."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.taken = 0
        self.receives = 0

    def _arrived(self) -> int:
        return 1 + int((time.monotonic() - self.started) / 0.01) - self.taken

    def receive_message(self, *, MaxNumberOfMessages: int, WaitTimeSeconds: int, **_: Any) -> dict[str, Any]:
        self.receives += 1
        while WaitTimeSeconds and self._arrived() <= 0:
            time.sleep(0.002)
        count = max(0, min(MaxNumberOfMessages, self._arrived()))
        messages = [{"MessageId": f"m{self.taken + n}", "ReceiptHandle": "r", "Body": "{}"} for n in range(count)]
        self.taken += count
        return {"Messages": messages}


def test_a_batching_window_gathers_a_stream_of_messages_in_a_few_receives(monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.local import pollers

    monkeypatch.setattr(pollers, "GATHER_SECONDS", 0.05)
    queue = _TricklingQueue()
    poller = pollers.QueuePoller("Fn.Source", queue, "http://q", batch_size=10, batching_window=1)
    batch = poller._receive_batch()
    assert len(batch) == 10
    # Before: a long poll answers at the first message, so one ReceiveMessage per message (10).
    assert queue.receives <= 4
