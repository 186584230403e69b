"""Reports over HTTP through the local runtime, timed with the local application clock: a
WhatsApp message stamped just before the brand closes, the clock moved an hour, an agent
answers — the business-hours first response is exactly the 100 s the brand was open, the raw
one is the hour and a bit the clock says. This module runs its own runtime: moving the clock
must not touch the other e2e tests' timers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.e2e.conftest import ROOT, _free_port, login
from tests.e2e.test_inbox import customer_writes, eventually, find

pytestmark = pytest.mark.e2e
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture(scope="module")
def runtime() -> Iterator[str]:
    port, moto_port, ws_port = _free_port(), _free_port(), _free_port()
    env = dict(os.environ, SKAILAN_PORT=str(port), SKAILAN_MOTO_PORT=str(moto_port), SKAILAN_WS_PORT=str(ws_port),
               PYTHONPATH=f"{ROOT / 'layers/skailan'}:{ROOT}")
    log = open(ROOT / ".pytest-e2e-analytics-runtime.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen([sys.executable, "-m", "infra.local"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"local runtime exited early; see {log.name}")
            try:
                if httpx.get(f"{base}/v1/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"local runtime did not start in time; see {log.name}")
            time.sleep(0.5)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
            log.close()


@pytest.fixture(scope="module")
def client(runtime: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=runtime, timeout=30) as http:
        yield http


def clock_now(client: httpx.Client) -> datetime:
    reply = client.get("/_local/clock")
    assert reply.status_code == 200, reply.text
    return datetime.fromisoformat(reply.json()["now"].replace("Z", "+00:00"))


def test_the_local_clock_moves_forward_only(client):
    before = clock_now(client)
    for bad in ({"advance_seconds": -5}, {"advance_seconds": "soon"}, {}, {"advance_seconds": 5, "x": 1}, [], None):
        reply = client.post("/_local/clock", json=bad)
        assert reply.status_code == 400, (bad, reply.text)
        assert reply.json()["error"]["code"] == "validation_error" and " / " in reply.json()["error"]["message"]
    moved = client.post("/_local/clock", json={"advance_seconds": 90})
    assert moved.status_code == 200, moved.text
    assert clock_now(client) - before >= timedelta(seconds=90)


def test_first_response_in_business_hours_is_exact_through_the_clock(client):
    admin, supervisor, agent = (login(client, f"{who}@demo.local") for who in ("admin", "supervisor", "agent1"))
    now = clock_now(client)
    # A fixed-offset zone where it is about noon, so the scenario never crosses the brand's midnight.
    offset = 12 - now.hour
    zone = f"Etc/GMT{'-' if offset >= 0 else '+'}{abs(offset)}"
    local = now + timedelta(hours=offset)
    closes = (local - timedelta(minutes=2)).replace(second=0, microsecond=0)  # the brand closed 1–2 min ago
    hours = {day: [] for day in DAYS} | {DAYS[local.weekday()]: [{"start": "00:00", "end": closes.strftime("%H:%M")}]}
    original = client.get("/v1/admin/brand", headers=admin).json()
    patched = client.patch("/v1/admin/brand", headers=admin,
                           json={"time_zone": zone, "business_hours": hours, "holidays": []})
    assert patched.status_code == 200, patched.text
    try:
        written = closes.replace(tzinfo=UTC) - timedelta(hours=offset) - timedelta(seconds=100)
        wa_id = "57321" + str(uuid.uuid4().int)[:7]
        customer_writes(client, wa_id, "Hola, ¿siguen abiertos?", at=written)
        conversation = eventually(lambda: find(client, supervisor, wa_id))
        assert client.post("/_local/clock", json={"advance_seconds": 3600}).status_code == 200
        assert client.post(f"/v1/conversations/{conversation['id']}/take", headers=agent, json={}).status_code == 200
        before = clock_now(client)
        sent = client.post(f"/v1/conversations/{conversation['id']}/messages", headers=agent,
                           json={"text": "¡Hola! Abrimos mañana a primera hora."})
        assert sent.status_code == 202, sent.text
        after = clock_now(client)
        day = local.date().isoformat()

        def report(**query: str) -> dict:
            reply = client.get("/v1/reports/conversations", headers=supervisor,
                               params={"from": day, "to": day, **query})
            assert reply.status_code == 200, reply.text
            return reply.json()

        counted = eventually(lambda: (r := report(business_hours="true"))["totals"]["first_response"]["count"] and r)
        assert counted["totals"]["first_response"] == {"count": 1, "p50": 100, "p90": 100, "avg": 100.0}
        raw = report()["totals"]["first_response"]
        low, high = int((before - written).total_seconds()), int((after - written).total_seconds())
        assert low >= 3600 + 100 and low <= raw["p50"] == raw["p90"] <= high
        mine = report(group_by="agent", business_hours="true")["groups"]
        agent_id = client.get("/v1/agents/me", headers=agent).json()["user_id"]
        assert [(g["key"], g["first_response"]["p50"]) for g in mine] == [(agent_id, 100)]
        # Another brand's supervisor-level view counts nothing of it.
        acme = login(client, "admin@acme.local")
        other = client.get("/v1/reports/conversations", headers=acme, params={"from": day, "to": day}).json()
        assert other["totals"]["first_response"]["count"] == 0
        summary = client.get("/v1/dashboard/summary", headers=supervisor)
        assert summary.status_code == 200 and summary.json()["messages_today"]["received"] >= 1
    finally:
        client.patch("/v1/admin/brand", headers=admin, json={
            "time_zone": original["time_zone"], "business_hours": original["business_hours"],
            "holidays": original.get("holidays", [])})


def test_the_daily_export_lands_in_the_local_bucket(client, runtime):
    """A customer message, counted; the clock moved to the next day; the export schedule fired
    through `/_local/schedules`: the message's fact row is in the moto bucket under brand=/date=."""
    import csv
    import gzip
    import io
    import zoneinfo

    import boto3

    admin, supervisor = login(client, "admin@demo.local"), login(client, "supervisor@demo.local")
    wa_id = "57322" + str(uuid.uuid4().int)[:7]
    customer_writes(client, wa_id, "Hola, quiero exportar", at=clock_now(client))
    conversation = eventually(lambda: find(client, supervisor, wa_id))
    zone = zoneinfo.ZoneInfo(client.get("/v1/admin/brand", headers=admin).json()["time_zone"])
    local_day = clock_now(client).astimezone(zone).date()
    # The job exports yesterday (UTC): move the clock to the UTC day after the message's local day.
    target = datetime.combine(local_day + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=12)
    assert client.post("/_local/clock", json={"advance_seconds": max(0, (target - clock_now(client)).total_seconds())}).status_code == 200
    resources = client.get("/_local/resources").json()
    s3 = boto3.client("s3", endpoint_url=resources["endpoint"], region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "analytics-lake" in b["Name"])
    key = f"facts/messages/brand=demo/date={local_day.isoformat()}/facts.csv.gz"

    def exported() -> list[dict[str, str]] | None:
        # The worker may still be counting: fire again until the row is in (a date re-exports whole).
        assert client.post("/_local/schedules/AnalyticsExportFunction").status_code == 200
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        rows = list(csv.DictReader(io.StringIO(gzip.decompress(body).decode())))
        return rows if any(r["conversation_id"] == conversation["id"] for r in rows) else None

    rows = eventually(exported, timeout=60, every=2.0)
    mine = [r for r in rows if r["conversation_id"] == conversation["id"]]
    assert [(r["direction"], r["channel"], r["sender_kind"]) for r in mine][:1] == [("in", "whatsapp", "customer")]
    assert not [k["Key"] for k in s3.list_objects_v2(Bucket=bucket, Prefix="facts/messages/").get("Contents", [])
                if "brand=acme" in k["Key"] and k["Key"].endswith(f"date={local_day.isoformat()}/facts.csv.gz")
                and conversation["id"] in gzip.decompress(s3.get_object(Bucket=bucket, Key=k["Key"])["Body"].read()).decode()]
