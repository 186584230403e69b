"""Usage and WhatsApp credits from real traffic: a Colombian customer writes through the webhook,
an agent answers with text and with templates (marketing, utility) through the API, the events
reach the analytics worker; usage per channel / sender / month, the charges by category and
country, the debits (once per event, even redelivered), the alert and the automatic top-up under
the minimum (events through the outbox), manual top-ups (admin, idempotent), another brand never
counted, permissions and bad input."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.integration.analytics.test_dashboard import count_events, fresh  # noqa: F401 — fixture
from tests.integration.inbox.conftest import CONVERSATIONS, action, customer_writes, presence, pump
from tests.support import call

API = "api/analytics"


def send(principal, conversation_id: str, body: dict[str, Any]) -> None:
    sent = call(CONVERSATIONS, "POST", f"/v1/conversations/{conversation_id}/messages", principal=principal, body=body)
    assert sent.status == 202, sent.body


def template(name: str) -> dict[str, Any]:
    return {"template": {"name": name, "language": "es", "parameters": ["Camila"]}}


def get(principal, path: str, **query: Any):
    return call(API, "GET", path, principal=principal, query=query or None)


def outbox_events(tenant: str) -> list[dict[str, Any]]:
    """The analytics table's outbox items of a brand (what the Pipe puts on the bus), oldest first."""
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    out = []
    for page in client("dynamodb").get_paginator("scan").paginate(TableName=get_settings().analytics_table):
        for item in page["Items"]:
            if item["pk"]["S"].startswith(f"T#{tenant}#outbox#"):
                out.append(json.loads(item["event"]["S"]))
    return sorted(out, key=lambda e: (e["occurred_at"], e["type"]))


@pytest.fixture
def credits_reset(fresh):  # noqa: F811
    """No credits, settings, ledger or outbox items for either brand (`fresh` resets the counters;
    `store.delete_tenant` keeps the money on purpose)."""
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    table = get_settings().analytics_table
    for page in client("dynamodb").get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            pk = item["pk"]["S"]
            if "#outbox#" in pk or pk.endswith(("#AN#CR", "#AN#CRL")):
                client("dynamodb").delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


@pytest.fixture
def chat(demo, credits_reset):
    """A conversation with a Colombian number (+57), held by agent1."""
    agent = demo["agent1@demo.local"]
    conversation_id = customer_writes("Hola, quiero información", wa_id="573005550177",
                                      message_id="wamid.usage-credits-1")
    presence(agent, "online")
    taken = action(agent, conversation_id, "take")
    assert taken.status in (200, 409), taken.body
    return conversation_id


def test_usage_per_channel_sender_and_whatsapp_category(demo, chat):
    agent, supervisor = demo["agent1@demo.local"], demo["supervisor@demo.local"]
    send(agent, chat, {"text": "¡Hola! Te cuento."})
    send(agent, chat, template("bienvenida"))  # marketing
    send(agent, chat, template("seguimiento"))  # utility
    pump()
    count_events()
    reply = get(supervisor, "/v1/usage")
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["channels"] == [{"channel": "whatsapp", "received": 1, "sent": 3, "total": 4}]
    assert body["senders"] == [{"sender": agent.sub, "kind": "user", "channel": "whatsapp", "sent": 3}]
    charges = {(w["category"], w["country"]): (w["messages"], w["cost"]) for w in body["whatsapp"]}
    # Colombia's default rates: marketing 0.0125, utility 0.0008, a free-form reply (service) 0
    assert charges == {("marketing", "CO"): (1, 0.0125), ("utility", "CO"): (1, 0.0008), ("service", "CO"): (1, 0.0)}
    assert body["totals"]["whatsapp_cost"] == 0.0133 and body["currency"] == "USD"

    exported = call(API, "GET", "/v1/usage/export", principal=supervisor)
    assert exported.status == 200 and "text/csv" in exported.headers["Content-Type"]
    rows = list(csv.reader(io.StringIO(exported.body)))
    assert ["channel", body["month"], "whatsapp", "", "", "", "", "1", "3", "4", ""] in rows
    assert ["whatsapp", body["month"], "whatsapp", "", "", "marketing", "CO", "", "1", "1", "0.012500"] in rows

    # The debits: one per charged message, newest first, balance after each
    ledger = get(supervisor, "/v1/credits/ledger").body["items"]
    assert [(e["kind"], e["amount"], e["balance"], e["category"], e["country"]) for e in ledger] == [
        ("debit", -0.0008, -0.0133, "utility", "CO"), ("debit", -0.0125, -0.0125, "marketing", "CO")]
    assert {e["user_id"] for e in ledger} == {agent.sub}

    other = get(demo["admin@acme.local"], "/v1/usage").body
    assert other["channels"] == [] and other["senders"] == [] and other["whatsapp"] == []
    assert get(demo["admin@acme.local"], "/v1/credits/ledger").body["items"] == []
    assert get(demo["admin@acme.local"], "/v1/credits").body["balance"] == 0.0


