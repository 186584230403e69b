"""The transactional outbox through the local runtime: a table's stream → the template's Pipe
(filter, enrichment, Source/DetailType from the envelope) → the bus → a rule's queue.

A failing PutEvents loses nothing and the events arrive once it recovers; a replayed stream
record is not published twice; only INSERTs of outbox items reach the bus.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local import LocalRuntime, bus_faults

TEMPLATE = Path(__file__).parent / "fixtures" / "pipes" / "template.yaml"
TABLE = "skailan-local-state"


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    from skailan.platform.aws import reset_clients

    local = LocalRuntime(TEMPLATE, port=0, moto_port=0, schedules=False, seed=False, strict=True,
                         banner=False).start()
    reset_clients()
    try:
        yield local
    finally:
        bus_faults.clear()
        local.stop()
        reset_clients()


def _event(type_: str, **data: Any) -> Any:
    from skailan.platform.events import build_event

    return build_event("skailan.conversations", "acme", type_, entity_type="conversation", entity_id="c1",
                       data=data)


def _seen(runtime: LocalRuntime, want: int, timeout: float = 10) -> list[dict[str, Any]]:
    """Every event the rule delivered, until `want` arrived (and a moment more, to catch extras)."""
    sqs = runtime.client("sqs")
    url = runtime.ref("SeenQueue")
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    settle: float | None = None
    while time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []):
            got.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if len(got) >= want and settle is None:
            settle = time.monotonic() + 0.6
        if settle is not None and time.monotonic() > settle:
            break
        time.sleep(0.05)
    return got


def _write(events: list[Any], state_sk: str) -> None:
    """A state change and its events in ONE transaction, as every context writes them."""
    from pynamodb.attributes import UnicodeAttribute
    from pynamodb.models import Model

    from skailan.platform import outbox
    from skailan.platform.storage import transaction

    class State(Model):
        class Meta:
            table_name = TABLE

        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        status = UnicodeAttribute()

    with transaction() as tx:
        tx.save(State("T#acme#C#c1", state_sk, status="closed"))
        outbox.add(tx, events, TABLE)


def test_an_outbox_item_reaches_the_bus_as_publish_would_send_it(runtime: LocalRuntime) -> None:
    event = _event("conversation.closed", reason_id="resolved")
    _write([event], "C")

    (delivered,) = _seen(runtime, 1)
    assert delivered["source"] == "skailan.conversations"
    assert delivered["detail-type"] == "conversation.closed"
    assert delivered["detail"] == json.loads(event.model_dump_json())  # the envelope, unchanged
    # the state item itself (and its later updates) never reach the bus
    runtime.client("dynamodb").update_item(TableName=TABLE, Key={"pk": {"S": "T#acme#C#c1"}, "sk": {"S": "C"}},
                                           UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
                                           ExpressionAttributeValues={":s": {"S": "open"}})
    # re-writing the same outbox item (a retried transaction with a stable id) is a MODIFY: not sent again
    _write([event], "C2")
    assert _seen(runtime, 0, timeout=1.5) == []


def test_events_wait_while_eventbridge_fails_and_arrive_once_it_recovers(runtime: LocalRuntime) -> None:
    bus_faults.add(500, count=10_000)
    events = [_event("conversation.taken", n=n) for n in range(3)]
    _write(events, "T1")
    assert _seen(runtime, 1, timeout=2) == []  # nothing gets through while the bus fails
    (pipe,) = runtime.pipes
    assert pipe.stats.failed_attempts >= 1

    bus_faults.clear()
    delivered = _seen(runtime, 3)
    assert sorted(d["detail"]["id"] for d in delivered) == sorted(e.id for e in events)


def test_entries_the_bus_rejected_are_retried_and_each_event_arrives_once(runtime: LocalRuntime) -> None:
    bus_faults.add(200, count=2, code="ThrottlingException")  # FailedEntryCount, not an HTTP error
    events = [_event("conversation.assigned", n=n) for n in range(12)]  # two PutEvents chunks
    _write(events, "T2")
    delivered = _seen(runtime, 12)
    assert sorted(d["detail"]["id"] for d in delivered) == sorted(e.id for e in events)


def test_a_replayed_stream_record_is_not_published_again(runtime: LocalRuntime) -> None:
    event = _event("conversation.reopened")
    _write([event], "T3")
    assert [d["detail"]["id"] for d in _seen(runtime, 1)] == [event.id]
    (pipe,) = runtime.pipes
    published = pipe.stats.published
    (shard_id, last), = pipe.checkpoints.items()

    pipe.replay_from(shard_id, last - 3)  # the consumer reads that part of the shard again
    pipe.poll_once()

    assert _seen(runtime, 0, timeout=1.5) == []
    assert pipe.stats.published == published
    assert pipe.checkpoints[shard_id] == last
