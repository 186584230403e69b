"""Channel figures (`make bench` / `python -m bench channels`):

- webhook: the Meta webhook handler in process for a signed WhatsApp text — p50/p99 ms over
  warm calls, and the AWS requests on that path (aim: exactly one, the SendMessageBatch);
- ingest: AWS requests the ingest worker makes per inbound text (known customer, open
  conversation; and a first message from a new customer) — aim ≤ 4 DynamoDB requests;
- e2e: messages per second from webhook POST to stored message through the local runtime
  (`infra.local`, HTTP, pollers, moto server), and its ratio to moto's own floor measured in
  the same run: the same number of 3-item TransactWriteItems sent straight to that moto.
  The webhooks are posted by `E2E_SENDERS` concurrent senders (as Meta delivers them), each
  owning some customers and posting each customer's messages in order (FIFO per customer).

Each part runs in its own process (moto's in-process mock and the runtime's server must not
meet). Handlers run in moto, so absolute times include moto's; the request counts do not.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from bench.common import ROOT, child_env, figure

BENCH = "channels"
WEBHOOK_CALLS = 300
E2E_MESSAGES = 200
E2E_CUSTOMERS = 20
E2E_SENDERS = 4


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _count_calls() -> list[tuple[str, str]]:
    from botocore.client import BaseClient

    calls: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        calls.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = counting  # type: ignore[method-assign]
    return calls


def _time_in_aws() -> list[float]:
    """Seconds spent inside AWS calls (moto here), appended per call."""
    from botocore.client import BaseClient

    spent: list[float] = []
    original = BaseClient._make_api_call

    def timed(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return original(self, operation_name, api_params)
        finally:
            spent.append(time.perf_counter() - started)

    BaseClient._make_api_call = timed  # type: ignore[method-assign]
    return spent


def _signed_event(text: str, wa_id: str, wamid: str) -> dict[str, Any]:
    from infra.local.fake_providers import meta_signature, whatsapp_message_payload
    from tests.support import sample_event

    event = sample_event("MetaWebhookFunction", "whatsapp_text")
    raw = json.dumps(whatsapp_message_payload("100000000000001", "200000000000001", wa_id=wa_id, name="Bench",
                                              message_id=wamid, text=text)).encode()
    event["body"] = raw.decode()
    event["headers"] = {**event["headers"], "x-hub-signature-256": meta_signature(raw, "demo-meta-secret")}
    return event


def _in_moto() -> Any:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
                      POWERTOOLS_TRACE_DISABLED="true", STAGE="local", POWERTOOLS_LOG_LEVEL="ERROR",
                      LOG_LEVEL="ERROR")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    mock = mock_aws()
    mock.start()
    from tests.provisioning import provision_for_tests

    os.environ.update(provision_for_tests())
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    from skailan.platform.settings import get_settings

    get_settings.cache_clear()
    from infra.local import seed

    seed.seed_data()
    return mock


# ---------------------------------------------------------------- parts (each in its own process)


def part_webhook() -> Iterator[dict[str, Any]]:
    _in_moto()
    from tests.support import FakeContext, handler_of

    handler = handler_of("webhooks/meta")
    context = FakeContext()
    cold = _count_calls()
    in_aws = _time_in_aws()
    assert handler(_signed_event("calentando", "573000000001", "wamid.WARM"), context)["statusCode"] == 200
    cold_calls = list(cold)
    times: list[float] = []
    own: list[float] = []
    per_call: list[int] = []
    for n in range(WEBHOOK_CALLS):
        event = _signed_event("¿Tienen envíos a Medellín?", f"5730{n:08d}", f"wamid.B{n}")
        before, aws_before = len(cold), len(in_aws)
        started = time.perf_counter()
        result = handler(event, context)
        total = time.perf_counter() - started
        times.append(total * 1000)
        own.append((total - sum(in_aws[aws_before:])) * 1000)
        per_call.append(len(cold) - before)
        assert result["statusCode"] == 200, result
    warm_ops = sorted({op for _, op in cold[len(cold_calls):]})
    yield figure(BENCH, "webhook_whatsapp_text_p50", statistics.median(times), "ms", calls=WEBHOOK_CALLS,
                 note="in process, moto's in-process SQS")
    yield figure(BENCH, "webhook_whatsapp_text_p99", _percentile(times, 99), "ms", calls=WEBHOOK_CALLS)
    yield figure(BENCH, "webhook_own_code_p50", statistics.median(own), "ms",
                 p99=round(_percentile(own, 99), 2), note="handler time minus the time inside the AWS call")
    yield figure(BENCH, "webhook_aws_calls_warm", statistics.mean(per_call), "requests", aim=1,
                 operations=warm_ops)
    yield figure(BENCH, "webhook_aws_calls_cold", len(cold_calls), "requests",
                 operations=[op for _, op in cold_calls], note="first call: secret + route guard + enqueue")


def part_ingest() -> Iterator[dict[str, Any]]:
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
        result = worker({"Records": [record]}, FakeContext())
        assert result["batchItemFailures"] == [], result
        made = calls[start:]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        return made

    ingest_one("calentando", "573999999999", "wamid.W0")  # container caches (account, clients)
    first = ingest_one("hola", "573100000001", "wamid.I1")
    steady = [ingest_one(f"mensaje {n}", "573100000001", f"wamid.I{n}") for n in range(2, 12)]
    dynamo = [sum(1 for s, _ in made if s == "dynamodb") for made in steady]
    total = [len(made) for made in steady]
    yield figure(BENCH, "ingest_dynamodb_requests_per_text", statistics.mean(dynamo), "requests", aim="<= 4",
                 operations=[op for service, op in steady[-1] if service == "dynamodb"],
                 note="CRM identity + person GetItems, one TransactWriteItems")
    yield figure(BENCH, "ingest_aws_requests_per_text", statistics.mean(total), "requests",
                 operations=[f"{service}:{op}" for service, op in steady[-1]],
                 note="DynamoDB + one PutEvents (message.received); SQS receive/delete are the event source's")
    yield figure(BENCH, "ingest_aws_requests_first_message", len(first), "requests",
                 operations=[op for _, op in first],
                 note="new person (CRM identities) + conversation created after the append misses")


def part_e2e() -> Iterator[dict[str, Any]]:
    import httpx

    from infra.local import request_counts
    from infra.local.fake_providers import meta_signature, whatsapp_message_payload
    from infra.local.runtime import LocalRuntime

    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    runtime = LocalRuntime(ROOT / "template.yaml", port=0, moto_port=0, schedules=False, seed=True, banner=False,
                           env_overrides={"POWERTOOLS_LOG_LEVEL": "ERROR", "LOG_LEVEL": "ERROR"})
    runtime.start()
    try:
        table = runtime.ref("ConversationsTable")
        dynamodb = runtime.client("dynamodb")
        run = uuid.uuid4().hex[:6]

        def stored() -> int:
            count, start = 0, None
            while True:
                params: dict[str, Any] = {
                    "TableName": table, "Select": "COUNT",
                    "FilterExpression": "begins_with(provider_message_id, :p)",
                    "ExpressionAttributeValues": {":p": {"S": f"wamid.E{run}"}},
                }
                if start:
                    params["ExclusiveStartKey"] = start
                page = dynamodb.scan(**params)
                count += page["Count"]
                start = page.get("LastEvaluatedKey")
                if not start:
                    return count

        bodies: list[list[bytes]] = [[] for _ in range(E2E_SENDERS)]
        for n in range(E2E_MESSAGES):
            # 20 customers, 10 messages each: FIFO order per customer, customers in parallel. Brand
            # acme: the demo brand's inbox bots would add their own replies to the measure.
            customer = n % E2E_CUSTOMERS
            raw = json.dumps(whatsapp_message_payload("100000000000002", "200000000000002",
                                                      wa_id=f"5731{run}{customer:03d}", name=f"Cliente {customer}",
                                                      message_id=f"wamid.E{run}{n:05d}", text=f"mensaje {n}")).encode()
            bodies[customer % E2E_SENDERS].append(raw)  # a customer's messages: one sender, in order
        post_times: list[float] = []
        failures: list[str] = []

        def send(own: list[bytes]) -> None:
            with httpx.Client(base_url=runtime.url, timeout=30) as http:
                for raw in own:
                    sent = time.perf_counter()
                    reply = http.post("/webhooks/meta/demo-meta-app", content=raw, headers={
                        "content-type": "application/json",
                        "x-hub-signature-256": meta_signature(raw, "demo-meta-secret")})
                    post_times.append((time.perf_counter() - sent) * 1000)
                    if reply.status_code != 200:
                        failures.append(reply.text)

        senders = [threading.Thread(target=send, args=(own,)) for own in bodies]
        # CPU per message: unlike the rates, it hardly moves with the machine's other load.
        cpu_started, moto_cpu_started = time.process_time(), runtime.moto_cpu_seconds()
        requests_started = runtime.moto_requests() or {}
        by_caller_started = request_counts.snapshot()
        started = time.perf_counter()
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        posted = time.perf_counter() - started
        assert not failures, failures[:3]
        deadline = time.monotonic() + 600
        while stored() < E2E_MESSAGES and time.monotonic() < deadline:
            time.sleep(1)  # each look is a Scan of the table: it costs the runtime CPU
        elapsed = time.perf_counter() - started
        runtime_cpu, moto_cpu_ended = time.process_time() - cpu_started, runtime.moto_cpu_seconds()
        by_caller = request_counts.difference(request_counts.snapshot(), by_caller_started)
        requests = {op: n - requests_started.get(op, 0) for op, n in (runtime.moto_requests() or {}).items()}
        moto_cpu = moto_cpu_ended - moto_cpu_started if moto_cpu_ended is not None and moto_cpu_started is not None else None
        done = stored()
        # moto's floor in the same run: the same number of 3-item transactions straight to the
        # same moto, on a fresh table of the same schema (so it grows like the one above did)
        described = dynamodb.describe_table(TableName=table)["Table"]
        table = f"bench-floor-{run}"
        dynamodb.create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=described["KeySchema"],
            AttributeDefinitions=described["AttributeDefinitions"],
            GlobalSecondaryIndexes=[{"IndexName": i["IndexName"], "KeySchema": i["KeySchema"],
                                     "Projection": i["Projection"]} for i in described["GlobalSecondaryIndexes"]])
        floor_started = time.perf_counter()
        for n in range(E2E_MESSAGES):
            pk = f"T#bench#C#floor{run}{n % 20}"
            dynamodb.transact_write_items(TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": f"T#bench#P#{run}{n}"}, "sk": {"S": "P"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"TableName": table, "Item": {"pk": {"S": pk}, "sk": {"S": f"M#{n:08d}"},
                                                      "text": {"S": f"mensaje {n}"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Update": {"TableName": table, "Key": {"pk": {"S": pk}, "sk": {"S": "C"}},
                            "UpdateExpression": "SET last_text = :t ADD message_count :one",
                            "ExpressionAttributeValues": {":t": {"S": f"mensaje {n}"}, ":one": {"N": "1"}}}},
            ])
        floor = time.perf_counter() - floor_started
    finally:
        runtime.stop()
    rate = done / elapsed if elapsed else 0.0
    floor_rate = E2E_MESSAGES / floor if floor else 0.0
    yield figure(BENCH, "e2e_webhook_to_stored_messages_per_s", rate, "msg/s", messages=done,
                 seconds=round(elapsed, 2), posting_seconds=round(posted, 2), senders=E2E_SENDERS)
    yield figure(BENCH, "e2e_cpu_ms_per_message", 1000 * (runtime_cpu + (moto_cpu or 0)) / max(done, 1), "ms",
                 runtime_ms=round(1000 * runtime_cpu / max(done, 1), 1),
                 moto_ms=round(1000 * moto_cpu / max(done, 1), 1) if moto_cpu is not None else None,
                 note="CPU of the runtime process (this one: gateway, pollers, handlers, the posters) "
                      "and of moto's process, per stored message; moto_ms null when moto runs in process")
    per_message = {op.split(".")[-1]: round(n / max(done, 1), 2) for op, n in
                   sorted(requests.items(), key=lambda item: -item[1]) if n / max(done, 1) >= 0.05}
    if requests:  # counted only when moto runs in its own process (the default)
        yield figure(BENCH, "e2e_moto_requests_per_message", sum(requests.values()) / max(done, 1), "requests",
                     by_operation=per_message, note="requests moto served from the first webhook to the last "
                     "stored message (the whole cascade and the bench's own polling Scans), per stored message")
    per_caller = {who: {op: round(n / max(done, 1), 2) for op, n in operations.items()}
                  for who, operations in sorted(by_caller.items(), key=lambda item: -sum(item[1].values()))}
    yield figure(BENCH, "e2e_runtime_requests_per_message",
                 sum(sum(ops.values()) for ops in by_caller.values()) / max(done, 1), "requests",
                 by_caller=per_caller, note="AWS requests the runtime's process made, per stored message, by function "
                 "(handler code) or runtime thread (poller-X receives, invoke-X deletes, pipe-X reads streams); "
                 "the bench's own polling Scans under other (infra/local/request_counts.py)")
    yield figure(BENCH, "e2e_webhook_post_p50", statistics.median(post_times), "ms",
                 p99=round(_percentile(post_times, 99), 1), note="HTTP through the local gateway, workers busy")
    yield figure(BENCH, "moto_floor_transactions_per_s", floor_rate, "tx/s", transactions=E2E_MESSAGES,
                 note="3-item TransactWriteItems straight to the runtime's moto")
    yield figure(BENCH, "e2e_ratio_to_moto_floor", floor_rate / rate if rate else float("inf"), "x",
                 note="how many times slower than moto alone for the same writes")
    yield figure(BENCH, "e2e_fraction_of_moto_floor", rate / floor_rate if floor_rate else 0.0, "x", aim=">= 0.5",
                 note="end-to-end rate over moto's floor, same run (issue 17)")


PARTS = {"webhook": part_webhook, "ingest": part_ingest, "e2e": part_e2e}


def run() -> Iterator[dict[str, Any]]:
    for name in PARTS:
        out = subprocess.run([sys.executable, "-m", "bench.channels", name], cwd=ROOT, env=child_env(),
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