def test_a_redelivered_message_event_is_charged_once(demo, chat):
    from skailan.analytics import worker
    from skailan.platform.events import Actor, DomainEvent

    agent = demo["agent1@demo.local"]
    send(agent, chat, template("bienvenida"))
    pump()
    count_events()
    ledger = get(demo["supervisor@demo.local"], "/v1/credits/ledger").body["items"]
    assert len(ledger) == 1
    again = DomainEvent(id=ledger[0]["event_id"], tenant_id="demo", source="skailan.conversations",
                        type="message.queued", actor=Actor(kind="user", id=agent.sub),
                        entity_type="conversation", entity_id=chat,
                        data={"conversation_id": chat, "message_id": ledger[0]["message_id"],
                              "channel": "whatsapp", "account_id": "demo-whatsapp"})
    assert worker.apply(again) == "duplicate"
    assert len(get(demo["supervisor@demo.local"], "/v1/credits/ledger").body["items"]) == 1
    assert get(demo["supervisor@demo.local"], "/v1/credits").body["balance"] == -0.0125

    # A replay after a counter reset counts the message again but does not charge it again.
    from skailan.analytics import store

    store.delete_tenant("demo")
    again = again.model_copy(update={"occurred_at": ledger[0]["at"]})
    assert worker.apply(again) == "counted"
    assert len(get(demo["supervisor@demo.local"], "/v1/credits/ledger").body["items"]) == 1
    assert get(demo["supervisor@demo.local"], "/v1/credits").body["balance"] == -0.0125
    usage = get(demo["supervisor@demo.local"], "/v1/usage").body
    assert [(w["category"], w["messages"]) for w in usage["whatsapp"]] == [("marketing", 1)]


