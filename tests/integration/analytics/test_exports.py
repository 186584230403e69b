"""Fact exports and report CSVs: events through the analytics worker's handler write fact rows;
the daily export function writes them to the lake bucket (moto) as gzip CSV partitioned
brand=/date=; a redelivered event adds no row; another brand's rows are in its own partition
only; the report CSVs carry the JSON reports' numbers."""

from __future__ import annotations

import csv
import gzip
import io
from typing import Any

import pytest

from tests.integration.analytics.test_analytics import _close, _customer, _event, _reply, deliver
from tests.support import FakeContext, call, handler_of

API = "api/analytics"
DAY = "2026-11-02"  # Bogotá's local date of every event below


def read_facts(kind: str, tenant: str, day: str = DAY) -> list[dict[str, str]]:
    from skailan.platform.aws import client
    from skailan.platform.settings import get_settings

    body = client("s3").get_object(Bucket=get_settings().analytics_lake_bucket,
                                   Key=f"facts/{kind}/brand={tenant}/date={day}/facts.csv.gz")["Body"].read()
    return list(csv.DictReader(io.StringIO(gzip.decompress(body).decode())))


@pytest.fixture(scope="module")
def exported(demo) -> dict[str, Any]:
    from skailan.analytics import brands, store

    reply = call("api/admin", "PATCH", "/v1/admin/brand", principal=demo["admin@demo.local"],
                 body={"business_hours": {d: [{"start": "08:00", "end": "18:00"}] for d in
                                          ("mon", "tue", "wed", "thu", "fri")}, "holidays": []})
    assert reply.status == 200, reply.body
    brands.forget_brands()
    for tenant in ("demo", "acme"):
        store.delete_tenant(tenant)
    ana = demo["agent1@demo.local"].sub
    events = _customer("2026-11-02T14:00:00.000Z", "x1", "xm1", opens="conversation.created")
    events += [_reply("2026-11-02T14:01:40.000Z", "x1", ana), _reply("2026-11-02T14:02:00.000Z", "x1", "bot", kind="bot"),
               _close("2026-11-02T14:10:00.000Z", "x1", ana, "sale"),
               _event("conversation.rated", "2026-11-02T14:20:00.000Z", "x1", person_id="p", message_id="r1",
                      rating=4, rated_at="2026-11-02T14:20:00.000Z", agent=ana, closed_at="2026-11-02T14:10:00.000Z")]
    other = [_event("message.received", "2026-11-02T15:00:00.000Z", "y1", actor=("customer", "q"), tenant="acme",
                    message_id="ym1", person_id="q", type="text", provider_message_id="wamid.ym1")]
    assert deliver(events + other + events[:3]) == {"batchItemFailures": []}  # three redelivered
    result = handler_of("jobs/analytics_export")({"date": DAY}, FakeContext())
    return {"ana": ana, "result": result, "events": events}


def test_the_daily_export_writes_conversation_and_message_facts(exported):
    assert exported["result"]["date"] == DAY
    assert exported["result"]["brands"]["demo"] == {"conversations": 1, "messages": 3}
    rows = read_facts("conversations", "demo")
    assert rows == [{
        "conversation_id": "x1", "channel": "whatsapp", "team_id": "", "agent_id": exported["ana"],
        "close_reason": "sale", "opened_at": "2026-11-02T14:00:00.000Z", "closed_at": "2026-11-02T14:10:00.000Z",
        "first_response_seconds": "100", "first_response_bh_seconds": "100", "first_responder_id": exported["ana"],
        "resolution_seconds": "600", "resolution_bh_seconds": "600", "csat": "4"}]
    messages = read_facts("messages", "demo")
    assert [(m["message_id"], m["direction"], m["sender_kind"]) for m in messages] == [
        ("xm1", "in", "customer"), ("out-x1-2026-11-02T14:01:40.000Z", "out", "user"),
        ("out-x1-2026-11-02T14:02:00.000Z", "out", "bot")]
    # a free-form WhatsApp reply to an unknown number: service, other countries, free
    assert (messages[1]["whatsapp_category"], messages[1]["country"], messages[1]["cost"]) == ("service", "*", "0.000000")


def test_another_brand_is_in_its_own_partition_only(exported):
    assert exported["result"]["brands"]["acme"] == {"conversations": 0, "messages": 1}
    assert [m["message_id"] for m in read_facts("messages", "acme")] == ["ym1"]
    assert "ym1" not in {m["message_id"] for m in read_facts("messages", "demo")}


def test_exporting_a_date_again_replaces_it_and_a_bad_date_writes_nothing(exported):
    again = handler_of("jobs/analytics_export")({"date": DAY}, FakeContext())
    assert again["brands"] == exported["result"]["brands"]
    assert len(read_facts("messages", "demo")) == 3
    with pytest.raises(ValueError):
        handler_of("jobs/analytics_export")({"date": "2026-13-40"}, FakeContext())
    empty = handler_of("jobs/analytics_export")({"date": "2026-10-01"}, FakeContext())
    assert empty == {"date": "2026-10-01", "brands": {}}


def test_the_conversation_report_as_csv_has_the_reports_numbers(demo, exported):
    query = {"from": DAY, "to": DAY, "group_by": "agent"}
    supervisor = demo["supervisor@demo.local"]
    report = call(API, "GET", "/v1/reports/conversations", principal=supervisor, query=query).body
    reply = call(API, "GET", "/v1/reports/conversations/export", principal=supervisor, query=query)
    assert reply.status == 200, reply.body
    assert "text/csv" in reply.headers["Content-Type"] and "attachment" in reply.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(reply.body)))
    assert rows[0][:6] == ["group", "key", "conversations", "first_response_count", "first_response_p50",
                           "first_response_p90"]
    total = rows[1]
    assert total[:3] == ["total", "*", str(report["totals"]["conversations"])]
    assert total[4] == str(report["totals"]["first_response"]["p50"]) == "100"
    assert rows[2][:2] == ["agent", exported["ana"]] and rows[2][-3:] == ["1", "4.0", "100.0"]

    nps = call(API, "GET", "/v1/reports/nps/export", principal=supervisor, query={"from": DAY, "to": DAY})
    assert nps.status == 200 and nps.body.splitlines()[1] == "total,*,,0,0,0,0"


@pytest.mark.parametrize("path,query", [
    ("/v1/reports/conversations/export", {"from": "2026-11-10", "to": "2026-11-01"}),
    ("/v1/reports/conversations/export", {"group_by": "planet"}),
    ("/v1/reports/conversations/export", {"from": "2024-01-01", "to": "2026-01-01"}),
    ("/v1/reports/nps/export", {"group_by": "close_reason"}),
    ("/v1/reports/nps/export", {"desde": "2026-11-01"}),
])
def test_bad_export_queries_are_refused(demo, path, query):
    reply = call(API, "GET", path, principal=demo["supervisor@demo.local"], query=query)
    assert reply.status in (400, 422), reply.body
    assert " / " in reply.body["error"]["message"]


def test_report_exports_need_the_permission(demo):
    for path in ("/v1/reports/conversations/export", "/v1/reports/nps/export"):
        assert call(API, "GET", path, principal=demo["agent1@demo.local"]).status == 403
