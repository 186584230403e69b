"""KAM KPIs (`GET /v1/reports/kam`): a known October of three key accounts played through the
analytics worker gives exact CLV, NPS, satisfaction, referenceable customers, interaction gaps,
upsell / cross-sell / renewal rates, organic growth, acquisition per channel and churn; the CRM's
own events (business marked as key account, deal typed upsell) reach the same counters; another
brand never counts; bad input is a clear 4xx."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from skailan.platform.events import Actor, DomainEvent
from tests.integration.analytics.test_analytics import counters, deliver
from tests.support import OutboxWatch, call

API = "api/analytics"
CRM = "api/crm"
RANGE = {"from": "2026-10-01", "to": "2026-10-31"}
NOW = datetime(2026, 11, 5, 17, 0, tzinfo=UTC)


def crm(type_: str, entity: str, at: str, *, tenant: str = "demo", **data: Any) -> DomainEvent:
    return DomainEvent(tenant_id=tenant, source="skailan.crm", type=type_, occurred_at=at,
                       entity_type=type_.split(".")[0], entity_id=entity, data=data)


def conv(type_: str, at: str, conversation: str, person: str, *, actor: tuple[str, str | None] = ("customer", None),
         **data: Any) -> DomainEvent:
    return DomainEvent(tenant_id="demo", source="skailan.conversations", type=type_, occurred_at=at,
                       actor=Actor(kind=actor[0], id=actor[1] or person), entity_type="conversation",
                       entity_id=conversation,
                       data={"conversation_id": conversation, "channel": "whatsapp", "person_id": person, **data})


def day(d: str) -> str:
    return f"2026-{d}T17:00:00.000Z"  # noon in Bogotá: the brand's local day is the same


def scenario(ana: str, beto: str) -> list[DomainEvent]:
    """A (Ana's) key since September: deals new 1000 (Sep), upsell 500, renewal 1500 (Oct); people
    pa1 (referenceable, NPS 10, CSAT 5) and pa2 (referenceable, NPS 5, CSAT 3); interactions on
    Oct 3, 4 and 20 (a customer message each, and a reply on the 20th). B (Beto's) key since Sep 15,
    lost Oct 15, a cross-sell of 800 on Oct 2. C (Ana's) key from Oct 10. D never key (its deal
    is not an account's). Acquisition: pa2 and pc1 by WhatsApp, pb1 by a form; pa2 and pb1 won."""
    e: list[DomainEvent] = [
        crm("business.created", "acc-a", "2026-09-01T12:00:00.000Z", name="Alfa", key_account=True,
            account_manager_id=ana),
        crm("business.created", "acc-b", "2026-09-15T12:00:00.000Z", name="Beta", key_account=True,
            account_manager_id=beto),
        crm("business.updated", "acc-b", "2026-10-15T12:00:00.000Z", name="Beta", key_account=False,
            account_manager_id=beto, changed=["key_account"]),
        crm("business.created", "acc-c", "2026-09-20T12:00:00.000Z", name="Gama", key_account=False),
        crm("business.updated", "acc-c", "2026-10-10T12:00:00.000Z", name="Gama", key_account=True,
            account_manager_id=ana, changed=["key_account", "account_manager_id"]),
        crm("business.created", "acc-d", "2026-09-01T12:00:00.000Z", name="Delta", key_account=False),
        crm("contact.created", "pa1", "2026-09-01T12:00:00.000Z", name="A1", channel="whatsapp"),
        crm("contact.created", "pa2", day("10-02"), name="A2", channel="whatsapp"),
        crm("contact.created", "pb1", day("10-03"), name="B1", form_id="f1"),
        crm("contact.created", "pc1", day("10-04"), name="C1", channel="whatsapp"),
        crm("business.person_linked", "acc-a", "2026-09-02T12:00:00.000Z", person_id="pa1"),
        crm("business.person_linked", "acc-a", "2026-09-02T12:00:00.000Z", person_id="pa2"),
        crm("business.person_linked", "acc-b", "2026-09-16T12:00:00.000Z", person_id="pb1"),
        crm("contact.updated", "pa1", "2026-09-03T12:00:00.000Z", changed=["custom"], referenceable=True),
        crm("contact.updated", "pa2", "2026-09-03T12:00:00.000Z", changed=["custom"], referenceable=True),
        crm("deal.won", "dA1", "2026-09-10T17:00:00.000Z", amount="1000", business_id="acc-a", kind="new",
            person_id="pa1", owner_id=ana),
        crm("deal.won", "dA2", day("10-05"), amount="500", business_id="acc-a", kind="upsell", person_id="pa2",
            owner_id=ana),
        crm("deal.won", "dA3", day("10-20"), amount="1500.00", business_id="acc-a", kind="renewal",
            person_id="pa2", owner_id=ana),
        crm("deal.won", "dB1", day("10-02"), amount="800", business_id="acc-b", kind="cross_sell", person_id="pb1",
            owner_id=beto),
        crm("deal.won", "dD1", day("10-06"), amount="9999", business_id="acc-d", kind="upsell", owner_id=beto),
        conv("conversation.nps_answered", day("10-10"), "ca1", "pa1", score=10, answered_at=day("10-10")),
        conv("conversation.nps_answered", day("10-12"), "ca2", "pa2", score=5, answered_at=day("10-12")),
        conv("conversation.rated", day("10-10"), "ca1", "pa1", message_id="r1", rating=5, rated_at=day("10-10")),
        conv("conversation.rated", day("10-12"), "ca2", "pa2", message_id="r2", rating=3, rated_at=day("10-12")),
    ]
    for d, message in (("10-03", "m1"), ("10-04", "m2"), ("10-20", "m3")):
        e.append(conv("message.received", day(d), "ca1", "pa1", message_id=message, type="text",
                      provider_message_id=f"wamid.{message}"))
    e.append(conv("message.queued", "2026-10-20T17:05:00.000Z", "ca1", "pa1", actor=("user", ana),
                  message_id="out1"))
    return e


@pytest.fixture(scope="module")
def played(demo):
    from skailan.analytics import brands, store

    brands.forget_brands()
    store.delete_tenant("demo")
    ana, beto = demo["agent1@demo.local"].sub, demo["agent2@demo.local"].sub
    events = scenario(ana, beto)
    assert deliver(events) == {"batchItemFailures": []}
    return {"ana": ana, "beto": beto, "events": events}


@pytest.fixture
def at_now(monkeypatch):
    from skailan.analytics import kam

    monkeypatch.setattr(kam, "utcnow", lambda: NOW)


def kam_report(demo, who: str = "supervisor@demo.local", **query: str) -> Any:
    return call(API, "GET", "/v1/reports/kam", principal=demo[who], query={**RANGE, **query})


def test_account_kpis_are_exact(demo, played, at_now):
    reply = kam_report(demo)
    assert reply.status == 200, reply.body
    accounts = {a["business_id"]: a for a in reply.body["accounts"]}
    assert sorted(accounts) == ["acc-a", "acc-b", "acc-c"]  # D was never a key account
    a = accounts["acc-a"]
    assert a["clv_detail"] == {"won_to_date": 3000.0, "won_deals_to_date": 3, "average_purchase": 1000.0,
                               "purchases_per_year": 3.0, "expected_lifespan_years": 3.0, "projected": 9000.0}
    assert a["clv"] == 12000.0
    assert (a["nps"], a["nps_responses"], a["satisfaction_pct"], a["csat_responses"]) == (0.0, 2, 50.0, 2)
    assert a["referenceable_customers"] == 1  # pa2 is referenceable but a detractor
    assert a["interactions"] == 4 and a["interactions_per_week"] == round(4 * 7 / 31, 2)
    assert a["interaction_gap_days"] == 15  # Oct 5 – 19
    assert a["days_since_last_interaction"] == 15 and a["gap_alert"] is False  # whole days since Oct 20 17:05
    assert (a["won_deals"], a["won_revenue"], a["upsell_rate"], a["renewal_rate"], a["cross_sell_rate"]) == \
        (2, 2000.0, 50.0, 50.0, 0.0)
    assert a["organic_growth"] == 100.0 and a["rate_denominator"] == "won_deals"
    assert a["account_manager_id"] == played["ana"] and a["key_account"] is True
    b = accounts["acc-b"]
    assert b["key_account"] is False and b["lost_at"] == "2026-10-15T12:00:00.000Z"
    assert b["clv"] == 3200.0 and b["interaction_gap_days"] == 31 and b["gap_alert"] is False
    assert b["cross_sell_rate"] == 100.0
    assert accounts["acc-c"]["key_account_since"] == "2026-10-10T12:00:00.000Z"
    assert "average purchase" in reply.body["definitions"]["clv"]


def test_managers_totals_churn_and_acquisition(demo, played, at_now):
    body = kam_report(demo).body
    assert (body["accounts_at_start"], body["accounts_lost"], body["churn_rate"]) == (2, 1, 50.0)
    managers = {m["account_manager_id"]: m for m in body["managers"]}
    assert managers[played["ana"]]["accounts"] == 2 and managers[played["ana"]]["clv"] == 12000.0
    assert managers[played["beto"]]["accounts"] == 1 and managers[played["beto"]]["won_revenue"] == 800.0
    totals = body["totals"]
    assert (totals["won_deals"], totals["won_revenue"], totals["upsell_rate"], totals["organic_growth"]) == \
        (3, 2800.0, 33.3, 100.0)
    assert totals["referenceable_customers"] == 1
    acquisition = {a["channel"]: a for a in body["acquisition"]}
    assert acquisition["whatsapp"] == {"channel": "whatsapp", "reached": 2, "converted": 1, "rate": 50.0}
    assert acquisition["form"] == {"channel": "form", "reached": 1, "converted": 1, "rate": 100.0}
    # September: A and B became key accounts, none lost; A's first deal and pa1's conversion.
    september = kam_report(demo, **{"from": "2026-09-01", "to": "2026-09-30"}).body
    assert (september["accounts_at_start"], september["churn_rate"]) == (0, None)
    assert {a["business_id"] for a in september["accounts"]} == {"acc-a", "acc-b"}


def test_settings_choose_the_threshold_denominator_and_lifespan(demo, played, at_now):
    admin = demo["admin@demo.local"]
    reply = call("api/admin", "PATCH", "/v1/admin/brand", principal=admin,
                 body={"kam": {"interaction_gap_alert_days": 10, "rate_denominator": "key_accounts",
                               "expected_lifespan_years": 2}})
    assert reply.status == 200, reply.body
    assert reply.body["kam"] == {"interaction_gap_alert_days": 10, "expected_lifespan_years": 2.0,
                                 "rate_denominator": "key_accounts"}
    try:
        body = kam_report(demo).body
        a = next(x for x in body["accounts"] if x["business_id"] == "acc-a")
        assert a["gap_alert"] is True and a["upsell_rate"] == 100.0 and a["rate_denominator_value"] == 1
        assert a["clv"] == 3000.0 + 1000.0 * 3 * 2
        assert [x["business_id"] for x in body["alerts"]] == ["acc-a", "acc-c"]  # C: no interaction ever
        assert " / " in body["alerts"][0]["message"]
        assert body["totals"]["upsell_rate"] == round(100 / 3, 1)  # 1 upsell ÷ 3 key accounts
    finally:
        call("api/admin", "PATCH", "/v1/admin/brand", principal=admin,
             body={"kam": {"interaction_gap_alert_days": 30, "rate_denominator": "won_deals",
                           "expected_lifespan_years": 3}})
    bad = call("api/admin", "PATCH", "/v1/admin/brand", principal=admin, body={"kam": {"rate_denominator": "all"}})
    assert bad.status == 422 and " / " in bad.body["error"]["message"]
    assert call("api/admin", "PATCH", "/v1/admin/brand", principal=admin,
                body={"kam": {"interaction_gap_alert_days": None}}).status == 422


def test_a_redelivered_event_counts_once(demo, played, at_now):
    before = counters("demo"), kam_report(demo).body
    assert deliver(played["events"]) == {"batchItemFailures": []}
    assert (counters("demo"), kam_report(demo).body) == before


def test_the_crm_marks_key_accounts_and_types_deals(demo, played):
    """The CRM's own events, as its outbox holds them, reach the KAM counters."""
    from skailan.platform.settings import get_settings

    admin = demo["admin@demo.local"]
    watch = OutboxWatch(get_settings().contacts_table)
    created = call(CRM, "POST", "/v1/businesses", principal=admin,
                   body={"name": "Épsilon", "key_account": True, "account_manager_id": played["beto"]})
    assert created.status == 201, created.body
    assert created.body["key_account"] is True and created.body["account_manager_id"] == played["beto"]
    business_id = created.body["id"]
    deal = call("api/sales", "POST", "/v1/deals", principal=admin,
                body={"title": "Renovación", "amount": "700", "business_id": business_id, "kind": "renewal",
                      "stage_id": "ganado"})
    assert deal.status == 201, deal.body
    assert deal.body["kind"] == "renewal"
    assert call("api/sales", "POST", "/v1/deals", principal=admin,
                body={"title": "X", "kind": "resale"}).status == 422
    events = [e for e in watch.events() if e.type.startswith(("business.", "deal.won"))]
    assert {e.type for e in events} == {"business.created", "deal.won"}
    assert deliver(events) == {"batchItemFailures": []}
    body = call(API, "GET", "/v1/reports/kam", principal=demo["supervisor@demo.local"]).body  # the last 7 days
    row = next(a for a in body["accounts"] if a["business_id"] == business_id)
    assert row["account_manager_id"] == played["beto"]
    assert row["clv_detail"]["won_to_date"] == 700.0
    # Another brand cannot read or mark demo's business, nor name a member of another brand.
    assert call(CRM, "PATCH", f"/v1/businesses/{business_id}", principal=demo["admin@acme.local"],
                body={"key_account": False}).status == 404
    assert call(CRM, "PATCH", f"/v1/businesses/{business_id}", principal=admin,
                body={"account_manager_id": demo["admin@acme.local"].sub}).status == 422


def test_another_brand_sees_nothing(demo, played, at_now):
    before = counters("demo")
    # A forged acme event naming demo's ids lands in acme only.
    assert deliver([crm("business.created", "acc-a", "2026-09-01T12:00:00.000Z", tenant="acme", name="Forged",
                        key_account=True)]) == {"batchItemFailures": []}
    assert counters("demo") == before
    reply = kam_report(demo, who="admin@acme.local")
    assert reply.status == 200
    assert [a["name"] for a in reply.body["accounts"]] == ["Forged"]
    assert reply.body["accounts"][0]["clv"] == 0.0 and reply.body["totals"]["won_deals"] == 0


def test_the_report_needs_its_permission(demo, played):
    assert kam_report(demo, who="agent1@demo.local").status == 403


@pytest.mark.parametrize(("query", "status", "field"), [
    ({"from": "2026-10-31", "to": "2026-10-01"}, 422, "from"),
    ({"from": "2025-01-01", "to": "2026-10-01"}, 422, "to"),
    ({"from": "2026-13-01"}, 422, None),
    ({"group_by": "agent"}, 400, "group_by"),
])
def test_bad_input_is_a_clear_4xx(demo, played, query, status, field):
    reply = call(API, "GET", "/v1/reports/kam", principal=demo["supervisor@demo.local"], query=query)
    assert reply.status == status, reply.body
    assert " / " in reply.body["error"]["message"]
    if field:
        assert any(d.get("field") == field for d in reply.body["error"]["details"]), reply.body


def test_nps_report_by_key_account(demo, played):
    reply = call(API, "GET", "/v1/reports/nps", principal=demo["supervisor@demo.local"],
                 query={**RANGE, "group_by": "account"})
    assert reply.status == 200, reply.body
    groups = {g["key"]: g for g in reply.body["groups"]}
    assert groups["acc-a"] == {"key": "acc-a", "nps": 0.0, "promoters": 1, "passives": 0, "detractors": 1,
                               "responses": 2}
    assert set(groups) == {"acc-a"}


def test_nps_export_by_key_account(demo, played):
    """The CSV has the same groups as the report, one line per account after the total."""
    reply = call(API, "GET", "/v1/reports/nps/export", principal=demo["supervisor@demo.local"],
                 query={**RANGE, "group_by": "account"})
    assert reply.status == 200, reply.body
    lines = reply.body.splitlines()
    assert lines[0] == "group,key,nps,promoters,passives,detractors,responses"
    assert lines[2] == "account,acc-a,0.0,1,0,1,2" and lines[3] == ""  # then the period line
    assert 'filename="nps-account-' in reply.headers["Content-Disposition"]


def test_a_shuffled_replay_rebuilds_the_same_report(demo, played, at_now):
    """Links first (attribution counts from the link on: docs/analytics.md), the rest in any order
    and some twice: the same figures."""
    import random

    from skailan.analytics import replay

    before = kam_report(demo).body
    links = [e for e in played["events"] if e.type == "business.person_linked"]
    rest = [e for e in played["events"] if e.type != "business.person_linked"]
    shuffled = rest + rest[:6]
    random.Random(16).shuffle(shuffled)
    outcome = replay.rebuild("demo", links + shuffled)  # forgets the brand's counters first
    assert outcome["counted"] == len(played["events"]) and outcome["duplicate"] == 6
    assert kam_report(demo).body == before