def test_under_the_minimum_an_alert_an_event_and_the_automatic_top_up(demo, chat):
    admin, supervisor, agent = demo["admin@demo.local"], demo["supervisor@demo.local"], demo["agent1@demo.local"]
    set_ = call(API, "PATCH", "/v1/credits/settings", principal=admin,
                body={"auto_topup": {"enabled": False, "minimum": 0.05}, "prices": {"CO": {"marketing": 0.02}}})
    assert set_.status == 200, set_.body
    assert set_.body["prices"]["CO"] == {"marketing": 0.02, "utility": 0.0008, "authentication": 0.0008, "service": 0.0}
    added = call(API, "POST", "/v1/credits/top-ups", principal=admin, body={"amount": 0.06, "note": "saldo inicial"})
    assert added.status == 201, added.body
    assert added.body["credits"]["balance"] == 0.06 and added.body["credits"]["low"] is False

    send(agent, chat, template("bienvenida"))  # 0.06 − 0.02 = 0.04 < 0.05: alert, no top-up
    pump()
    count_events()
    credits = get(supervisor, "/v1/credits").body
    assert credits["balance"] == 0.04 and credits["low"] is True
    summary = get(supervisor, "/v1/dashboard/summary").body
    low = [a for a in summary["alerts"] if a["type"] == "whatsapp_credits_low"]
    assert [(a["balance"], a["minimum"], a["link"]) for a in low] == [(0.04, 0.05, "/usage")]
    assert " / " in low[0]["message"]
    assert [a for a in get(demo["admin@acme.local"], "/v1/dashboard/summary").body["alerts"]
            if a["type"].startswith("whatsapp_credits")] == []
    events = outbox_events("demo")
    assert [(e["source"], e["type"], e["data"]["balance"], e["data"]["auto_topup"]) for e in events
            if e["type"] == "credits.balance_low"] == [("skailan.analytics", "credits.balance_low", 0.04, False)]

    send(agent, chat, template("bienvenida"))  # still under: no second alert event
    pump()
    count_events()
    assert len([e for e in outbox_events("demo") if e["type"] == "credits.balance_low"]) == 1

    # Auto top-up on: the next debit under the minimum records a purchase of 1.00
    assert call(API, "PATCH", "/v1/credits/settings", principal=admin,
                body={"auto_topup": {"enabled": True, "amount": 1.0}}).status == 200
    send(agent, chat, template("bienvenida"))
    pump()
    count_events()
    credits = get(supervisor, "/v1/credits").body
    assert credits["balance"] == 1.0 and credits["low"] is False  # 0.02 − 0.02 + 1.00
    ledger = get(supervisor, "/v1/credits/ledger").body["items"]
    assert [(e["kind"], e["amount"], e["balance"]) for e in ledger[:2]] in (
        [("topup_auto", 1.0, 1.0), ("debit", -0.02, 0.0)], [("debit", -0.02, 0.0), ("topup_auto", 1.0, 1.0)])
    topped = [e for e in outbox_events("demo") if e["type"] == "credits.topped_up"]
    assert [(e["data"]["mode"], e["data"]["amount"], e["data"]["balance"]) for e in topped] == [
        ("manual", 0.06, 0.06), ("auto", 1.0, 1.0)]
    summary = get(supervisor, "/v1/dashboard/summary").body
    assert [a["amount"] for a in summary["alerts"] if a["type"] == "whatsapp_credits_topped_up"] == [1.0]
    assert not [a for a in summary["alerts"] if a["type"] == "whatsapp_credits_low"]


def test_manual_top_up_is_idempotent_by_reference_and_admin_only(demo, credits_reset):
    admin = demo["admin@demo.local"]
    body = {"amount": 5, "reference": "factura-2026-001"}
    first = call(API, "POST", "/v1/credits/top-ups", principal=admin, body=body)
    again = call(API, "POST", "/v1/credits/top-ups", principal=admin, body=body)
    assert first.status == 201 and again.status == 201, (first.body, again.body)
    assert again.body["entry"]["id"] == first.body["entry"]["id"]
    assert get(admin, "/v1/credits").body["balance"] == 5.0
    assert [e["kind"] for e in get(admin, "/v1/credits/ledger").body["items"]] == ["topup_manual"]

    supervisor = demo["supervisor@demo.local"]
    assert call(API, "POST", "/v1/credits/top-ups", principal=supervisor, body={"amount": 1}).status == 403
    assert call(API, "PATCH", "/v1/credits/settings", principal=supervisor,
                body={"auto_topup": {"minimum": 1}}).status == 403
    for path in ("/v1/usage", "/v1/credits", "/v1/credits/ledger", "/v1/credits/settings"):
        assert get(demo["agent1@demo.local"], path).status == 403, path
    assert get(demo["admin@acme.local"], "/v1/credits").body["balance"] == 0.0


@pytest.mark.parametrize("body", [
    {"amount": 0}, {"amount": -1}, {"amount": None}, {}, {"amount": 1, "tenant_id": "acme"},
    {"amount": 1, "reference": "con espacios"}, {"amount": "mucho"},
])
def test_bad_top_ups_are_refused(demo, body):
    reply = call(API, "POST", "/v1/credits/top-ups", principal=demo["admin@demo.local"], body=body)
    assert reply.status == 422, reply.body
    assert set(reply.body["error"]) >= {"code", "message", "details"} and " / " in reply.body["error"]["message"]


