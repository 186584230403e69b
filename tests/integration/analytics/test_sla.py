"""SLA compliance in the conversation report: the scenario of test_analytics (first responses 30,
70, 100, 120, 51 600 and 315 000 s; 30, 70, 100, 120, 1 200 and 5 400 s in business hours;
resolutions 300 and 600 s) against the brand's targets, in total and by agent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.analytics.test_analytics import RANGE, people, played  # noqa: F401  (module fixtures)
from tests.support import call

API = "api/analytics"


@pytest.fixture
def targets(demo) -> Iterator[None]:
    admin = demo["admin@demo.local"]
    reply = call("api/admin", "PATCH", "/v1/admin/brand", principal=admin,
                 body={"sla": {"first_response_seconds": 1200, "resolution_seconds": 400}})
    assert reply.status == 200, reply.body
    assert reply.body["sla"] == {"first_response_seconds": 1200, "resolution_seconds": 400}
    yield
    call("api/admin", "PATCH", "/v1/admin/brand", principal=admin,
         body={"sla": {"first_response_seconds": 3600, "resolution_seconds": 86400}})


def _report(demo, **query):
    reply = call(API, "GET", "/v1/reports/conversations", principal=demo["supervisor@demo.local"],
                 query={**RANGE, **query})
    assert reply.status == 200, reply.body
    return reply.body


def test_default_targets_are_one_hour_and_one_day(demo, played):  # noqa: F811
    sla = _report(demo)["totals"]["sla"]
    assert sla["first_response"] == {"target_seconds": 3600, "total": 6, "within": 4, "pct": 66.7}
    assert sla["resolution"] == {"target_seconds": 86400, "total": 2, "within": 2, "pct": 100.0}


def test_compliance_against_the_brand_targets(demo, played, targets):  # noqa: F811
    body = _report(demo)
    assert body["totals"]["sla"]["first_response"] == {"target_seconds": 1200, "total": 6, "within": 4, "pct": 66.7}
    assert body["totals"]["sla"]["resolution"] == {"target_seconds": 400, "total": 2, "within": 1, "pct": 50.0}
    assert "SLA" in body["definitions"]["sla"] and " / " in body["definitions"]["sla"]
    in_hours = _report(demo, business_hours="true")["totals"]["sla"]["first_response"]
    assert (in_hours["within"], in_hours["pct"]) == (5, 83.3)  # 1 200 s in hours is within


def test_by_agent(demo, played, targets):  # noqa: F811
    groups = {g["key"]: g for g in _report(demo, group_by="agent")["groups"]}
    assert groups[played["ana"]]["sla"]["first_response"]["pct"] == 33.3  # 100 of 100, 51 600, 315 000
    assert groups[played["beto"]]["sla"]["first_response"]["pct"] == 100.0
    in_hours = {g["key"]: g for g in _report(demo, group_by="agent", business_hours="true")["groups"]}
    assert in_hours[played["ana"]]["sla"]["first_response"]["pct"] == 66.7  # 100, 1 200 of 5 400


def test_targets_are_validated(demo):
    admin = demo["admin@demo.local"]
    for body in ({"sla": {"first_response_seconds": 0}}, {"sla": {"resolution_seconds": "x"}},
                 {"sla": {"first_response_seconds": None}}, {"sla": {"other": 1}}):
        reply = call("api/admin", "PATCH", "/v1/admin/brand", principal=admin, body=body)
        assert reply.status == 422, (body, reply.body)
        assert " / " in reply.body["error"]["message"]


def test_another_brand_counts_nothing(demo, played):  # noqa: F811
    reply = call(API, "GET", "/v1/reports/conversations", principal=demo["admin@acme.local"], query=RANGE)
    assert reply.body["totals"]["sla"]["first_response"] == {"target_seconds": 3600, "total": 0, "within": 0,
                                                              "pct": None}
