"""Campaign figures (`make bench` / `python -m bench campaigns`), in process against moto (the
handlers and workers the runtime runs, without its HTTP hops), BENCH_CAMPAIGN_RECIPIENTS people
(default 1 000: the issue's 100 000 takes too long on a shared laptop; the per-recipient figures
do not depend on the size):

- preview of the list: seconds and AWS requests;
- fan-out: SQS and DynamoDB requests per recipient, peak Python memory (tracemalloc);
- send worker to the fake Twilio (respx, 127.0.0.1 only): DynamoDB requests per recipient and
  recipients/s end to end (fan-out + sends);
- an e-mail campaign to moto SES: DynamoDB and SES requests per recipient, recipients/s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

from bench.common import ROOT, child_env, figure

BENCH = "campaigns"


def part_sms() -> Iterator[dict[str, Any]]:
    from bench.channels import _count_calls, _in_moto

    _in_moto()
    import httpx
    import respx

    from infra.local.pollers import sqs_record
    from skailan.campaigns import sending, service
    from skailan.campaigns.models import CampaignIn
    from skailan.crm.audiences import lists
    from skailan.crm.audiences.models import ListIn
    from skailan.platform.auth import Caller
    from skailan.platform.aws import client
    from skailan.tenancy import cognito
    from tests.support import FakeContext, Principal, call, handler_of

    size = int(os.environ.get("BENCH_CAMPAIGN_RECIPIENTS", "1000"))
    admin = Principal(sub=cognito.find_user_sub("admin@demo.local") or "", email="admin@demo.local", tenant="demo")
    ids = []
    for i in range(size):
        reply = call("api/crm", "POST", "/v1/contacts", principal=admin,
                     body={"name": f"Bench{i} Persona", "phone": f"+57310{i:07d}"})
        ids.append(reply.body["id"])
    caller = Caller(tenant_id="demo", principal_id="bench", kind="user", permissions=frozenset({"campaigns:manage"}))
    list_id = lists.create_list(None, "demo", ListIn(name="bench")).id
    for start in range(0, size, 500):
        lists.add_members(None, "demo", list_id, ids[start:start + 500], timeline=False)
    campaign = service.create(caller, CampaignIn.model_validate({
        "name": "bench", "channel": "sms", "account_id": "demo-twilio", "audience": {"kind": "list", "id": list_id},
        "content": {"text": "Hola {{contact.first_name}}, oferta de {{brand.name}}"}}))

    calls = _count_calls()
    started = time.perf_counter()
    preview = service.preview("demo", campaign.id)
    spent = time.perf_counter() - started
    assert preview.recipients == size, preview
    yield figure(BENCH, "preview_seconds", round(spent, 3), "s", recipients=size, requests=len(calls))

    service.send_now(caller, "demo", campaign.id)
    del calls[:]
    began = time.perf_counter()
    tracemalloc.start()
    counts = sending.fan_out("demo", campaign.id)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert counts["queued"] == size, counts
    sqs_calls = sum(1 for s, _ in calls if s == "sqs")
    dynamo_calls = sum(1 for s, _ in calls if s == "dynamodb")
    yield figure(BENCH, "fanout_sqs_requests_per_recipient", round(sqs_calls / size, 4), "requests", aim=0.1)
    yield figure(BENCH, "fanout_dynamodb_requests_per_recipient", round(dynamo_calls / size, 3), "requests")
    yield figure(BENCH, "fanout_peak_memory", round(peak / 1e6, 2), "MB", recipients=size)

    url = os.environ["CAMPAIGN_SEND_QUEUE_URL"]
    sqs = client("sqs")
    worker = handler_of("workers/campaign_send")
    del calls[:]
    sent = 0
    with respx.mock(assert_all_called=False) as mock:
        mock.post(url__regex=r"https://api\.twilio\.com/.*").mock(
            side_effect=lambda request: httpx.Response(201, json={"sid": f"SM{time.perf_counter_ns()}", "status": "queued"}))
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
            if not batch:
                break
            arn = "arn:aws:sqs:us-east-1:123456789012:skailan-local-campaign-send"
            worker({"Records": [sqs_record(m, arn, "us-east-1") for m in batch]}, FakeContext())
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                                                            for n, m in enumerate(batch)])
            sent += len(batch)
    elapsed = time.perf_counter() - began
    send_dynamo = sum(1 for s, _ in calls if s == "dynamodb")
    send_sqs = sum(1 for s, _ in calls if s == "sqs")
    yield figure(BENCH, "send_dynamodb_requests_per_recipient", round(send_dynamo / size, 3), "requests",
                 aim=3, note="claim (campaign still sending + recipient queued: one transaction), sent (+ its "
                 "event), counters (ALL_NEW: no completion read); the job carries address and merge values, "
                 "the container keeps the campaign and brand name for a minute")
    yield figure(BENCH, "send_sqs_requests_per_recipient", round(send_sqs / size, 3), "requests",
                 note="bench receive + delete batches (Lambda's poller does these in AWS)")
    yield figure(BENCH, "sms_recipients_per_second", round(size / elapsed, 1), "recipients/s", recipients=size,
                 note="in process, one worker: fan-out + sends to the faked Twilio")


def part_email() -> Iterator[dict[str, Any]]:
    """An e-mail campaign to moto SES (SES API v2 raw): the send worker's requests per recipient
    and recipients/s (BENCH_CAMPAIGN_EMAIL_RECIPIENTS, default 200; the SES rate cap lifted — moto's
    quota is 1/s, a real account's is set by AWS)."""
    os.environ["CAMPAIGN_EMAIL_MAX_RATE"] = "100000"
    from bench.channels import _count_calls, _in_moto

    _in_moto()
    from infra.local.pollers import sqs_record
    from skailan.campaigns import sending, service
    from skailan.campaigns.models import CampaignIn
    from skailan.platform.auth import Caller
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings
    from skailan.tenancy import cognito
    from tests.support import FakeContext, Principal, call, handler_of

    get_settings.cache_clear()
    size = int(os.environ.get("BENCH_CAMPAIGN_EMAIL_RECIPIENTS", "200"))
    admin = Principal(sub=cognito.find_user_sub("admin@demo.local") or "", email="admin@demo.local", tenant="demo")
    ids = [call("api/crm", "POST", "/v1/contacts", principal=admin,
                body={"name": f"Bench{i} Correo", "email": f"bench{i}@example.com"}).body["id"] for i in range(size)]
    caller = Caller(tenant_id="demo", principal_id="bench", kind="user", permissions=frozenset({"campaigns:manage"}))
    campaign = service.create(caller, CampaignIn.model_validate({
        "name": "bench", "channel": "email", "account_id": "demo-email", "audience": {"kind": "people", "person_ids": ids},
        "content": {"subject": "Hola {{contact.first_name}}", "from_name": "Bench",
                    "html": '<p>Hola {{contact.first_name}}</p><a href="https://demo.example/a">Ver</a>'}}))
    service.send_now(caller, "demo", campaign.id)
    calls = _count_calls()
    began = time.perf_counter()
    counts = sending.fan_out("demo", campaign.id)
    assert counts["queued"] == size, counts
    url = os.environ["CAMPAIGN_SEND_QUEUE_URL"]
    sqs = client("sqs")
    worker = handler_of("workers/campaign_send")
    del calls[:]
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", []):
        arn = "arn:aws:sqs:us-east-1:123456789012:skailan-local-campaign-send"
        worker({"Records": [sqs_record(m, arn, "us-east-1") for m in batch]}, FakeContext())
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                                                        for n, m in enumerate(batch)])
    elapsed = time.perf_counter() - began
    done = service.get("demo", campaign.id)
    assert done.stats.sent == size, done.stats
    yield figure(BENCH, "email_send_dynamodb_requests_per_recipient",
                 round(sum(1 for s_, _ in calls if s_ == "dynamodb") / size, 3), "requests",
                 note="as SMS + the SES rate slot (a conditional ADD per send)")
    yield figure(BENCH, "email_ses_requests_per_recipient",
                 round(sum(1 for s_, _ in calls if s_ in ("ses", "sesv2")) / size, 3), "requests",
                 note="SendEmail per recipient; GetSendQuota not called (rate set by CAMPAIGN_EMAIL_MAX_RATE)")
    yield figure(BENCH, "email_recipients_per_second", round(size / elapsed, 1), "recipients/s", recipients=size,
                 note="in process, one worker: fan-out + MIME (tracked links, pixel, footer) + moto SES")


PARTS = {"sms": part_sms, "email": part_email}


def run() -> Iterator[dict[str, Any]]:
    for name in PARTS:
        out = subprocess.run([sys.executable, "-m", "bench.campaigns", name], cwd=ROOT, env=child_env(),
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