@pytest.mark.parametrize("body", [
    {"auto_topup": {"minimum": -1}}, {"auto_topup": None}, {"auto_topup": {"enabled": None}},
    {"prices": {"colombia": {"marketing": 0.1}}}, {"prices": {"CO": {"marketing": -0.1}}},
    {"prices": {"CO": {"promo": 0.1}}}, {"currency": "dollars"}, {"unknown": 1},
])
def test_bad_settings_are_refused_and_nothing_is_written(demo, body):
    admin = demo["admin@demo.local"]
    before = get(admin, "/v1/credits/settings").body
    reply = call(API, "PATCH", "/v1/credits/settings", principal=admin, body=body)
    assert reply.status == 422, reply.body
    assert " / " in reply.body["error"]["message"]
    assert get(admin, "/v1/credits/settings").body == before


def test_a_new_country_needs_all_its_prices(demo):
    reply = call(API, "PATCH", "/v1/credits/settings", principal=demo["admin@demo.local"],
                 body={"prices": {"EC": {"marketing": 0.05}}})
    assert reply.status == 422, reply.body
    assert {d["field"] for d in reply.body["error"]["details"]} >= {"prices.EC.utility"}


@pytest.mark.parametrize("query", [{"month": "2026-13"}, {"month": "diciembre"}, {"month": "2026-1"},
                                   {"mes": "2026-01"}])
def test_bad_usage_queries_are_refused(demo, query):
    reply = call(API, "GET", "/v1/usage", principal=demo["supervisor@demo.local"], query=query)
    assert reply.status in (400, 422), reply.body
    assert " / " in reply.body["error"]["message"]


def test_bad_ledger_cursor_and_another_brands_cursor(demo, credits_reset):
    from skailan.platform.pagination import encode_cursor

    admin = demo["admin@demo.local"]
    for n in range(3):
        assert call(API, "POST", "/v1/credits/top-ups", principal=admin, body={"amount": n + 1}).status == 201
    page = get(admin, "/v1/credits/ledger", limit=2).body
    assert [e["amount"] for e in page["items"]] == [3.0, 2.0] and page["next_cursor"]
    rest = get(admin, "/v1/credits/ledger", limit=2, cursor=page["next_cursor"]).body
    assert [e["amount"] for e in rest["items"]] == [1.0] and rest["next_cursor"] is None
    assert get(demo["admin@acme.local"], "/v1/credits/ledger", cursor=page["next_cursor"]).status == 400
    forged = encode_cursor({"pk": {"S": "T#demo#AN#CRL"}, "sk": {"S": "~"}})
    assert get(demo["admin@acme.local"], "/v1/credits/ledger", cursor=forged).status == 400
    assert get(admin, "/v1/credits/ledger", cursor="nonsense!").status == 400


def test_a_failed_send_is_refunded_once(demo, chat):
    from skailan.analytics import worker
    from skailan.platform.events import Actor, DomainEvent

    supervisor = demo["supervisor@demo.local"]
    send(demo["agent1@demo.local"], chat, template("bienvenida"))
    pump()
    count_events()
    debit = get(supervisor, "/v1/credits/ledger").body["items"][0]
    failed = DomainEvent(tenant_id="demo", source="skailan.conversations", type="message.failed",
                         actor=Actor(kind="system"), entity_type="conversation", entity_id=chat,
                         data={"conversation_id": chat, "message_id": debit["message_id"], "channel": "whatsapp",
                               "error": {"code": "131026"}})
    assert worker.apply(failed) == "counted"
    assert worker.apply(failed) == "duplicate"
    assert worker.apply(failed.model_copy(update={"id": "another-delivery-of-the-failure"})) == "counted"
    ledger = get(supervisor, "/v1/credits/ledger").body["items"]
    assert [(e["kind"], e["amount"], e["balance"]) for e in ledger] == [("refund", 0.0125, 0.0),
                                                                       ("debit", -0.0125, -0.0125)]
    assert get(supervisor, "/v1/credits").body["balance"] == 0.0
    usage = get(supervisor, "/v1/usage").body
    assert [(w["category"], w["messages"], w["cost"]) for w in usage["whatsapp"]] == [("marketing", 1, 0.0)]
    # another brand's failure of the same message id refunds nothing here
    other = failed.model_copy(update={"id": "acme-failure", "tenant_id": "acme"})
    assert worker.apply(other) == "counted"
    assert get(supervisor, "/v1/credits").body["balance"] == 0.0
    assert get(demo["admin@acme.local"], "/v1/credits/ledger").body["items"] == []
