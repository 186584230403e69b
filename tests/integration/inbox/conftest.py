"""Inbox tests: real handlers against moto built from template.yaml. Customers write through the
signed Meta webhook → FIFO → ingest worker (the channels' path); the inbox's queues are pumped by
invoking its workers like Lambda's event source mapping."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.integration.channels.conftest import drain, fresh_caches, post_meta, purge, whatsapp_text  # noqa: F401
from tests.support import Principal, call

CONVERSATIONS = "api/conversations"
INBOX = "api/inbox"
QUEUES = {"workers/assignment": "skailan-local-inbox-assignment", "workers/inbox_events": "skailan-local-inbox-events"}


def queue_url(name: str) -> str:
    from skailan.platform.aws import client

    return client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def pump(*, rounds: int = 10, only: str | None = None) -> list[dict[str, Any]]:
    """Run the inbox workers over their queues until both are empty; returns every outcome."""
    from infra.local.pollers import sqs_record
    from skailan.platform.aws import client
    from tests.support import FakeContext, handler_of

    sqs = client("sqs")
    failures: list[dict[str, Any]] = []
    for _ in range(rounds):
        moved = 0
        for function_dir, name in QUEUES.items():
            if only and function_dir != only:
                continue
            url = queue_url(name)
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                        VisibilityTimeout=30).get("Messages", [])
            if not batch:
                continue
            moved += len(batch)
            arn = f"arn:aws:sqs:us-east-1:123456789012:{name}"
            result = handler_of(function_dir)({"Records": [sqs_record(m, arn, "us-east-1") for m in batch]},
                                              FakeContext())
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            failures += result.get("batchItemFailures", [])
            for message in batch:
                if message["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if not moved:
            break
    assert failures == [], failures
    return failures


def purge_inbox_queues() -> None:
    """Drop what waits on the inbox queues and the outbound queue (SQS allows one PurgeQueue a
    minute, so messages are received and deleted instead)."""
    from skailan.platform.aws import client

    sqs = client("sqs")
    for name in QUEUES.values():
        url = queue_url(name)
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    purge("OUTBOUND_QUEUE_URL")


def customer_writes(text: str, *, wa_id: str, name: str = "Camila Ruiz", message_id: str,
                    at: datetime | None = None, run_inbox: bool = True) -> str:
    """A WhatsApp customer message through the webhook and the ingest worker; the conversation id."""
    from skailan.conversations.store import messages as store

    reply = post_meta(whatsapp_text(text, wa_id=wa_id, name=name, message_id=message_id, at=at))
    assert reply.status == 200, reply.body
    assert drain() == []
    ref = store.find_ref("demo", "demo-whatsapp", message_id)
    assert ref is not None
    if run_inbox:
        pump()
    return ref.conversation_id


def presence(principal: Principal, status: str) -> dict[str, Any]:
    reply = call(INBOX, "PUT", "/v1/agents/me/presence", principal=principal, body={"status": status})
    assert reply.status == 200, reply.body
    return reply.body


def conversation(principal: Principal, conversation_id: str) -> Any:
    return call(CONVERSATIONS, "GET", f"/v1/conversations/{conversation_id}", principal=principal)


def action(principal: Principal, conversation_id: str, name: str, body: Any = None) -> Any:
    return call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/{name}", principal=principal,
                body=body if body is not None else {})


def outbound_texts() -> list[str]:
    """Texts waiting on the outbound queue (peeked, left in place)."""
    import json

    from skailan.conversations.store import messages as store
    from tests.integration.channels.conftest import queued

    texts = []
    for message in queued("OUTBOUND_QUEUE_URL"):
        job = json.loads(message["Body"])
        item = store.get_message(job["tenant_id"], job["conversation_id"], job["message_id"])
        texts.append(item.text if item else None)
    return texts


def reset_agents(tenant_id: str = "demo") -> None:
    """Everyone offline with no load and no capacity override; no timers left behind."""
    from skailan.conversations.store.inbox_items import AgentItem, TimerItem, agents_pk

    for agent in AgentItem.query(agents_pk(tenant_id)):
        agent.update(actions=[AgentItem.status.set("offline"), AgentItem.ready_pk.remove(), AgentItem.load.set(0),
                              AgentItem.capacity.remove(),
                              AgentItem.tags.remove()])
    for timer in TimerItem.query(f"T#{tenant_id}#TIMER"):
        timer.delete()
