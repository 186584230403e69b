"""Lead flow test helpers: people in the CRM, and the leads worker run on what the bus queued."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import FakeContext, Principal, call, handler_of, sample_event

LEADS = "api/lead_flow"
CRM = "api/crm"
QUEUE = "skailan-local-leads"


def _records(queue: str) -> list[dict[str, Any]]:
    from skailan.platform.aws import client

    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    records = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return records
        for message in batch:
            record = copy.deepcopy(sample_event("LeadsWorkerFunction", "note_added")["Records"][0])
            record.update(messageId=message["MessageId"], receiptHandle=message["ReceiptHandle"], body=message["Body"])
            records.append(record)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def deliver(aws: dict[str, str]) -> Callable[[], dict[str, Any]]:
    """Run the leads worker on every message the bus put on its queue (until none are left)."""

    def run() -> dict[str, Any]:
        failures: list[Any] = []
        delivered = 0
        for _ in range(10):  # the worker's own writes may queue more (lead_status → contact.updated)
            records = _records(QUEUE)
            if not records:
                break
            delivered += len(records)
            for start in range(0, len(records), 10):
                out = handler_of("workers/leads")({"Records": records[start:start + 10]}, FakeContext())
                failures += out["batchItemFailures"]
        return {"delivered": delivered, "batchItemFailures": failures}

    return run


def new_person(principal: Principal, name: str, phone: str | None = None, **extra: Any) -> str:
    body: dict[str, Any] = {"name": name, **extra}
    if phone:
        body["phone"] = phone
    else:
        body.setdefault("email", f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:8]}@example.com")
    reply = call(CRM, "POST", "/v1/contacts", principal=principal, body=body)
    assert reply.status == 201, reply.body
    return str(reply.body["id"])


@pytest.fixture(scope="module")
def people(demo: dict[str, Principal]) -> dict[str, Principal]:
    """The demo members plus a second operator and a member whose role has no leads permission."""
    from contextlib import suppress

    from skailan.platform.auth import Caller
    from skailan.platform.errors import Conflict
    from skailan.tenancy import cognito, members, roles
    from skailan.tenancy.models import RoleIn

    root = Caller(tenant_id="demo", principal_id="system", kind="system", super_admin=True,
                  permissions=frozenset(f"{m}:manage" for m in ("admin", "contacts", "conversations", "leads",
                                                                "campaigns", "automations", "analytics", "content")))
    with suppress(Conflict):
        roles.create_role(root, RoleIn(key="readonly", name="Solo lectura", permissions=["contacts:view"]))
    extra = (("operator2@demo.local", "Olga Operadora", "operator"), ("readonly@demo.local", "Rita Lectora", "readonly"))
    out = dict(demo)
    for email, name, role in extra:
        with suppress(Conflict):
            members.add_member("demo", email, name, role, password="Demo-pass-2026")
        out[email] = Principal(sub=cognito.find_user_sub(email) or "", email=email, tenant="demo")
    return out
