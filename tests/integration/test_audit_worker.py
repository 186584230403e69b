"""Domain events reach the audit log: EventBridge rule → SQS (moto) → worker → audit API."""

from __future__ import annotations

import copy
import json

from tests.support import FakeContext, call, handler_of, sample_event


def _drain_audit_queue(aws) -> list[dict]:
    from skailan.platform.aws import client

    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName="skailan-local-audit")["QueueUrl"]
    records = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return records
        for message in batch:
            record = copy.deepcopy(sample_event("AuditWorkerFunction", "domain_event")["Records"][0])
            record.update(messageId=message["MessageId"], receiptHandle=message["ReceiptHandle"], body=message["Body"])
            records.append(record)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_admin_changes_become_audit_entries_filterable_by_user_and_entity(demo, aws):
    admin = demo["admin@demo.local"]
    _drain_audit_queue(aws)
    created = call("api/admin", "POST", "/v1/admin/roles", principal=admin,
                   body={"key": "auditor", "name": "Auditor", "permissions": ["admin:view"]})
    assert created.status == 201
    records = _drain_audit_queue(aws)
    assert any(json.loads(r["body"])["detail"]["type"] == "role.created" for r in records)

    # A poison record in the batch fails alone; the rest is written
    poison = copy.deepcopy(records[0])
    poison.update(messageId="poison", body="{not json")
    result = handler_of("workers/audit")({"Records": [*records, poison]}, FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    # Redelivery of the same events does not duplicate entries
    handler_of("workers/audit")({"Records": records}, FakeContext())

    by_entity = call("api/admin", "GET", "/v1/admin/audit-log", principal=admin,
                     query={"entity_type": "role"}).body["items"]
    assert [e["entity_id"] for e in by_entity].count("auditor") == 1
    assert by_entity[0]["actor"]["id"] == admin.sub
    by_user = call("api/admin", "GET", "/v1/admin/audit-log", principal=admin, query={"user_id": admin.sub}).body
    assert any(e["type"] == "role.created" for e in by_user["items"])
    nobody = call("api/admin", "GET", "/v1/admin/audit-log", principal=admin,
                  query={"user_id": demo["agent1@demo.local"].sub}).body["items"]
    assert all(e["actor"]["id"] != admin.sub for e in nobody)
    dated = call("api/admin", "GET", "/v1/admin/audit-log", principal=admin,
                 query={"from": "2999-01-01", "entity_type": "role"}).body["items"]
    assert dated == []
    acme = call("api/admin", "GET", "/v1/admin/audit-log", principal=demo["admin@acme.local"],
                query={"entity_type": "role"}).body["items"]
    assert all(e["entity_id"] != "auditor" for e in acme)


def test_message_traffic_and_inbox_bookkeeping_are_not_audited(demo, aws):
    from skailan.platform.events import DomainEvent, publish

    _drain_audit_queue(aws)
    publish([
        DomainEvent(tenant_id="demo", source="skailan.conversations", type="message.received"),
        DomainEvent(tenant_id="demo", source="skailan.inbox", type="conversation.read"),
        DomainEvent(tenant_id="demo", source="skailan.inbox", type="conversation.closed"),
    ])
    types = [json.loads(r["body"])["detail"]["type"] for r in _drain_audit_queue(aws)]
    assert types == ["conversation.closed"]
