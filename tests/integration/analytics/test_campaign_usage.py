"""Campaign sends in usage and WhatsApp credits: a WhatsApp campaign of N recipients (Colombian and
Mexican numbers) goes out through the real fan-out and send worker (Meta's API mocked with respx);
its `campaign_recipient.sent` events reach the analytics worker through the outbox and the bus,
and each recipient is counted and debited once — N × price, even with every event redelivered.
The dashboard shows the campaign running while it sends; another brand sees nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.integration.analytics.test_dashboard import QUEUE, count_events, fresh, summary  # noqa: F401
from tests.integration.analytics.test_usage_credits import credits_reset, get  # noqa: F401 — fixtures
from tests.support import call

CAMPAIGNS = "api/campaigns"
WA_URL = "https://graph.facebook.com/v21.0/100000000000001/messages"


def person(admin: Any, name: str, phone: str) -> str:
    reply = call("api/crm", "POST", "/v1/contacts", principal=admin,
                 body={"name": name, "phone": phone, "email": f"{uuid.uuid4().hex[:10]}@example.com"})
    assert reply.status == 201, reply.body
    return str(reply.body["id"])


def drain_sends() -> None:
    from tests.integration.campaigns.test_campaigns_api import _drain_sends

    assert _drain_sends() == []


def redeliver_analytics_queue() -> int:
    """Every message waiting on the analytics queue is put there a second time (SQS's at-least-once)."""
    from skailan.platform.aws import client

    sqs = client("sqs")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    copied = 0
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", []):
        for message in batch:
            sqs.send_message(QueueUrl=url, MessageBody=message["Body"])
            copied += 1
        for message in batch:  # the originals come back too
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        if copied > 200:
            break
    return copied


@pytest.fixture
def unlimited(demo):
    reply = call("api/admin", "PUT", "/v1/admin/channel-accounts/demo-whatsapp", principal=demo["admin@demo.local"],
                 body={"messaging_limit": "unlimited"})
    assert reply.status == 200, reply.body


def test_a_whatsapp_campaign_is_counted_and_charged_once_per_recipient(demo, fresh, credits_reset,  # noqa: F811
                                                                       unlimited):
    import httpx
    import respx

    from skailan.campaigns import sending

    admin, supervisor, other = demo["admin@demo.local"], demo["supervisor@demo.local"], demo["admin@acme.local"]
    phones = ["+573004440001", "+573004440002", "+525512340003"]  # CO, CO, MX
    people = [person(admin, f"Cliente{i} Campaña", phone) for i, phone in enumerate(phones)]
    created = call(CAMPAIGNS, "POST", "/v1/campaigns", principal=admin,
                   body={"name": "Promo WA", "channel": "whatsapp", "account_id": "demo-whatsapp",
                         "audience": {"kind": "people", "person_ids": people},
                         "content": {"template": {"name": "bienvenida", "language": "es",
                                                  "parameters": ["{{contact.first_name}}"]}}})
    assert created.status == 201, created.body
    campaign_id = created.body["id"]
    assert call(CAMPAIGNS, "POST", f"/v1/campaigns/{campaign_id}/send", principal=admin).status == 202
    count_events()
    assert summary(supervisor)["campaigns_running"] == 1
    assert summary(supervisor)["links"]["campaigns"] == "/campaigns"  # the widget's drill-down
    assert summary(other)["campaigns_running"] == 0

    assert sending.fan_out("demo", campaign_id)["queued"] == 3
    wamids = iter(f"wamid.CAMPAIGN-USAGE-{i}" for i in range(20))
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(WA_URL).mock(side_effect=lambda request: httpx.Response(
            200, json={"messaging_product": "whatsapp", "contacts": [{"input": "x", "wa_id": "x"}],
                       "messages": [{"id": next(wamids)}]}))
        drain_sends()
    assert route.call_count == 3
    assert json.loads(route.calls[0].request.content)["template"]["name"] == "bienvenida"
    assert call(CAMPAIGNS, "GET", f"/v1/campaigns/{campaign_id}", principal=admin).body["status"] == "completed"

    assert redeliver_analytics_queue() >= 4  # 3 sends + the completion, each now twice on the queue
    count_events()

    body = get(supervisor, "/v1/usage").body
    assert body["channels"] == [{"channel": "whatsapp", "received": 0, "sent": 3, "total": 3}]
    assert body["senders"] == [{"sender": campaign_id, "kind": "campaign", "channel": "whatsapp", "sent": 3}]
    charges = {(w["category"], w["country"]): (w["messages"], w["cost"]) for w in body["whatsapp"]}
    # bienvenida is a marketing template: Colombia 0.0125, Mexico 0.0305 (the default prices)
    assert charges == {("marketing", "CO"): (2, 0.025), ("marketing", "MX"): (1, 0.0305)}
    ledger = get(supervisor, "/v1/credits/ledger").body["items"]
    assert sorted((e["kind"], e["amount"], e["country"]) for e in ledger) == [
        ("debit", -0.0305, "MX"), ("debit", -0.0125, "CO"), ("debit", -0.0125, "CO")]
    assert get(supervisor, "/v1/credits").body["balance"] == -0.0555
    assert summary(supervisor)["campaigns_running"] == 0  # completed
    assert summary(supervisor)["messages_today"]["sent"] == 3

    assert get(other, "/v1/usage").body["whatsapp"] == []
    assert get(other, "/v1/credits/ledger").body["items"] == []


def test_a_campaign_recipient_event_applied_twice_or_out_of_order_counts_once(demo, fresh, credits_reset):  # noqa: F811
    """The worker directly: the same `campaign_recipient.sent` twice is one debit; a campaign's
    `completed` before its `started` leaves it not running."""
    from skailan.analytics import worker
    from skailan.platform.events import DomainEvent

    def event(type_: str, at: str, data: dict[str, Any], tenant: str = "demo") -> DomainEvent:
        return DomainEvent(tenant_id=tenant, source="skailan.campaigns", type=type_, entity_type="campaign",
                           entity_id=data["campaign_id"], occurred_at=at, data=data)

    sent = event("campaign_recipient.sent", "2026-12-01T15:00:00.000Z", {
        "campaign_id": "C1", "person_id": "P1", "status": "sent", "channel": "whatsapp",
        "account_id": "demo-whatsapp", "template": {"name": "seguimiento", "language": "es"}, "country": "ES"})
    assert worker.apply(sent) == "counted"
    assert worker.apply(sent) == "duplicate"
    ledger = get(demo["supervisor@demo.local"], "/v1/credits/ledger").body["items"]
    assert [(e["kind"], e["amount"], e["category"], e["country"]) for e in ledger] == [
        ("debit", -0.02, "utility", "ES")]

    done = event("campaign.completed", "2026-12-01T16:00:00.000Z", {"campaign_id": "C2", "name": "x",
                                                                    "channel": "sms", "status": "completed"})
    started = event("campaign.started", "2026-12-01T15:00:00.000Z", {"campaign_id": "C2", "name": "x",
                                                                     "channel": "sms", "status": "sending"})
    assert worker.apply(done) == "counted" and worker.apply(started) == "counted"
    assert summary(demo["supervisor@demo.local"])["campaigns_running"] == 0
    assert summary(demo["admin@acme.local"])["campaigns_running"] == 0


def nps_report(principal: Any) -> dict[str, Any]:
    reply = call("api/analytics", "GET", "/v1/reports/nps", principal=principal)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def test_a_campaign_nps_question_records_the_reply_once(demo, fresh, credits_reset, unlimited):  # noqa: F811
    """A WhatsApp campaign with `nps: true`: the recipient's bare 0–10 reply (within 72 h, on that
    channel) is counted in /v1/reports/nps and recorded as `nps.answered` (source campaign); a
    number before the question, a later second number, a redelivered event and another brand's
    report count nothing."""
    import httpx
    import respx

    from skailan.campaigns import sending
    from tests.integration.analytics.test_usage_credits import outbox_events
    from tests.integration.inbox.conftest import conversation, customer_writes

    admin, supervisor = demo["admin@demo.local"], demo["supervisor@demo.local"]
    wa_id = "573004449901"
    conversation_id = customer_writes("Hola", wa_id=wa_id, message_id="wamid.nps-campaign-1")
    person_id = conversation(supervisor, conversation_id).body["contact"]["person_id"]
    customer_writes("10", wa_id=wa_id, message_id="wamid.nps-campaign-2")  # no question asked yet
    count_events()
    assert nps_report(supervisor)["responses"] == 0

    created = call(CAMPAIGNS, "POST", "/v1/campaigns", principal=admin,
                   body={"name": "Encuesta NPS", "channel": "whatsapp", "account_id": "demo-whatsapp",
                         "audience": {"kind": "people", "person_ids": [person_id]},
                         "content": {"template": {"name": "bienvenida", "language": "es", "parameters": ["Camila"]},
                                     "nps": True}})
    assert created.status == 201, created.body
    assert created.body["content"]["nps"] is True
    assert call(CAMPAIGNS, "POST", f"/v1/campaigns/{created.body['id']}/send", principal=admin).status == 202
    sending.fan_out("demo", created.body["id"])
    with respx.mock() as mock:
        mock.post(WA_URL).mock(return_value=httpx.Response(
            200, json={"messaging_product": "whatsapp", "contacts": [{"input": wa_id, "wa_id": wa_id}],
                       "messages": [{"id": "wamid.NPS-CAMPAIGN-OUT"}]}))
        drain_sends()
    count_events()

    customer_writes("¡Claro!", wa_id=wa_id, message_id="wamid.nps-campaign-3")  # not a score
    customer_writes("9/10", wa_id=wa_id, message_id="wamid.nps-campaign-4")
    assert redeliver_analytics_queue() >= 2
    count_events()
    customer_writes("3", wa_id=wa_id, message_id="wamid.nps-campaign-5")  # answered already
    count_events()

    body = nps_report(supervisor)
    assert (body["responses"], body["promoters"], body["detractors"], body["nps"]) == (1, 1, 0, 100.0)
    answered = [e for e in outbox_events("demo") if e["type"] == "nps.answered"]
    assert len(answered) == 1
    assert answered[0]["data"] | {"answered_at": None} == {
        "source": "campaign", "campaign_id": created.body["id"], "person_id": person_id,
        "conversation_id": conversation_id, "message_id": answered[0]["data"]["message_id"], "channel": "whatsapp",
        "score": 9, "answered_at": None}
    assert nps_report(demo["admin@acme.local"])["responses"] == 0


@pytest.mark.parametrize("channel, account, content", [
    ("email", "demo-email", {"subject": "Hola", "html": "<p>Hola</p>", "nps": True}),  # e-mail: no NPS reply
    ("sms", "demo-twilio", {"text": "¿Nos recomendarías? Responde de 0 a 10", "nps": "sí"}),
])
def test_nps_on_a_campaign_is_refused_where_it_cannot_be(demo, channel: str, account: str, content: dict[str, Any]):
    admin = demo["admin@demo.local"]
    before = len(call(CAMPAIGNS, "GET", "/v1/campaigns", principal=admin, query={"limit": 100}).body["items"])
    reply = call(CAMPAIGNS, "POST", "/v1/campaigns", principal=admin,
                 body={"name": "NPS", "channel": channel, "account_id": account,
                       "audience": {"kind": "people", "person_ids": [person(admin, "Ana NPS", f"+5730044{uuid.uuid4().int % 100000:05d}")]},
                       "content": content})
    assert reply.status == 422, reply.body
    assert "content.nps" in json.dumps(reply.body["error"]["details"])
    assert len(call(CAMPAIGNS, "GET", "/v1/campaigns", principal=admin, query={"limit": 100}).body["items"]) == before
