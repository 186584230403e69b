"""Outbox figures (`make bench` / `python -m bench outbox`):

- requests: DynamoDB and EventBridge requests the ingest worker makes per inbound text (known
  customer, open conversation) and a close makes (`POST /v1/conversations/{id}/close`'s domain
  call), in process against moto (`mock_aws`). The events are outbox items of the state's own
  transaction: no PutEvents on either path (before the outbox: 3 DynamoDB + 1 PutEvents per text,
  and one PutEvents after the close's transaction).
- lag: from the write of a state change with its outbox item to the event accepted by the bus,
  through the local runtime (moto server, the template's Pipe: stream poller, enrichment,
  PutEvents) — median and p95 over a run of closes' worth of events.

Each part runs in its own process (moto's in-process mock and the runtime's server must not meet).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from bench.common import ROOT, child_env, figure

BENCH = "outbox"
LAG_EVENTS = 200


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def part_requests() -> Iterator[dict[str, Any]]:
    from bench.channels import _count_calls, _in_moto, _signed_event

    _in_moto()
    from infra.local.pollers import sqs_record
    from skailan.platform.aws import client
    from tests.support import FakeContext, handler_of

    webhook, worker = handler_of("webhooks/meta"), handler_of("workers/ingest")
    queue = os.environ["INBOUND_QUEUE_URL"]
    sqs = client("sqs")
    calls = _count_calls()

    def ingest_one(text: str, wa_id: str, wamid: str) -> list[tuple[str, str]]:
        webhook(_signed_event(text, wa_id, wamid), FakeContext())
        (message,) = sqs.receive_message(QueueUrl=queue, AttributeNames=["All"], MaxNumberOfMessages=1)["Messages"]
        start = len(calls)
        record = sqs_record(message, "arn:aws:sqs:us-east-1:123456789012:skailan-local-inbound.fifo", "us-east-1")
        assert worker({"Records": [record]}, FakeContext())["batchItemFailures"] == []
        made = calls[start:]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        return made

    ingest_one("calentando", "573999999998", "wamid.OW0")
    ingest_one("hola", "573100000009", "wamid.OI1")
    steady = [ingest_one(f"mensaje {n}", "573100000009", f"wamid.OI{n}") for n in range(2, 12)]
    dynamo = [sum(1 for s, _ in made if s == "dynamodb") for made in steady]
    events = [sum(1 for s, _ in made if s == "events") for made in steady]
    yield figure(BENCH, "ingest_dynamodb_requests_per_text", statistics.mean(dynamo), "requests", before=3,
                 operations=[op for s, op in steady[-1] if s == "dynamodb"])
    yield figure(BENCH, "ingest_eventbridge_requests_per_text", statistics.mean(events), "requests", before=1,
                 note="message.received is an outbox item of the message's transaction")

    from skailan.conversations.inbox import actions
    from skailan.conversations.store import messages as store
    from skailan.platform.auth import Caller

    ref = store.find_ref("demo", "demo-whatsapp", "wamid.OI11")
    assert ref is not None
    supervisor = Caller(tenant_id="demo", principal_id="bench-supervisor", kind="user",
                        permissions=frozenset({"conversations:manage"}))
    start = len(calls)
    closed = actions.close(supervisor, "demo", ref.conversation_id, "resolved")
    made = calls[start:]
    assert closed.status == "closed"
    yield figure(BENCH, "close_dynamodb_requests", sum(1 for s, _ in made if s == "dynamodb"), "requests",
                 operations=[op for s, op in made if s == "dynamodb"], before=7,
                 note="close reasons + conversation read, ONE TransactWriteItems (state, load, history, "
                      "the four timers' deletes, outbox)")
    yield figure(BENCH, "close_eventbridge_requests", sum(1 for s, _ in made if s == "events"), "requests",
                 before=1, note="conversation.closed is an outbox item of the close's transaction")


def part_lag() -> Iterator[dict[str, Any]]:
    from infra.local.runtime import LocalRuntime
    from skailan.platform import outbox
    from skailan.platform.aws import reset_clients
    from skailan.platform.events import build_event
    from skailan.platform.storage import transaction

    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    runtime = LocalRuntime(ROOT / "template.yaml", port=0, moto_port=0, schedules=False, seed=False, banner=False,
                           env_overrides={"POWERTOOLS_LOG_LEVEL": "ERROR", "LOG_LEVEL": "ERROR"})
    runtime.start()
    try:
        reset_clients()
        table = runtime.ref("ConversationsTable")
        pipe = next(p for p in runtime.pipes if p.spec.stream_arn.split("/")[1] == table)
        for n in range(LAG_EVENTS):
            event = build_event("skailan.conversations", "bench", "conversation.closed", entity_type="conversation",
                                entity_id=f"c{n}", data={"conversation_id": f"c{n}", "reason_id": "resolved"})
            with transaction() as tx:
                outbox.add(tx, [event], table)
            deadline = time.monotonic() + 30  # one close at a time: latency, not a backlog's queueing
            while pipe.stats.published <= n and time.monotonic() < deadline:
                time.sleep(0.002)
        lags = list(pipe.stats.lags_ms)
    finally:
        runtime.stop()
    yield figure(BENCH, "outbox_lag_write_to_bus_p50", statistics.median(lags), "ms", events=len(lags),
                 note="local runtime: stream → Pipe filter → enrichment → PutEvents accepted")
    yield figure(BENCH, "outbox_lag_write_to_bus_p95", _percentile(lags, 95), "ms", events=len(lags))


PARTS = {"requests": part_requests, "lag": part_lag}


def run() -> Iterator[dict[str, Any]]:
    for name in PARTS:
        out = subprocess.run([sys.executable, "-m", "bench.outbox", name], cwd=ROOT, env=child_env(),
                             capture_output=True, text=True, timeout=900)
        figures = [line for line in out.stdout.splitlines() if line.startswith('{"bench"')]
        if out.returncode != 0 or not figures:
            yield figure(BENCH, f"{name}_failed", 1, "error", stderr=out.stderr[-2000:])
            continue
        for line in figures:
            yield json.loads(line)


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "layers/skailan"), str(ROOT)]
    for item in PARTS[sys.argv[1]]():
        print(json.dumps(item, ensure_ascii=False), flush=True)
