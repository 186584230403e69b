"""Helpers for import tests: the contract routes, the presigned upload, and the worker fed from
the imports queue exactly as the SQS event source would."""

from __future__ import annotations

import copy
import io
import json
import os
from typing import Any

import requests

from tests.support import FakeContext, Principal, call, handler_of, sample_event

CRM = "api/crm"
SALES = "api/sales"
WORKER = "workers/imports"


def create(principal: Principal, filename: str = "personas.csv", **body: Any) -> Any:
    return call(SALES, "POST", "/v1/imports", principal=principal, body={"filename": filename, **body})


def upload(url: str, content: bytes) -> None:
    reply = requests.put(url, data=content, timeout=10)
    assert reply.status_code == 200, reply.text


def start(principal: Principal, import_id: str, mapping: dict | None = None, update_policy: str | None = None) -> Any:
    body: dict[str, Any] = {} if mapping is None else {"mapping": mapping}
    if update_policy is not None:
        body["update_policy"] = update_policy
    return call(SALES, "POST", f"/v1/imports/{import_id}/start", principal=principal, body=body)


def get(principal: Principal, import_id: str) -> Any:
    return call(SALES, "GET", f"/v1/imports/{import_id}", principal=principal)


def drain(max_rounds: int = 20) -> list[dict[str, Any]]:
    """Deliver every queued import message to the worker (continuations included)."""
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = os.environ["IMPORTS_QUEUE_URL"]
    results = []
    for _ in range(max_rounds):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
        if not messages:
            break
        event = copy.deepcopy(sample_event("ImportsWorkerFunction", "import_queued"))
        record = event["Records"][0]
        record.update(messageId=messages[0]["MessageId"], receiptHandle=messages[0]["ReceiptHandle"],
                      body=messages[0]["Body"])
        result = handler_of(WORKER)(event, FakeContext())
        results.append(result)
        if result.get("batchItemFailures"):  # as if the retry delay had passed
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"],
                                          VisibilityTimeout=0)
        else:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
    return results


def purge() -> None:
    """Drop queued import messages (the test drives the worker itself)."""
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    url = os.environ["IMPORTS_QUEUE_URL"]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def run(principal: Principal, content: bytes, filename: str = "personas.csv", mapping: dict | None = None,
        update_policy: str | None = None, **body: Any) -> dict[str, Any]:
    created = create(principal, filename, **body)
    assert created.status == 201, created.body
    upload(created.body["upload_url"], content)
    started = start(principal, created.body["id"], mapping, update_policy)
    assert started.status == 202, started.body
    drain()
    job = get(principal, created.body["id"])
    assert job.status == 200
    return job.body


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    import csv

    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def errors_csv(url: str) -> list[dict[str, str]]:
    import csv

    text = requests.get(url, timeout=10).content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
