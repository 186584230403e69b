"""The dashboard summary from real traffic: a WhatsApp message through the webhook, ingest and
the inbox workers, the events relayed to the analytics queue and counted; the local clock moves
the wait past the alert threshold; an agent takes and answers; another brand sees nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.inbox.conftest import (
    CONVERSATIONS,
    action,
    customer_writes,
    presence,
    pump,
    purge_inbox_queues,
    reset_agents,
)
from tests.support import FakeContext, call

API = "api/analytics"
QUEUE = "skailan-local-analytics"


def count_events() -> int:
    """Run the analytics worker over its queue until it is empty; how many events it took."""
    from infra.local.pollers import sqs_record
    from skailan.platform.aws import client
    from tests.support import handler_of

    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    taken = 0
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", []):
        records = [sqs_record(m, f"arn:aws:sqs:us-east-1:123456789012:{QUEUE}", "us-east-1") for m in batch]
        assert handler_of("workers/analytics")({"Records": records}, FakeContext()) == {"batchItemFailures": []}
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        taken += len(batch)
    return taken


@pytest.fixture
def fresh(demo) -> Iterator[None]:
    from skailan.analytics import brands, store
    from skailan.platform import clock

    reset_agents()
    purge_inbox_queues()
    # Always attending and no greeting: no bot message muddles the counts.
    always = {d: [{"start": "00:00", "end": "23:59"}] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert call("api/admin", "PATCH", "/v1/admin/brand", principal=demo["admin@demo.local"],
                body={"business_hours": always, "holidays": []}).status == 200
    assert call("api/inbox", "PATCH", "/v1/inbox/settings", principal=demo["supervisor@demo.local"],
                body={"bots": {"greeting": {"enabled": False, "text": ""}, "faq": []}}).status == 200
    count_events()
    for tenant in ("demo", "acme"):
        store.delete_tenant(tenant)
    brands.forget_brands()
    yield
    clock.reset()
    purge_inbox_queues()


def summary(principal):
    reply = call(API, "GET", "/v1/dashboard/summary", principal=principal)
    assert reply.status == 200, reply.body
    return reply.body


def test_the_dashboard_moves_with_the_traffic(demo, fresh):
    from skailan.platform import clock

    supervisor, agent = demo["supervisor@demo.local"], demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola, ¿tienen envíos a Cali?", wa_id="573005550101",
                                      message_id="wamid.analytics-dash-1")
    assert count_events() >= 2
    now = summary(supervisor)
    assert now["conversations"]["open"] == 1 and now["conversations"]["unassigned"] == 1
    assert now["messages_today"] == {"received": 1, "sent": 0}
    assert now["conversations"]["longest_wait_seconds"] is not None  # the inbox's waiting index
    assert [a for a in now["alerts"] if a["type"] == "unassigned_wait"] == []

    clock.advance(11 * 60)  # past the inbox's default alert (10 minutes unassigned)
    later = summary(supervisor)
    waits = [a for a in later["alerts"] if a["type"] == "unassigned_wait"]
    assert [(a["conversation_id"], a["waiting_minutes"]) for a in waits] == [(conversation_id, 11)]
    assert later["conversations"]["longest_unassigned_seconds"] >= 660
    assert later["conversations"]["longest_wait_seconds"] >= 660
    assert " / " in waits[0]["message"]

    presence(agent, "online")
    assert action(agent, conversation_id, "take").status == 200
    sent = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=agent,
                body={"text": "¡Hola! Sí, enviamos a Cali."})
    assert sent.status == 202, sent.body
    pump()
    count_events()
    answered = summary(supervisor)
    assert answered["conversations"]["open"] == 1 and answered["conversations"]["unassigned"] == 0
    assert answered["agents_online"] == 1
    assert answered["messages_today"] == {"received": 1, "sent": 1}
    assert [a for a in answered["alerts"] if a["type"] == "unassigned_wait"] == []

    other = summary(demo["admin@acme.local"])
    assert other["conversations"] == {"open": 0, "unassigned": 0, "longest_wait_seconds": None,
                                      "longest_unassigned_seconds": None}
    assert other["messages_today"] == {"received": 0, "sent": 0} and other["agents_online"] == 0


def test_a_disconnected_channel_account_is_an_alert(demo, fresh):
    admin = demo["admin@demo.local"]
    disabled = call("api/admin", "POST", "/v1/admin/channel-accounts/demo-whatsapp/disable", principal=admin)
    assert disabled.status == 200, disabled.body
    try:
        alerts = [a for a in summary(demo["supervisor@demo.local"])["alerts"]
                  if a["type"] == "channel_account_disconnected"]
        assert [(a["account_id"], a["channel"], a["status"]) for a in alerts] == [("demo-whatsapp", "whatsapp", "disabled")]
        assert [a for a in summary(demo["admin@acme.local"])["alerts"] if a["type"] == "channel_account_disconnected"] == []
    finally:
        enabled = call("api/admin", "POST", "/v1/admin/channel-accounts/demo-whatsapp/enable", principal=admin)
        assert enabled.status == 200, enabled.body
    assert [a for a in summary(demo["supervisor@demo.local"])["alerts"] if a["type"] == "channel_account_disconnected"] == []
