"""The KAM report as CSV (`GET /v1/reports/kam/export`, issue 16 item 7): one row per key account
with the JSON report's KPIs, the same query and permission, another brand's data never in it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.analytics.test_analytics import deliver
from tests.integration.analytics.test_kam import RANGE, at_now, crm, kam_report, played  # noqa: F401 — fixtures
from tests.support import call

API = "api/analytics"
EXPORT = "/v1/reports/kam/export"


def export(demo: Any, who: str = "supervisor@demo.local", **query: str) -> Any:
    return call(API, "GET", EXPORT, principal=demo[who], query={**RANGE, **query})


def rows_of(body: str) -> tuple[list[dict[str, str]], list[str]]:
    """The account rows as dicts, and the trailer row after the blank line."""
    lines = list(csv.reader(io.StringIO(body)))
    blank = lines.index([])
    header, accounts = lines[0], lines[1:blank]
    return [dict(zip(header, row, strict=True)) for row in accounts], lines[blank + 1]


def as_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def test_the_csv_rows_are_the_json_reports_accounts(demo, played, at_now):  # noqa: F811
    report = kam_report(demo).body
    reply = export(demo)
    assert reply.status == 200, reply.body
    assert "text/csv" in reply.headers["Content-Type"]
    assert reply.headers["Content-Disposition"] == 'attachment; filename="kam-2026-10-01-2026-10-31.csv"'
    rows, trailer = rows_of(reply.body)
    assert reply.body.splitlines()[0].startswith("business_id,name,account_manager_id,key_account,")
    assert len(rows) == len(report["accounts"]) == 3
    for row, account in zip(rows, report["accounts"], strict=True):
        expected = {k: as_cell(v) for k, v in account.items() if k != "clv_detail"}
        expected |= {f"clv_{k}": as_cell(v) for k, v in account["clv_detail"].items()}
        expected["churned"] = as_cell(account["lost_at"] is not None)
        assert row == expected  # every KPI of the JSON, nothing else
    a = next(r for r in rows if r["business_id"] == "acc-a")
    assert (a["name"], a["account_manager_id"], a["clv"], a["clv_projected"]) == ("Alfa", played["ana"], "12000.0",
                                                                               "9000.0")
    assert (a["interaction_gap_days"], a["gap_alert"], a["upsell_rate"], a["churned"]) == ("15", "false", "50.0",
                                                                                           "false")
    b = next(r for r in rows if r["business_id"] == "acc-b")
    assert (b["churned"], b["lost_at"], b["key_account"]) == ("true", "2026-10-15T12:00:00.000Z", "false")
    assert trailer == ["from", "2026-10-01", "to", "2026-10-31", "time_zone", report["time_zone"],
                       "accounts_at_start", "2", "accounts_lost", "1", "churn_rate", "50.0"]


def test_another_brand_never_appears_and_formulas_are_defused(demo, played, at_now):  # noqa: F811
    assert deliver([crm("business.created", "acc-z", "2026-10-02T12:00:00.000Z", tenant="acme",
                        name="=HYPERLINK(\"http://x\")", key_account=True)]) == {"batchItemFailures": []}
    rows, _ = rows_of(export(demo).body)
    assert {r["business_id"] for r in rows} == {"acc-a", "acc-b", "acc-c"}
    acme = export(demo, who="admin@acme.local")
    assert acme.status == 200, acme.body
    acme_rows, _ = rows_of(acme.body)
    z = next(r for r in acme_rows if r["business_id"] == "acc-z")
    assert z["name"] == "'=HYPERLINK(\"http://x\")" and z["clv"] == "0.0"
    assert not {"Alfa", "Beta", "Gama"} & {r["name"] for r in acme_rows}


def test_the_export_needs_the_analytics_permission(demo, played):  # noqa: F811
    reply = export(demo, who="agent1@demo.local")
    assert reply.status == 403 and " / " in reply.body["error"]["message"]


@pytest.mark.parametrize(("query", "status", "field"), [
    ({"from": "2026-10-31", "to": "2026-10-01"}, 422, "from"),
    ({"from": "2025-01-01", "to": "2026-10-01"}, 422, "to"),
    ({"from": "2026-13-01"}, 422, None),
    ({"desde": "2026-10-01"}, 400, "desde"),
])
def test_bad_params_are_a_clear_4xx(demo, query, status, field):
    reply = call(API, "GET", EXPORT, principal=demo["supervisor@demo.local"], query=query)
    assert reply.status == status, reply.body
    assert " / " in reply.body["error"]["message"]
    if field:
        assert any(d.get("field") == field for d in reply.body["error"]["details"]), reply.body
