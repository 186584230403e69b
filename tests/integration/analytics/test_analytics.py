"""Analytics end to end in process (moto built from template.yaml): domain events through the
worker's handler, then the dashboard and report routes. Known timings give exact p50 / p90, in
and out of business hours; redelivered, shuffled and replayed events give the same counters;
another brand never sees them; bad input gets a clear 4xx."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from skailan.platform.events import Actor, DomainEvent
from tests.support import call

API = "api/analytics"
WEEKDAYS = {d: [{"start": "08:00", "end": "18:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}
CONV = "skailan.conversations"
RANGE = {"from": "2026-11-02", "to": "2026-11-10"}


def _event(type_: str, at: str, conversation: str, *, actor: tuple[str, str | None] = ("system", None),
           source: str = CONV, tenant: str = "demo", **data: Any) -> DomainEvent:
    return DomainEvent(tenant_id=tenant, source=source, type=type_, occurred_at=at,
                       actor=Actor(kind=actor[0], id=actor[1]), entity_type="conversation", entity_id=conversation,
                       data={"conversation_id": conversation, "channel": "whatsapp", **data})


def _customer(at: str, conversation: str, message: str, *, opens: str | None = None) -> list[DomainEvent]:
    out = []
    if opens:
        out.append(_event(opens, at, conversation, actor=("customer", "p"),
                          message_id=message, person_id="p"))
    out.append(_event("message.received", at, conversation, actor=("customer", "p"), message_id=message,
                      person_id="p", type="text", provider_message_id=f"wamid.{message}"))
    return out


def _reply(at: str, conversation: str, agent: str, kind: str = "user") -> DomainEvent:
    return _event("message.queued", at, conversation, actor=(kind, agent), message_id=f"out-{conversation}-{at}")


def _close(at: str, conversation: str, agent: str, reason: str = "resolved") -> DomainEvent:
    return _event("conversation.closed", at, conversation, actor=("user", agent), reason_id=reason, assignee=agent)


def scenario(ana: str, beto: str) -> list[DomainEvent]:
    """Bogotá (UTC−5), hours Mon–Fri 08–18, Monday 9 Nov a holiday. First responses:
    c1 100 s (Ana), c2 70 s after the handoff (Beto; the bot's reply does not count),
    c3 17:50 → 08:10 next day (Ana: 51 600 s, 1 200 s in hours), c4 30 s then 120 s after the
    customer re-opened it (Beto), c5 Friday 17:00 → Tuesday 08:30 over the holiday (Ana:
    315 000 s, 5 400 s in hours)."""
    events: list[DomainEvent] = []
    events += _customer("2026-11-02T14:00:00.000Z", "c1", "m1", opens="conversation.created")
    events += [_reply("2026-11-02T14:01:40.000Z", "c1", ana), _reply("2026-11-02T14:02:00.000Z", "c1", ana),
               _close("2026-11-02T14:10:00.000Z", "c1", ana)]
    events += _customer("2026-11-02T14:00:00.000Z", "c2", "m2", opens="conversation.created")
    events += [_reply("2026-11-02T14:00:05.000Z", "c2", "bot", kind="bot")]
    events += _customer("2026-11-02T14:04:50.000Z", "c2", "m2b")
    events += [_event("conversation.handoff_requested", "2026-11-02T14:05:00.000Z", "c2"),
               _reply("2026-11-02T14:06:00.000Z", "c2", beto)]
    events += _customer("2026-11-02T22:50:00.000Z", "c3", "m3", opens="conversation.created")
    events += [_reply("2026-11-03T13:10:00.000Z", "c3", ana)]
    events += _customer("2026-11-02T15:00:00.000Z", "c4", "m4", opens="conversation.created")
    events += [_reply("2026-11-02T15:00:30.000Z", "c4", beto), _close("2026-11-02T15:05:00.000Z", "c4", beto, "sale")]
    events += _customer("2026-11-02T16:00:00.000Z", "c4", "m4b", opens="conversation.reopened")
    events += [_reply("2026-11-02T16:02:00.000Z", "c4", beto)]
    events += _customer("2026-11-06T22:00:00.000Z", "c5", "m5", opens="conversation.created")
    events += [_reply("2026-11-10T13:30:00.000Z", "c5", ana)]
    events += [_event("conversation.rated", "2026-11-02T14:20:00.000Z", "c1", person_id="p", message_id="r1",
                      rating=5, rated_at="2026-11-02T14:20:00.000Z", agent=ana),
               _event("conversation.rated", "2026-11-02T15:20:00.000Z", "c4", person_id="p", message_id="r4",
                      rating=2, rated_at="2026-11-02T15:20:00.000Z", agent=beto)]
    for score, conversation in ((10, "c1"), (9, "c2"), (8, "c3"), (3, "c4"), (10, "c5")):
        events.append(_event("conversation.nps_answered", "2026-11-03T15:00:00.000Z", conversation, person_id="p",
                             score=score, answered_at="2026-11-03T15:00:00.000Z", agent=ana))
    return events


def deliver(events: list[DomainEvent]) -> dict[str, Any]:
    """Through the worker's handler, as SQS would hand them over (EventBridge envelope)."""
    from tests.support import FakeContext, handler_of

    records = [{"messageId": f"m-{i}", "receiptHandle": "r", "body": json.dumps(
        {"detail-type": e.type, "source": e.source, "detail": json.loads(e.model_dump_json())}), "attributes": {}}
        for i, e in enumerate(events)]
    return handler_of("workers/analytics")({"Records": records}, FakeContext())


def counters(tenant: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every counter, gauge and queue item of a brand (zeros dropped): what a replay must rebuild."""
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    out: dict[tuple[str, str], dict[str, Any]] = {}
    paginator = client("dynamodb").get_paginator("scan")
    for page in paginator.paginate(TableName=get_settings().analytics_table):
        for item in page["Items"]:
            pk = item["pk"]["S"]
            if not pk.startswith(f"T#{tenant}#AN#") or ("#D#" not in pk and "#MO#" not in pk
                                                         and not pk.endswith(("#G", "#UQ"))):
                continue
            values = {k: v.get("N", v.get("S")) for k, v in item.items() if k not in ("pk", "sk")}
            values = {k: v for k, v in values.items() if v not in ("0", "0.0")}
            out[(pk, item["sk"]["S"])] = values
    return out


@pytest.fixture(scope="module")
def people(demo):
    from skailan.analytics import brands, store

    reply = call("api/admin", "PATCH", "/v1/admin/brand", principal=demo["admin@demo.local"],
                 body={"business_hours": {**{d: [] for d in ("sat", "sun")}, **WEEKDAYS}, "holidays": ["2026-11-09"]})
    assert reply.status == 200, reply.body
    assert reply.body["holidays"] == ["2026-11-09"]
    brands.forget_brands()
    store.delete_tenant("demo")
    return {"ana": demo["agent1@demo.local"].sub, "beto": demo["agent2@demo.local"].sub}


@pytest.fixture(scope="module")
def played(people):
    events = scenario(people["ana"], people["beto"])
    assert deliver(events) == {"batchItemFailures": []}
    return {**people, "events": events}


def _report(demo, **query):
    return call(API, "GET", "/v1/reports/conversations", principal=demo["supervisor@demo.local"],
                query={**RANGE, **query})


def test_first_response_percentiles_are_exact(demo, played):
    reply = _report(demo)
    assert reply.status == 200, reply.body
    totals = reply.body["totals"]
    assert totals["first_response"] == {"count": 6, "p50": 100, "p90": 315000, "avg": 61153.3}
    assert totals["resolution"] == {"count": 2, "p50": 300, "p90": 600, "avg": 450.0}
    assert totals["conversations"] == 2 and totals["created"] == 5 and totals["handoffs"] == 1
    assert totals["messages_in"] == 7 and totals["messages_out"] == 8  # the bot's reply is a message out
    assert totals["csat"] == {"responses": 2, "average": 3.5, "satisfaction_pct": 50.0}
    assert "bot" in reply.body["definitions"]["first_response"]


def test_business_hours_exclude_nights_weekends_and_holidays(demo, played):
    totals = _report(demo, business_hours="true").body["totals"]
    assert totals["first_response"] == {"count": 6, "p50": 100, "p90": 5400, "avg": round((30 + 70 + 100 + 120 + 1200 + 5400) / 6, 1)}


def test_by_agent(demo, played):
    groups = {g["key"]: g for g in _report(demo, group_by="agent").body["groups"]}
    ana, beto = groups[played["ana"]], groups[played["beto"]]
    assert ana["first_response"] == {"count": 3, "p50": 51600, "p90": 315000, "avg": round((100 + 51600 + 315000) / 3, 1)}
    assert beto["first_response"] == {"count": 3, "p50": 70, "p90": 120, "avg": round((30 + 70 + 120) / 3, 1)}
    assert "bot" not in groups
    in_hours = {g["key"]: g for g in _report(demo, group_by="agent", business_hours="true").body["groups"]}
    assert in_hours[played["ana"]]["first_response"]["p50"] == 1200


def test_by_close_reason_and_range(demo, played):
    groups = {g["key"]: g for g in _report(demo, group_by="close_reason").body["groups"]}
    assert groups["resolved"]["resolution"]["p50"] == 600 and groups["sale"]["resolution"]["p50"] == 300
    one_day = call(API, "GET", "/v1/reports/conversations", principal=demo["supervisor@demo.local"],
                   query={"from": "2026-11-03", "to": "2026-11-03"}).body["totals"]
    assert one_day["first_response"]["count"] == 1 and one_day["first_response"]["p50"] == 51600


def test_nps(demo, played):
    reply = call(API, "GET", "/v1/reports/nps", principal=demo["supervisor@demo.local"], query=RANGE)
    assert reply.status == 200, reply.body
    body = reply.body
    assert (body["promoters"], body["passives"], body["detractors"], body["responses"]) == (3, 1, 1, 5)
    assert body["nps"] == 40.0  # 60 % − 20 %


def test_a_redelivered_event_counts_once(demo, played):
    before = counters("demo")
    assert deliver(played["events"][:8]) == {"batchItemFailures": []}
    assert counters("demo") == before


def test_shuffled_duplicated_replay_rebuilds_the_same_counters(demo, played):
    from skailan.analytics import replay

    before = counters("demo")
    events = played["events"]
    shuffled = events + events[:10]
    random.Random(7).shuffle(shuffled)
    outcome = replay.rebuild("demo", shuffled)
    assert outcome["counted"] == len(events) and outcome["duplicate"] == 10
    assert counters("demo") == before


def test_another_brand_sees_nothing(demo, played):
    reply = call(API, "GET", "/v1/reports/conversations", principal=demo["admin@acme.local"], query=RANGE)
    assert reply.status == 200
    assert reply.body["totals"]["first_response"]["count"] == 0 and reply.body["totals"]["created"] == 0
    assert call(API, "GET", "/v1/reports/nps", principal=demo["admin@acme.local"], query=RANGE).body["responses"] == 0
    # A forged event for acme that names demo's conversation ids never lands in demo's counters.
    before = counters("demo")
    deliver([_event("message.received", "2026-11-02T14:00:00.000Z", "c1", tenant="acme", actor=("customer", "p"),
                    message_id="x1", person_id="p", type="text", provider_message_id="w")])
    assert counters("demo") == before


def test_reports_need_their_permission(demo, played):
    assert _report_as(demo, "agent1@demo.local").status == 403
    assert call(API, "GET", "/v1/dashboard/summary", principal=demo["agent1@demo.local"]).status == 403
    assert _report_as(demo, "admin@demo.local").status == 200


def _report_as(demo, email):
    return call(API, "GET", "/v1/reports/conversations", principal=demo[email], query=RANGE)


@pytest.mark.parametrize(("query", "status", "field"), [
    ({"from": "2026-11-10", "to": "2026-11-02"}, 422, "from"),
    ({"from": "2025-01-01", "to": "2026-11-02"}, 422, "to"),
    ({"from": "2026-02-30", "to": "2026-03-02"}, 422, "from"),
    ({"group_by": "country"}, 422, None),
    ({"business_hours": "maybe"}, 422, None),
    ({"from": "2026-11-01", "sort": "p90"}, 400, "sort"),
])
def test_bad_input_is_a_clear_4xx(demo, played, query, status, field):
    reply = call(API, "GET", "/v1/reports/conversations", principal=demo["supervisor@demo.local"], query=query)
    assert reply.status == status, reply.body
    error = reply.body["error"]
    assert " / " in error["message"]
    if field:
        assert any(d.get("field") == field for d in error["details"]), error


def test_thirteen_months_is_the_longest_range(demo, played):
    ok = call(API, "GET", "/v1/reports/conversations", principal=demo["supervisor@demo.local"],
              query={"from": "2025-10-02", "to": "2026-11-02"})
    assert ok.status == 200, ok.body


def test_summary_gauges_follow_the_newest_event_whatever_the_order(demo, played):
    from datetime import timedelta

    from skailan.platform.clock import iso, utcnow

    now = utcnow()
    earlier, later = iso(now - timedelta(minutes=5)), iso(now)

    def crm(type_: str, entity: str, at: str, **data: Any) -> DomainEvent:
        return DomainEvent(tenant_id="demo", source="skailan.crm", type=type_, occurred_at=at,
                           entity_type=type_.split(".")[0], entity_id=entity, data=data)

    def presence(status: str, at: str) -> DomainEvent:
        return DomainEvent(tenant_id="demo", source="skailan.inbox", type="agent.presence_changed", occurred_at=at,
                           entity_type="agent", entity_id=played["ana"], data={"status": status})

    before = call(API, "GET", "/v1/dashboard/summary", principal=demo["supervisor@demo.local"]).body
    assert deliver([
        crm("task.completed", "t2", later), crm("task.overdue", "t2", earlier),  # done after it fell due
        crm("task.overdue", "t1", earlier),
        crm("deal.won", "d1", later, amount="1500000.50", currency="COP", owner_id=played["ana"]),
        crm("contact.created", "p1", later, name="Nueva"),
        presence("offline", later), presence("online", earlier),  # went offline last
        presence("online", later[:-4] + "999Z"),
    ]) == {"batchItemFailures": []}
    after = call(API, "GET", "/v1/dashboard/summary", principal=demo["supervisor@demo.local"]).body
    assert after["tasks_overdue"] == before["tasks_overdue"] + 1
    assert after["deals_won_month"]["count"] == before["deals_won_month"]["count"] + 1
    assert after["deals_won_month"]["amount"] == before["deals_won_month"]["amount"] + 1500000.5
    assert after["leads_captured"] == before["leads_captured"] + 1
    assert after["agents_online"] == before["agents_online"] + 1
    other = call(API, "GET", "/v1/dashboard/summary", principal=demo["admin@acme.local"]).body
    assert (other["tasks_overdue"], other["deals_won_month"]["count"], other["agents_online"]) == (0, 0, 0)
