"""DynamoDB requests per inbound message in the consumers of `message.received` (issue 17), pinned.

Three WhatsApp texts of one customer go through the webhook and the ingest worker; the events land
on each consumer's queue (the outbox relay and moto's EventBridge), and each worker takes them as
ONE batch, as Lambda's event source would. A stub around botocore counts what the worker asks:
brand-wide items are read once per batch (skailan.platform.batch_reads), the segments worker
evaluates the person the update returned instead of reading it again.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.inbox.conftest import customer_writes, purge_inbox_queues, reset_agents

QUEUES = {"workers/inbox_events": "skailan-local-inbox-events", "workers/realtime_push": "skailan-local-realtime",
          "workers/segments": "skailan-local-crm-segments", "workers/automations": "skailan-local-automations"}


def _drop_waiting() -> None:
    from skailan.platform.aws import client

    sqs = client("sqs")
    for name in QUEUES.values():
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture(autouse=True)
def clean(demo: Any) -> Iterator[None]:
    reset_agents()
    purge_inbox_queues()
    _drop_waiting()
    yield
    purge_inbox_queues()
    _drop_waiting()


def _key(params: dict[str, Any]) -> str:
    key = params.get("Key") or {}
    values = [next(iter(v.values())) for v in key.values()] if key else \
        [next(iter(v.values())) for v in (params.get("ExpressionAttributeValues") or {}).values()][:1]
    return "|".join(str(v) for v in values)


def _one_batch(function_dir: str) -> tuple[list[str], collections.Counter[tuple[str, str]]]:
    """The worker on everything waiting on its queue, as one batch: the event types and the
    DynamoDB requests it made, by (operation, key)."""
    from botocore.client import BaseClient

    from infra.local.pollers import sqs_record
    from skailan.platform.aws import client
    from skailan.platform.events import event_from_sqs_body
    from tests.support import FakeContext, handler_of

    sqs = client("sqs")
    name = QUEUES[function_dir]
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    messages: list[dict[str, Any]] = []
    while len(messages) < 10 and (got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                             AttributeNames=["All"]).get("Messages", [])):
        messages += got
    handler = handler_of(function_dir)
    made: collections.Counter[tuple[str, str]] = collections.Counter()
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def counting(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            made[(operation, _key(params))] += 1
        return original(self, operation, params)

    BaseClient._make_api_call = counting  # type: ignore[attr-defined]
    try:
        arn = f"arn:aws:sqs:us-east-1:123456789012:{name}"
        result = handler({"Records": [sqs_record(m, arn, "us-east-1") for m in messages]}, FakeContext())
    finally:
        BaseClient._make_api_call = original  # type: ignore[attr-defined]
    assert result["batchItemFailures"] == []
    return [event_from_sqs_body(m["Body"]).type for m in messages], made


def _reads(made: collections.Counter[tuple[str, str]], operation: str, key_part: str) -> int:
    return sum(n for (op, key), n in made.items() if op == operation and key_part in key)


@pytest.fixture
def three_messages(request: pytest.FixtureRequest) -> str:
    """Three texts of a customer whose person and conversation exist (a new customer per test,
    whose first message's events are dropped): each queue then holds three message.received."""
    run = sum(ord(c) for c in request.node.name) % 100_000
    wa_id, ids = f"5731077{run:05d}", [f"wamid.RC{run}.{n}" for n in range(4)]
    conversation_id = customer_writes("hola", wa_id=wa_id, message_id=ids[0], run_inbox=False)
    purge_inbox_queues()
    _drop_waiting()
    for text, message_id in zip(("¿tienen envíos?", "a Pasto", "gracias"), ids[1:], strict=True):
        customer_writes(text, wa_id=wa_id, message_id=message_id, run_inbox=False)
    return conversation_id


def test_the_inbox_worker_reads_the_settings_and_the_brand_once_per_batch(three_messages: str) -> None:
    types, made = _one_batch("workers/inbox_events")
    assert types.count("message.received") == 3
    # Before: the inbox settings and the brand's hours once per message (3 each).
    assert _reads(made, "GetItem", "#INBOX|SETTINGS") == 1
    assert _reads(made, "GetItem", "T#demo|BRAND") == 1
    assert _reads(made, "GetItem", f"#C#{three_messages}|C") >= 3  # the conversation itself: per record


def test_the_push_worker_lists_the_brands_sockets_once_per_batch(three_messages: str) -> None:
    types, made = _one_batch("workers/realtime_push")
    assert types.count("message.received") == 3
    assert _reads(made, "Query", "T#demo#CONN") == 1  # before: once per event


def test_the_segments_worker_reads_the_person_once_and_the_segments_once_per_batch(three_messages: str) -> None:
    from skailan.crm.store.person_reads import find_person

    types, made = _one_batch("workers/segments")
    assert types.count("message.received") == 3
    person_reads = sum(n for (op, key), n in made.items() if op == "GetItem" and key.endswith("|PERSON"))
    # Before: 2 per message whose interaction moved forward (the person before its update, and again,
    # consistently, to evaluate it); now the update's answer is evaluated.
    assert person_reads == 3
    assert _reads(made, "Query", "T#demo#SEGMENTS") == 1
    person_ids = {key.split("#P#")[1].split("|")[0] for (op, key) in made if key.endswith("|PERSON")}
    (person_id,) = person_ids
    person = find_person("demo", person_id)
    assert person is not None and person.last_interaction_at  # the update itself still happened


def test_the_automations_worker_asks_once_per_batch_for_a_trigger_nothing_uses(three_messages: str) -> None:
    types, made = _one_batch("workers/automations")
    assert types.count("message.received") == 3
    assert _reads(made, "Query", "T#demo#TRIGGER#message_received") == 1  # before: 3
